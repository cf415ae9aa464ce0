"""A number typed on the tablet comes back as it was typed: after it is sent and the page is reloaded,
online and without a connection, in Dutch and in English, and the section it completes stays complete."""

import datetime

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from projects.models import OrganisationKind, Role
from surveys.models import Survey
from tests.browser.test_survey_offline import (
    answers_of,
    image_bytes,
    log_in,
    open_section,
    stored_rows,
    wait_for_sync,
    wait_until,
    wait_until_kept,
)
from tests.conftest import member_of
from tests.factories import DwellingFactory, survey_answers

pytestmark = pytest.mark.django_db(transaction=True)

PIPE = "delivery_set.pipe_length"
PIPE_INPUT = "#f-delivery_set-pipe_length-input"


@pytest.fixture
def surveyor(advised_project):
    return member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)


@pytest.fixture
def planned(advised_project, surveyor):
    """A visit planned for today: everything answered and the delivery set photographed, but for the
    length of its pipe."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from surveys.services import photo_add

    today = timezone.localdate()
    dwelling = DwellingFactory(
        project=advised_project,
        state="survey_planned",
        surveyor=surveyor,
        survey_party=surveyor.organisation,
        survey_appointment_at=timezone.make_aware(datetime.datetime.combine(today, datetime.time(11))),
        street="Beukenlaan",
        house_number=7,
    )
    answers = survey_answers()
    del answers[PIPE]
    Survey.objects.create(dwelling=dwelling, answers=answers)
    upload = SimpleUploadedFile("afleverset.png", image_bytes("PNG"), content_type="image/png")
    photo_add(actor=surveyor, dwelling_id=dwelling.pk, field="delivery_set.photos", upload=upload)
    return dwelling


def open_survey(page, server, surveyor, dwelling, language):
    log_in(page, server, surveyor)
    if language != "nl":
        page.click(".navbar-toggler")  # the menu folds away on a tablet held upright
        # The NL/EN switch in the menu posts a form: wait for the page it leads to, or the next
        # navigation could cut the post off and the language would stay Dutch.
        with page.expect_navigation():
            page.click(f"#language-form button[value={language}]")
    page.goto(f"{server.url}/surveys/dwellings/{dwelling.pk}/")
    page.wait_for_selector("#survey[data-ready='1']")
    assert page.locator("html").get_attribute("lang") == language


def type_pipe_length(page, typed):
    """Tap the field and type, key by key, as on the tablet's keyboard; then leave the field."""
    open_section(page, "delivery_set")
    page.click(PIPE_INPUT)
    page.keyboard.type(typed)
    page.keyboard.press("Tab")


def delivery_set_state(page) -> tuple[str, str]:
    """What the form says of the delivery set: the badge of the section and the step in the header."""
    return (
        page.locator("#section-delivery_set [data-section-state]").inner_text(),
        page.locator("[data-step='delivery_set']").get_attribute("data-missing"),
    )


def complete(language) -> tuple[str, str]:
    with translation.override(language):
        return gettext("complete"), "0"


@pytest.mark.parametrize(
    ("language", "typed"),
    [("nl", "10.5"), ("nl", "10,5"), ("en", "10.5")],
    ids=["dutch-point", "dutch-comma", "english-point"],
)
def test_a_pipe_length_typed_on_the_tablet_comes_back_after_a_reload(
    tablet, live_server, surveyor, planned, language, typed
):
    page = tablet.new_page()
    open_survey(page, live_server, surveyor, planned, language)
    assert delivery_set_state(page)[1] == "1"  # only the pipe length is open

    type_pipe_length(page, typed)
    assert page.input_value(PIPE_INPUT) == "10.5"
    assert delivery_set_state(page) == complete(language)
    wait_until(lambda: PIPE in answers_of(planned), page)
    wait_for_sync(page, "sent")
    assert answers_of(planned)[PIPE] == {"value": 10.5, "by": "surveyor"}

    page.reload()
    page.wait_for_selector("#survey[data-ready='1']")
    open_section(page, "delivery_set")
    assert page.input_value(PIPE_INPUT) == "10.5"
    assert page.get_attribute(PIPE_INPUT, "value") == "10.5"  # from the server, not from the device
    assert delivery_set_state(page) == complete(language)
    assert page.locator("#f-delivery_set-pipe_length [data-error]").inner_text() == ""
    wait_for_sync(page, "sent")
    assert answers_of(planned)[PIPE]["value"] == 10.5


def test_without_a_connection_the_kept_page_and_the_draft_keep_the_pipe_length(
    tablet, network, surveyor, planned
):
    page = tablet.new_page()
    open_survey(page, network, surveyor, planned, "nl")
    wait_until_kept(page)
    type_pipe_length(page, "10,5")
    wait_until(lambda: PIPE in answers_of(planned), page)
    wait_for_sync(page, "sent")
    page.reload()  # online: the service worker keeps this copy of the page, with 10.5 in it
    page.wait_for_selector("#survey[data-ready='1']")

    # In the cellar: the kept page shows what was sent.
    network.off()
    page.reload()
    page.wait_for_selector("#survey[data-ready='1']")
    open_section(page, "delivery_set")
    assert page.input_value(PIPE_INPUT) == "10.5"
    assert delivery_set_state(page) == complete("nl")

    # A correction without a connection waits in the draft as a number, and survives a reload.
    page.click(PIPE_INPUT)
    page.keyboard.press("End")
    page.keyboard.type("25")
    page.keyboard.press("Tab")
    wait_for_sync(page, "waiting")
    wait_until(lambda: [row["value"] for row in stored_rows(page, "answers")] == [10.525], page)
    page.reload()
    page.wait_for_selector("#survey[data-ready='1']")
    open_section(page, "delivery_set")
    assert page.input_value(PIPE_INPUT) == "10.525"
    assert delivery_set_state(page) == complete("nl")
    assert answers_of(planned)[PIPE]["value"] == 10.5

    # Back online: the draft goes up as the number it is.
    network.on()
    wait_for_sync(page, "sent")
    assert answers_of(planned)[PIPE] == {"value": 10.525, "by": "surveyor"}


def test_what_the_number_field_cannot_read_is_said_and_never_stored_over_the_answer(
    tablet, live_server, surveyor, planned
):
    survey = Survey.objects.get(dwelling=planned)
    survey.answers[PIPE] = {"value": 10.5, "by": "surveyor"}
    survey.save()
    page = tablet.new_page()
    open_survey(page, live_server, surveyor, planned, "nl")
    open_section(page, "delivery_set")
    assert page.input_value(PIPE_INPUT) == "10.5"

    # A minus sign over the whole number: the browser holds it, but has no number to give.
    page.click(PIPE_INPUT)
    page.keyboard.press("Control+A")
    page.keyboard.type("-")
    page.keyboard.press("Tab")
    with translation.override("nl"):
        message = gettext("This is not a number: type digits, with a point for decimals (10.5).")
        still_open = gettext("%(count)s open") % {"count": 1}
    assert page.locator("#f-delivery_set-pipe_length [data-error]").inner_text() == message
    assert delivery_set_state(page) == (still_open, "1")  # what the field shows is no answer
    page.wait_for_timeout(1500)  # longer than the pause before sending
    wait_for_sync(page, "sent")
    assert stored_rows(page, "answers") == []  # nothing drafted over the answer
    assert answers_of(planned)[PIPE]["value"] == 10.5

    # Put right, the number goes, and the word goes away.
    page.click(PIPE_INPUT)
    page.keyboard.press("Control+A")
    page.keyboard.type("12")
    page.keyboard.press("Tab")
    assert page.locator("#f-delivery_set-pipe_length [data-error]").inner_text() == ""
    assert delivery_set_state(page) == complete("nl")
    wait_until(lambda: answers_of(planned)[PIPE]["value"] == 12, page)
