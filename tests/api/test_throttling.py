"""The API's rate limits: per person (API_RATE_USER) and per address without a person (API_RATE_ANON),
counted in Django's cache, answered 429 with Retry-After."""

import datetime
import itertools
import os

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from projects.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/projects/"
# Each test its own address, so that no count of another test (in the same process's cache) is met.
ADDRESSES = (f"192.0.2.{n}" for n in itertools.count(1))


@pytest.fixture
def address():
    return next(ADDRESSES)


@pytest.fixture
def rates(settings):
    settings.API_RATE_USER = "3/min"
    settings.API_RATE_ANON = "2/min"
    return settings


def test_a_person_gets_429_with_retry_after_over_their_rate(rates, lead_user, advised_project, address):
    client = Client(REMOTE_ADDR=address)
    client.force_login(lead_user)
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(URL)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    # Someone else, from the same address, is not held up.
    other = Client(REMOTE_ADDR=address)
    other.force_login(UserFactory(organisation=lead_user.organisation))
    assert other.get(URL).status_code == 200
    # A minute later the person may go on.
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61), tick=False):
        assert client.get(URL).status_code == 200


def test_a_persons_tokens_and_session_share_one_count(rates, lead_user, advised_project, address):
    _token, key = ApiToken.objects.create(user=lead_user, name="GIS")
    _other, other_key = ApiToken.objects.create(user=lead_user, name="Monitor")
    client = Client(REMOTE_ADDR=address)
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {other_key}").status_code == 200
    client.force_login(lead_user)
    assert client.get(URL).status_code == 200
    client.logout()
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {key}").status_code == 429


def test_a_lowered_rate_still_says_how_long_to_wait(settings, lead_user, advised_project, address):
    settings.API_RATE_USER = "5/min"
    client = Client(REMOTE_ADDR=address)
    client.force_login(lead_user)
    assert {client.get(URL).status_code for _ in range(5)} == {200}
    settings.API_RATE_USER = "2/min"  # five counted, two allowed
    refused = client.get(URL)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60


def test_requests_without_a_person_are_limited_per_address(rates, lead_user, address):
    ApiToken.objects.create(user=lead_user, name="GIS")
    client = Client(REMOTE_ADDR=address)
    # No login, then a wrong token: both refused, both counted.
    assert client.get(URL).status_code in (401, 403)
    assert client.get(URL, HTTP_AUTHORIZATION="Token " + "0" * 64).status_code in (401, 403)
    refused = client.get(URL)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    # Another address is not held up, and a person is counted as themselves.
    assert Client(REMOTE_ADDR=next(ADDRESSES)).get(URL).status_code in (401, 403)
    client.force_login(lead_user)
    assert client.get(URL).status_code == 200


def test_behind_a_proxy_the_address_is_read_from_its_header(rates, settings, address):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(2):
        assert proxy.get(URL, HTTP_X_FORWARDED_FOR=f"198.51.100.7, {address}").status_code in (401, 403)
    # The first entry is the client's own word; the last, the proxy's, is what counts.
    assert proxy.get(URL, HTTP_X_FORWARDED_FOR=f"198.51.100.8, {address}").status_code == 429
    assert proxy.get(URL, HTTP_X_FORWARDED_FOR=next(ADDRESSES)).status_code in (401, 403)


def test_an_empty_rate_is_no_limit(settings, lead_user, advised_project, address):
    settings.API_RATE_USER = ""
    client = Client(REMOTE_ADDR=address)
    client.force_login(lead_user)
    assert {client.get(URL).status_code for _ in range(5)} == {200}


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs the throwaway Redis of make test")
def test_the_count_is_kept_in_the_shared_cache(rates, settings, lead_user, advised_project, address):
    """With Redis as the cache (production's CACHE_URL), two web processes count together: the count is
    in Redis, not in the process."""
    import redis

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["TEST_REDIS_URL"],
            "KEY_PREFIX": f"throttle-test-{address}",
        }
    }
    client = Client(REMOTE_ADDR=address)
    client.force_login(lead_user)
    assert [client.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]
    keys = redis.Redis.from_url(os.environ["TEST_REDIS_URL"]).keys(f"throttle-test-{address}*")
    assert any(f"throttle_user_{lead_user.pk}".encode() in key for key in keys)
