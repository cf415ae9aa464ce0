"""The issue's walk-through of the resident portal, on a phone-sized window: open the personal link, pick a
survey time, change it, ask a question with a photo; the cooperative answers it from the inbox; the
answer arrives by e-mail and in the portal; a tampered link answers 404. Then the consent with the
one-time code read from the e-mail, and a connected home reports no hot water."""

import email
import email.policy
import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from portal import tokens
from portal.models import Question
from projects.models import Dwelling, DwellingTransition
from surveys.models import SurveySlot
from tests.browser.test_dwelling_walk import log_in
from tests.portal import conftest as portal

pytestmark = pytest.mark.django_db(transaction=True)

portal_world, smtp, sms_dir = portal.portal_world, portal.smtp, portal.sms_dir

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="nl-NL", is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def _text_of(raw: str) -> str:
    mail = email.message_from_string(raw, policy=email.policy.default)
    return mail.get_body(preferencelist=("plain",)).get_content()


def _photo(tmp_path):
    path = tmp_path / "meterkast.jpg"
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (90, 120, 160)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_a_resident_books_changes_asks_and_reads_the_answer(portal_world, phone, live_server, tmp_path, page):
    world = portal_world
    smtp = world["smtp"]
    home_url = live_server.url + reverse("portal:home", args=[tokens.written(world["code"])])
    phone.goto(home_url)
    assert phone.locator("[data-state='informed']").is_visible()
    # No sideways scrolling on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Pick a time.
    phone.click("#choose-visit")
    first, second = SurveySlot.objects.filter(published=True).order_by("starts_at")[:2]
    phone.check(f"input[name='slot'][value='{first.pk}']")
    phone.click("#visit-form button[type='submit']")
    phone.wait_for_selector("[data-state='survey_planned']")
    assert Dwelling.objects.get(pk=world["home"].pk).survey_appointment_at == first.starts_at

    # Change it to the next time; the first returns to the pool.
    phone.goto(home_url + "visit/")
    phone.check(f"input[name='slot'][value='{second.pk}']")
    phone.click("#visit-form button[type='submit']")
    phone.wait_for_selector("[data-state='survey_planned']")
    first.refresh_from_db()
    assert first.dwelling_id is None and Dwelling.objects.get(pk=world["home"].pk).survey_appointment_at == (
        second.starts_at
    )
    assert list(
        DwellingTransition.objects.filter(dwelling=world["home"]).values_list("transition", "resident_id")
    ) == [("plan_survey", world["owner"].pk), ("reschedule_survey", world["owner"].pk)]

    # Ask a question with a photo.
    phone.goto(home_url + "questions/")
    phone.fill("#id_text", "Moet de meterkast leeg zijn?")
    phone.set_input_files("#id_photo", str(_photo(tmp_path)))
    phone.click("#question-form button[type='submit']")
    phone.wait_for_selector("[data-question]")
    question = Question.objects.get()
    assert question.photo and question.contact == world["owner"]

    # The communicating party answers from its inbox, on its own screen.
    log_in(page, live_server, world["lead"])
    page.goto(live_server.url + reverse("inbox:list"))
    page.click(f"[data-question='{question.pk}'] a")
    # The photo the resident sent, once it has loaded.
    loaded = (
        "img => img.complete ? img.naturalWidth"
        " : new Promise(done => { img.onload = () => done(img.naturalWidth) })"
    )
    assert page.locator("img[src$='/photo/']").evaluate(loaded) > 0
    page.fill("#id_text", "Nee, de schouwer moet er alleen goed bij kunnen.")
    page.click("#answer-form button[type='submit']")
    page.wait_for_selector("[data-reply]")

    # The answer arrives by e-mail and shows in the portal.
    answers = [raw for raw in smtp.to("anna@example.test") if "goed bij kunnen" in _text_of(raw)]
    assert len(answers) == 1
    phone.goto(home_url)
    assert phone.locator(f"[data-question='{question.pk}'] [data-reply]").is_visible()

    # A tampered link: 404, and nothing of Anna's home.
    tampered = home_url.replace(tokens.written(world["code"])[-2:] + "/", "ZZ/")
    response = phone.goto(tampered)
    assert response.status == 404
    assert "Kastanjelaan" not in phone.content()


def test_the_owner_accepts_with_the_code_and_a_connected_home_reports_no_hot_water(
    portal_world, phone, live_server
):
    world = portal_world
    smtp = world["smtp"]
    Dwelling.objects.filter(pk=world["home"].pk).update(state="plan_ready")
    home_url = live_server.url + reverse("portal:home", args=[tokens.written(world["code"])])
    phone.goto(home_url + "agreement/")
    phone.click("#code-request-form button[type='submit']")
    phone.wait_for_selector("#id_code")
    mails = [raw for raw in smtp.to("anna@example.test") if re.search(r"\b\d{6}\b", _text_of(raw))]
    assert len(mails) == 1
    code = re.search(r"\b(\d{6})\b", _text_of(mails[0])).group(1)
    phone.fill("#id_code", code)
    phone.click("#accept-form button[type='submit']")
    phone.wait_for_selector("#agreement-pdf")  # the page now offers the PDF of what was accepted
    assert Dwelling.objects.get(pk=world["home"].pk).state == "agreed"
    log = DwellingTransition.objects.filter(dwelling=world["home"]).latest("pk")
    assert (log.transition, log.actor_id, log.resident_id) == ("record_agreement", None, world["owner"].pk)

    # Later, connected: no hot water.
    Dwelling.objects.filter(pk=world["home"].pk).update(state="connected")
    phone.goto(home_url)
    phone.click("#aftercare-link")
    phone.check("input[name='problem'][value='no_hot_water']")
    phone.fill("#id_text", "Sinds vanochtend geen warm water.")
    phone.click("#aftercare-form button[type='submit']")
    phone.wait_for_selector("[data-question]")
    report = Question.objects.get()
    assert (report.kind, report.problem) == ("aftercare", "no_hot_water")
