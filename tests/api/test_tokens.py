"""API tokens: a person makes and revokes their own (django-rest-knox); nobody else sees or revokes them."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from projects.models import ApiToken
from projects.views.tokens import new_form_id
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("tokens:list")


def _projects(client, key):
    return client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {key}")


def _make(client, user, name="GIS"):
    """Open the page as ``user`` and send its form: the answer, and the form id it carried."""
    page = client.get(LIST)
    form_id = page.context["form"]["form_id"].value()
    return client.post(LIST, {"name": name, "form_id": form_id}), form_id


@pytest.fixture
def person(lead_user, advised_project):
    return lead_user


class TestMaking:
    def test_the_key_is_shown_once_and_works(self, client, person):
        client.force_login(person)
        response, _ = _make(client, person, name="GIS-koppeling")
        assert response.status_code == 200
        key = response.context["new_key"]
        assert key and key in response.text
        assert "no-store" in response["Cache-Control"]
        token = ApiToken.objects.get(user=person)
        assert token.name == "GIS-koppeling"
        # Only knox's digest and the first characters are stored, never the key.
        assert key not in (token.digest, token.token_key)
        assert token.token_key == key[: len(token.token_key)]
        # Never again: not on the page, not in the admin.
        again = client.get(LIST)
        assert key not in again.text
        assert token.prefix in again.text

        client.logout()
        answer = _projects(client, key)
        assert answer.status_code == 200
        assert answer.json()["count"] == 1
        token.refresh_from_db()
        assert token.last_used is not None

    def test_it_works_for_api_token_days(self, client, person, settings):
        settings.API_TOKEN_DAYS = 3
        client.force_login(person)
        response, _ = _make(client, person)
        key = response.context["new_key"]
        token = ApiToken.objects.get(user=person)
        expected = timezone.now() + datetime.timedelta(days=3)
        assert abs((token.expiry - expected).total_seconds()) < 60
        client.logout()
        with time_machine.travel(timezone.now() + datetime.timedelta(days=3, minutes=1), tick=False):
            assert _projects(client, key).status_code in (401, 403)
        # knox removes a token it finds expired.
        assert not ApiToken.objects.filter(pk=token.pk).exists()

    def test_the_same_form_sent_twice_makes_one_token_and_shows_no_key_again(self, client, person):
        client.force_login(person)
        first, form_id = _make(client, person)
        key = first.context["new_key"]
        second = client.post(LIST, {"name": "GIS", "form_id": form_id}, follow=True)
        assert second.redirect_chain[0][1] == 302
        assert second.status_code == 200
        assert key not in second.text
        assert second.context["new_key"] is None
        assert ApiToken.objects.filter(user=person).count() == 1
        # A new page gives a new form, which makes another token.
        _make(client, person, name="Tweede")
        assert ApiToken.objects.filter(user=person).count() == 2

    def test_another_persons_form_id_is_refused(self, client, person):
        other = UserFactory(organisation=person.organisation)
        client.force_login(person)
        response = client.post(LIST, {"name": "GIS", "form_id": new_form_id(other)})
        assert response.status_code == 400
        assert response.context["form"].non_field_errors()
        assert not ApiToken.objects.exists()

    @pytest.mark.parametrize(
        "data",
        [
            {"name": ""},
            {"name": "   "},
            {"name": "x" * 101},
            {"name": "GIS", "form_id": "not-signed"},
            {"name": "GIS", "form_id": ""},
        ],
    )
    def test_bad_input_changes_nothing(self, client, person, data):
        client.force_login(person)
        data = {"form_id": new_form_id(person), **data}
        response = client.post(LIST, data)
        assert response.status_code == 400
        assert response.context["form"].errors
        assert "new_key" not in response.context or response.context["new_key"] is None
        assert not ApiToken.objects.exists()

    def test_anonymous_is_sent_to_log_in(self, client):
        response = client.post(LIST, {"name": "GIS"})
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        assert not ApiToken.objects.exists()

    def test_the_user_menu_links_to_the_page(self, client, person):
        client.force_login(person)
        assert f'href="{LIST}"' in client.get(reverse("projects:list")).text


class TestOthers:
    def test_another_persons_tokens_are_not_shown(self, client, person):
        colleague = UserFactory(organisation=person.organisation, work_roles=["administrator", "coordinator"])
        theirs, _key = ApiToken.objects.create(user=person, name="Eigen koppeling")
        client.force_login(colleague)
        page = client.get(LIST)
        assert page.status_code == 200
        assert page.context["tokens"] == []
        assert "Eigen koppeling" not in page.text
        assert theirs.prefix not in page.text

    @pytest.mark.parametrize("same_organisation", [True, False])
    def test_another_persons_token_cannot_be_revoked(self, client, person, same_organisation):
        token, key = ApiToken.objects.create(user=person, name="GIS")
        organisation = person.organisation if same_organisation else OrganisationFactory()
        other = UserFactory(organisation=organisation, work_roles=["administrator", "coordinator"])
        client.force_login(other)
        url = reverse("tokens:revoke", args=[token.pk])
        assert client.post(url).status_code == 404
        assert client.get(url).status_code == 405
        assert ApiToken.objects.filter(pk=token.pk).exists()
        client.logout()
        assert _projects(client, key).status_code == 200


class TestRevoking:
    def test_a_revoked_token_stops_working(self, client, person):
        token, key = ApiToken.objects.create(user=person, name="GIS")
        _other, other_key = ApiToken.objects.create(user=person, name="Monitor")
        assert _projects(client, key).status_code == 200
        client.force_login(person)
        response = client.post(reverse("tokens:revoke", args=[token.pk]))
        assert response.status_code == 302
        assert not ApiToken.objects.filter(pk=token.pk).exists()
        client.logout()
        assert _projects(client, key).status_code in (401, 403)
        assert _projects(client, other_key).status_code == 200

    def test_revoking_needs_a_csrf_token(self, person):
        from django.test import Client

        token, _key = ApiToken.objects.create(user=person, name="GIS")
        client = Client(enforce_csrf_checks=True)
        client.force_login(person)
        assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 403
        assert ApiToken.objects.filter(pk=token.pk).exists()

    def test_a_deactivated_persons_tokens_stop_working(self, client, person):
        _token, key = ApiToken.objects.create(user=person, name="GIS")
        assert _projects(client, key).status_code == 200
        person.is_active = False
        person.save(update_fields=["is_active"])
        assert _projects(client, key).status_code in (401, 403)


class TestHeader:
    @pytest.mark.parametrize(
        "header",
        ["Token", "Token a b", "Token nonsense", "Token " + "0" * 64, "Token \xe9\xe9\xe9", "Bearer abc"],
    )
    def test_a_wrong_header_is_refused_not_an_error(self, client, person, header):
        ApiToken.objects.create(user=person, name="GIS")
        assert client.get("/api/v1/projects/", HTTP_AUTHORIZATION=header).status_code in (401, 403)


class TestAdmin:
    def test_the_platform_sees_who_has_tokens_but_never_a_key(self, client, person):
        token, key = ApiToken.objects.create(user=person, name="GIS")
        superuser = UserFactory(organisation=None, is_superuser=True, is_staff=True, work_roles=[])
        client.force_login(superuser)
        listing = client.get(reverse("admin:projects_apitoken_changelist"))
        assert listing.status_code == 200
        assert "GIS" in listing.text
        change = client.get(reverse("admin:projects_apitoken_change", args=[token.pk]))
        assert change.status_code == 200
        for page in (listing, change):
            assert key not in page.text
            assert token.digest not in page.text
            assert token.token_key not in page.text
        assert client.get(reverse("admin:projects_apitoken_add")).status_code == 403
        delete = reverse("admin:projects_apitoken_delete", args=[token.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        assert ApiToken.objects.filter(pk=token.pk).exists()
