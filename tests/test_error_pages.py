"""Error pages in the site's layout and language, a refusal logged as one line, JSON errors for the API.

The module is also a URLconf (``pytest.mark.urls``): the site's own patterns and error handlers, plus
views that refuse or fail on purpose.
"""

import logging
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from rest_framework.exceptions import APIException, NotFound

import config.urls
from config.views import server_error
from projects.models import Job, OrganisationKind, Role
from tests.conftest import member_of


def _refused_without_reason(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("the view broke on purpose")


urlpatterns = [
    path("test-errors/refused/", _refused_without_reason),
    path("test-errors/broken/", _broken),
    path("api/v1/test-errors/broken/", _broken),
    *config.urls.urlpatterns,
]
handler400 = config.urls.handler400
handler403 = config.urls.handler403
handler404 = config.urls.handler404
handler500 = config.urls.handler500

pytestmark = pytest.mark.urls(__name__)

MISSING = "/dit-adres-bestaat-niet/"
NOT_FOUND_TEXT = "This page does not exist, or you may not see it."
LEAD_ONLY = "Only a coordinator of the lead party keeps the dwelling register."


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def shown(text: str, language: str = "nl") -> str:
    """``text`` as a page in ``language`` shows it: translated by the catalogue and HTML-escaped."""
    with translation.override(language):
        return escape(gettext(text))


def error_block(page: str) -> str:
    """The error message of a page, without the layout around it (which holds the request's path)."""
    return re.search(r'<div class="col-lg-8" id="error-page".*?</div></div>', page, re.S).group(0)


def django_request_records(caplog):
    return [record for record in caplog.records if record.name == "django.request"]


# --- 404 -------------------------------------------------------------------------------------------


def test_a_missing_page_answers_404_in_dutch_within_the_layout(client, lead_user):
    client.force_login(lead_user)

    response = client.get(MISSING)

    assert response.status_code == 404
    assert 'lang="nl"' in response.text
    assert "Mijn projecten" in response.text  # the menu of a logged-in user
    assert shown(NOT_FOUND_TEXT) in response.text
    assert "The requested resource was not found" not in response.text  # Django's bare page


def test_after_the_language_switch_the_404_is_in_english(client, lead_user):
    client.force_login(lead_user)

    response = client.post(reverse("set_language"), {"language": "en", "next": MISSING}, follow=True)

    assert response.redirect_chain[-1][0] == MISSING
    assert response.status_code == 404
    assert 'lang="en"' in response.text
    assert "My projects" in response.text
    assert "Mijn projecten" not in response.text
    assert NOT_FOUND_TEXT in response.text


def test_a_page_out_of_scope_looks_like_a_missing_one(client, lead_user, outsider_project):
    client.force_login(lead_user)

    hidden = client.get(reverse("projects:detail", args=[outsider_project.slug]))
    missing = client.get(MISSING)

    assert hidden.status_code == missing.status_code == 404
    assert error_block(hidden.text) == error_block(missing.text)
    assert outsider_project.name not in hidden.text


def test_an_anonymous_visitor_is_offered_to_log_in(client, db):
    response = client.get(MISSING)

    assert response.status_code == 404
    assert reverse("login") in error_block(response.text)


# --- 403 -------------------------------------------------------------------------------------------


@pytest.fixture
def cooperative(advised_project):
    """A party of the project that is not its lead: it may not import the register."""
    return member_of(advised_project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY)


def test_a_refusal_shows_the_reason_the_code_gave(client, advised_project, cooperative):
    client.force_login(cooperative)

    response = client.get(reverse("projects:imports:upload", args=[advised_project.slug]))

    assert response.status_code == 403
    assert 'lang="nl"' in response.text
    assert "Mijn projecten" in response.text
    assert f'<p class="lead" id="error-reason">{shown(LEAD_ONLY)}</p>' in response.text


def test_a_refusal_without_a_reason_says_so_in_general_words(client, lead_user):
    client.force_login(lead_user)

    response = client.get("/test-errors/refused/")

    assert response.status_code == 403
    assert 'id="error-reason"' not in response.text
    assert shown("Your account does not have the right to do this.") in response.text


def test_a_refusal_logs_one_line_without_a_traceback(client, advised_project, cooperative, caplog):
    client.force_login(cooperative)
    url = reverse("projects:imports:upload", args=[advised_project.slug])

    with caplog.at_level(logging.INFO):
        client.get(url)

    [record] = django_request_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    with translation.override("nl"):
        reason = gettext(LEAD_ONLY)
    assert record.getMessage() == f"Forbidden (Permission denied): GET {url} user={cooperative.pk}: {reason}"
    assert "Traceback" not in caplog.text


def test_a_missing_page_is_logged_as_before_one_line(client, lead_user, caplog):
    client.force_login(lead_user)

    with caplog.at_level(logging.INFO):
        client.get(MISSING)

    [record] = django_request_records(caplog)
    assert (record.getMessage(), record.exc_info) == (f"Not Found: {MISSING}", None)


# --- 500 -------------------------------------------------------------------------------------------


def test_a_server_error_shows_the_page_and_logs_the_traceback(client, lead_user, caplog):
    client.force_login(lead_user)
    client.raise_request_exception = False

    with caplog.at_level(logging.INFO):
        response = client.get("/test-errors/broken/")

    assert response.status_code == 500
    assert 'lang="nl"' in response.text
    assert shown("Something went wrong on our side") in response.text
    assert 'href="/"' in response.text  # a way back
    assert "vendor/bootstrap/bootstrap.min.css" in response.text  # the site's own CSS, no CDN
    [record] = django_request_records(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info[0] is RuntimeError
    assert "Traceback" in caplog.text


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_500_page_needs_no_database_and_no_request_context(language):
    """No ``db`` fixture: any query would fail, and the page would fall back to Django's plain text."""
    request = RequestFactory().get("/anywhere/")  # no session, no user, no middleware

    with translation.override(language):
        response = server_error(request)

    assert response.status_code == 500
    assert f'lang="{language}"' in response.text
    assert shown("Something went wrong on our side", language) in response.text


# --- 400 -------------------------------------------------------------------------------------------


def test_a_bad_request_is_answered_within_the_layout(client, db):
    response = client.get("/", HTTP_HOST="not-our-host.example")  # DisallowedHost: 400

    assert response.status_code == 400
    assert 'lang="nl"' in response.text
    assert shown("Your browser sent something we could not read.") in response.text


# --- a form refused by the CSRF check --------------------------------------------------------------


def test_a_form_without_the_cookie_explains_itself_and_saves_nothing(lead_user, advised_project):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead_user)
    form_page = reverse("projects:imports:upload", args=[advised_project.slug])

    response = client.post(
        form_page,
        {"file": SimpleUploadedFile("woningen.csv", b"postcode;huisnummer\n1437 CA;2\n")},
        HTTP_REFERER=f"http://testserver{form_page}",
    )

    assert response.status_code == 403
    assert "Mijn projecten" in response.text
    assert shown("Your form could not be sent safely. Nothing was saved.") in response.text
    assert 'id="error-cookies"' in response.text  # no cookie came with the form
    assert f'href="http://testserver{form_page}" id="error-back"' in response.text
    assert not Job.objects.exists()


def test_a_form_with_a_stale_token_explains_itself_without_blaming_cookies(lead_user, advised_project):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead_user)
    form_page = reverse("projects:imports:upload", args=[advised_project.slug])
    client.get(form_page)  # the cookie is set; the form's token below is not the one that goes with it

    response = client.post(
        form_page,
        {"csrfmiddlewaretoken": "x" * 64, "file": SimpleUploadedFile("w.csv", b"postcode\n1437 CA\n")},
        HTTP_REFERER="https://elsewhere.example/page/",
    )

    assert response.status_code == 403
    assert shown("Your form could not be sent safely. Nothing was saved.") in response.text
    assert 'id="error-cookies"' not in response.text
    # A referer from another site is not offered as the way back.
    assert f'href="{reverse("projects:list")}" id="error-back"' in response.text
    assert not Job.objects.exists()


# --- the API keeps answering JSON ------------------------------------------------------------------


def test_the_api_answers_a_missing_address_in_json(client, lead_user):
    client.force_login(lead_user)

    response = client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    with translation.override("nl"):
        assert response.json() == {"detail": str(NotFound.default_detail)}


def test_the_api_answers_a_server_error_in_json(client, lead_user):
    client.force_login(lead_user)
    client.raise_request_exception = False

    response = client.get("/api/v1/test-errors/broken/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    with translation.override("nl"):
        assert response.json() == {"detail": str(APIException.default_detail)}


def test_an_api_refusal_stays_drf_json_with_its_reason(client, advised_project, cooperative):
    client.force_login(cooperative)

    response = client.patch(
        f"/api/v1/projects/{advised_project.slug}/governance/", {}, content_type="application/json"
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    with translation.override("nl"):
        reason = gettext("Only a coordinator of the lead party changes the governance of this project.")
    assert response.json() == {"detail": reason}
