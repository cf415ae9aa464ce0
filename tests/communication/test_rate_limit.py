"""The rate limit per channel holds over every worker together: they count in the shared cache (the
real Redis of ``make test``), so two senders at once stay within the limit in every second."""

import os
import threading
import time
from collections import Counter

import pytest
from django.core.cache import caches

from communication import sending

LIMIT = 4


@pytest.fixture
def shared_cache(settings):
    if not os.environ.get("TEST_REDIS_URL"):
        pytest.skip("needs the throwaway Redis of make test (scripts/with-services)")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["TEST_REDIS_URL"].rsplit("/", 1)[0] + "/3",
            "KEY_PREFIX": f"rate-test-{os.getpid()}",
        }
    }
    settings.MESSAGE_RATE_LIMITS = {"email": LIMIT, "sms": 0}
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()


def _send_from_two_workers(channel: str, each: int) -> list[float]:
    passed: list[float] = []
    lock = threading.Lock()

    def worker():
        for _ in range(each):
            sending.throttle(channel)
            with lock:
                passed.append(time.time())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return passed


def test_two_senders_together_keep_to_the_limit_in_every_second(shared_cache):
    passed = _send_from_two_workers("email", each=6)
    assert len(passed) == 12
    per_second = Counter(int(moment) for moment in passed)
    assert max(per_second.values()) <= LIMIT
    # Twelve messages at four a second need at least three different seconds.
    assert len(per_second) >= 3
    # What the workers counted is in the shared cache, where any other worker reads it.
    counted = sum(shared_cache.get(f"message-rate:email:{second}") or 0 for second in per_second)
    assert counted >= 12


def test_a_channel_without_a_limit_is_not_counted(shared_cache):
    _send_from_two_workers("sms", each=5)
    second = int(time.time())
    assert not any(shared_cache.get(f"message-rate:sms:{s}") for s in range(second - 5, second + 1))
