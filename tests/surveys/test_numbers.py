"""Numbers of the survey survive the round trip in Dutch and in English: a stored 10.5 goes back into
its number input as "10.5" (a number input reads nothing else), pages show it as the language writes
it (10,5 in Dutch), and the API stores a number or says in words why not."""

import io
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image
from rest_framework.test import APIClient

from projects.models import OrganisationKind, Role
from surveys.models import Survey
from surveys.services import photo_add
from tests.conftest import member_of
from tests.factories import DwellingFactory, UserFactory, survey_answers

pytestmark = pytest.mark.django_db

PIPE = "delivery_set.pipe_length"
PIPE_INPUT = "f-delivery_set-pipe_length-input"


@pytest.fixture
def surveyor(advised_project):
    return member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)


@pytest.fixture
def planned(advised_project, surveyor):
    return DwellingFactory(
        project=advised_project,
        state="survey_planned",
        surveyor=surveyor,
        survey_party=surveyor.organisation,
        street="Kastanjelaan",
        house_number=5,
    )


@pytest.fixture
def lead(advised_project):
    return UserFactory(organisation=advised_project.participations.get(role=Role.LEAD).organisation)


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, "PNG")
    return SimpleUploadedFile("afleverset.png", buffer.getvalue(), content_type="image/png")


def with_pipe_length(dwelling, surveyor, value):
    """Every question answered, the delivery set's photo taken, and the pipe length stored as ``value``."""
    Survey.objects.create(dwelling=dwelling, answers=survey_answers())
    photo_add(actor=surveyor, dwelling_id=dwelling.pk, field="delivery_set.photos", upload=png())
    survey = Survey.objects.get(dwelling=dwelling)
    survey.answers[PIPE] = {"value": value, "by": "surveyor"}
    survey.save()
    return survey


def speak(client, language):
    """Switch the interface language the way the NL/EN switch in the menu does."""
    client.post(reverse("set_language"), {"language": language, "next": "/"})


class _Elements(HTMLParser):
    """The attributes of every element with an id, and the text of every element with a data-* mark."""

    def __init__(self):
        super().__init__()
        self.by_id = {}
        self.steps = {}
        self._open_step = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.by_id[attrs["id"]] = attrs
        if "data-step" in attrs:
            self.steps[attrs["data-step"]] = attrs

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def elements(response):
    parser = _Elements()
    parser.feed(response.text)
    return parser


def section_state(page: str, section: str) -> str:
    """The badge of a section of the form: "complete" or "1 open" (in the page's language)."""
    start = page.index(f'data-section="{section}"')
    badge = page.index("data-section-state>", start) + len("data-section-state>")
    return page[badge : page.index("</span>", badge)]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_stored_decimal_goes_back_into_its_number_input_with_a_point(client, surveyor, planned, language):
    with_pipe_length(planned, surveyor, 10.5)
    client.force_login(surveyor)
    speak(client, language)

    response = client.get(reverse("surveys:form", args=[planned.pk]))

    assert response.status_code == 200
    assert f'lang="{language}"' in response.text
    field = elements(response).by_id[PIPE_INPUT]
    assert field["type"] == "number"
    assert field["value"] == "10.5"
    assert 'value="10,5"' not in response.text
    step = elements(response).steps["delivery_set"]
    assert step["data-missing"] == "0"
    with translation.override(language):
        assert section_state(response.text, "delivery_set") == gettext("complete")


@pytest.mark.parametrize(
    ("stored", "shown"),
    [(10.5, "10.5"), (4, "4"), (4.0, "4"), (0, "0"), (0.25, "0.25"), ("10.5", "10.5"), (" 7.25 ", "7.25")],
)
def test_what_was_stored_reads_back_as_the_number_input_takes_it(client, surveyor, planned, stored, shown):
    with_pipe_length(planned, surveyor, stored)
    client.force_login(surveyor)

    response = client.get(reverse("surveys:form", args=[planned.pk]))

    assert elements(response).by_id[PIPE_INPUT]["value"] == shown


def test_a_stored_answer_that_is_no_number_is_shown_with_a_word_not_hidden(client, surveyor, planned):
    """Stored before the API checked strictly: the field is empty, and says what was there."""
    with_pipe_length(planned, surveyor, "nan")
    client.force_login(surveyor)

    response = client.get(reverse("surveys:form", args=[planned.pk]))

    assert elements(response).by_id[PIPE_INPUT]["value"] == ""
    assert "“nan”" in response.text


@pytest.mark.parametrize(("language", "shown"), [("nl", "10,5"), ("en", "10.5")])
def test_pages_show_the_number_as_the_language_writes_it(client, surveyor, planned, lead, language, shown):
    with_pipe_length(planned, surveyor, 10.5)
    client.force_login(lead)
    speak(client, language)

    response = client.get(reverse("surveys:form", args=[planned.pk]))  # read-only for the lead

    assert response.status_code == 200
    answer = response.text.split(f'data-answer="{PIPE}">')[1].split("</dd>")[0]
    assert f'<span class="answer-text">{shown}</span>' in answer


# --- The API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(surveyor):
    client = APIClient()
    client.force_authenticate(surveyor)
    return client


def send(api, dwelling, value):
    return api.patch(
        f"/api/v1/surveys/{dwelling.pk}/answers/",
        {"answers": {PIPE: {"value": value, "by": "surveyor"}}},
        format="json",
    )


@pytest.mark.parametrize(
    ("sent", "stored"),
    [(10.5, 10.5), (12, 12), ("10.5", 10.5), (" 10.5 ", 10.5), ("12", 12), (".5", 0.5), (0, 0), (None, None)],
)
def test_the_api_stores_a_number_from_a_json_number_or_a_string_with_a_point(api, planned, sent, stored):
    response = send(api, planned, sent)

    assert response.status_code == 200, response.json()
    value = Survey.objects.get(dwelling=planned).answers[PIPE]["value"]
    assert value == stored
    assert type(value) is type(stored)
    assert response.json()["answers"][PIPE]["value"] == stored


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("sent", ["10,5", "1.000,5", "1,000"])
def test_a_decimal_comma_is_refused_in_words_and_nothing_is_stored(api, planned, language, sent):
    send(api, planned, 4)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = send(api, planned, sent)

    assert response.status_code == 400
    with translation.override(language):
        expected = gettext(
            "Write the number without thousands separators and with a point for decimals, for example 1250.5."
        )
    assert expected in str(response.json())
    assert Survey.objects.get(dwelling=planned).answers[PIPE]["value"] == 4


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        (True, "Enter a number."),
        ("nan", "Enter a number."),
        ("inf", "Enter a number."),
        ("1_000", "Enter a number."),
        ("ten", "Enter a number."),
        ([10.5], "Enter a number."),
        pytest.param(10**400, "Enter a number.", id="too-large"),
        (-1, "Enter a number of zero or more."),
        ("-0.5", "Enter a number of zero or more."),
    ],
)
def test_what_is_no_number_is_refused_not_stored(api, planned, sent, message):
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = send(api, planned, sent)

    assert response.status_code == 400
    assert message in str(response.json())
    assert not Survey.objects.filter(dwelling=planned).exists()
