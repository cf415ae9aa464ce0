"""The survey issue's acceptance, on the demo, as a new user would try it.

As the demo surveyor on a tablet: open today's visits, do a whole survey with photos, lose the network
halfway and finish anyway. As the lead party: approve the plan and open the PDF. As the installer of
that dwelling, once assigned: open the installer version and find no kitchen-table notes.
"""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from procurement.services import package_accept, package_create, package_offer
from projects.models import Dwelling, User
from projects.services import dwelling_transition
from surveys.models import ConnectionPlan, Photo, Visit
from tests.browser.conftest import TABLET, Network
from tests.browser.test_dwelling_walk import do, state
from tests.browser.test_survey_offline import open_section, stored_rows, wait_for_sync
from tests.surveys.test_plans import pdf_text, squeeze

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PASSWORD = "warmte-demo-2026"  # published in the README

# What the surveyor writes down that only the full plan may show, and what every party needs.
PRESENT = "Mevrouw Kwartelkoning en haar buurman"
QUESTIONS = "Vraagt of de Zilverspar-regeling ook voor haar geldt"
PIPE_ROUTE = "Via de kruipruimte langs de Berkenhof-balk naar de trapkast"


def jpeg(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def log_in(page, base_url, email):
    page.context.clear_cookies()
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/projects/")


def answer(page, key, field):
    """Answer one question the way a surveyor would, whatever its kind."""
    dom_id = field["domId"]
    text = {"kitchen_table.present": PRESENT, "kitchen_table.questions": QUESTIONS}.get(key)
    text = text or {"delivery_set.pipe_route": PIPE_ROUTE}.get(key) or f"{field['label']}: gezien"
    kind = field["kind"]
    if kind in ("text", "longtext"):
        page.fill(f"#{dom_id}-input", text)
    elif kind == "number":
        page.fill(f"#{dom_id}-input", "4")
    elif kind in ("choice", "multichoice"):
        page.locator(f"#{dom_id} .choice-grid label").first.click()
    elif kind == "photos":
        page.set_input_files(
            f"#{dom_id}-camera",
            files=[{"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": jpeg((40, 90, 160))}],
        )
        page.wait_for_selector(f"#{dom_id} [data-thumbs] li")
    elif kind in ("sketch", "signature"):
        canvas = page.locator(f"#{dom_id} canvas")
        canvas.scroll_into_view_if_needed()
        pad = canvas.bounding_box()
        page.mouse.move(pad["x"] + 20, pad["y"] + 20)
        page.mouse.down()
        page.mouse.move(pad["x"] + 160, pad["y"] + 80, steps=8)
        page.mouse.up()
        page.click(f"#{dom_id} [data-pad-save]")
        page.wait_for_selector(f"#{dom_id} [data-thumbs] li")
    elif kind == "works":
        page.click(f"#{dom_id} [data-works-confirm]")


def fill_section(page, config, section):
    open_section(page, section)
    for key, field in config["fields"].items():
        wanted = field["required"] or key in ("kitchen_table.questions", "delivery_set.sketch")
        if field["section"] == section and wanted:
            answer(page, key, field)


def test_the_demo_survey_from_my_day_to_the_installers_plan(browser, live_server, tmp_path):
    call_command("demo", "--force", "--no-plans", stdout=io.StringIO())
    surveyor = User.objects.get(email="schouwer@demo.test")
    # The first of today's visits (the demo plans five for the surveyor, whatever day it runs).
    home = (
        Dwelling.objects.filter(
            surveyor=surveyor, state="survey_planned", survey_appointment_at__date=timezone.localdate()
        )
        .order_by("survey_appointment_at")
        .first()
    )
    assert home is not None, "the demo plans visits for today"

    # --- The surveyor, on a tablet -----------------------------------------------------------------
    tablet = browser.new_context(viewport=TABLET, locale="nl-NL", has_touch=True)
    network = Network(tablet, live_server)
    try:
        page = tablet.new_page()
        log_in(page, network.url, "schouwer@demo.test")
        page.goto(f"{network.url}/surveys/my-day/")
        assert page.locator("[data-visit]").count() >= 1
        page.wait_for_selector("body[data-survey-pages-kept]")
        page.click(f"[data-survey-link='{home.pk}']")
        page.wait_for_selector("#survey[data-ready='1']")
        config = json.loads(page.locator("#survey-config").text_content())

        # The kitchen-table talk with the connection; then the network drops in the meter cupboard.
        fill_section(page, config, "kitchen_table")
        wait_for_sync(page, "sent")
        network.off()
        for section in config["sections"][1:]:
            if section == "works":
                # The proposal follows the scan on the tablet, without a connection: a gas boiler goes.
                open_section(page, "works")
                proposed = page.locator("[data-works] [data-work]").evaluate_all("s => s.map(e => e.value)")
                assert {"delivery_set", "remove_boiler", "cap_gas"} <= set(proposed)
            fill_section(page, config, section)
        wait_for_sync(page, "waiting")
        assert page.locator("[data-step].is-complete").count() == len(config["sections"])

        # Finished anyway: the visit waits on the tablet.
        page.click("a.step-finish")
        page.click("label[for='outcome-completed']")
        page.click("#finish-submit")
        page.wait_for_selector("#finish-queued:visible")
        assert [row["outcome"] for row in stored_rows(page, "visits")] == ["completed"]
        assert not Visit.objects.filter(dwelling=home).exists()

        # On to My day; the connection comes back and everything arrives, once.
        page.click("#finish-queued a")
        page.wait_for_selector("body[data-outbox-ready='1']")
        network.on()
        page.wait_for_selector(f"[data-visit='{home.pk}']", state="detached", timeout=30000)
        assert page.locator(".alert-success").count() == 1
    finally:
        network.close()
        tablet.close()
    home.refresh_from_db()
    assert home.state == "surveyed"
    assert Visit.objects.filter(dwelling=home).count() == 1
    assert home.survey.answers["kitchen_table.present"]["value"] == PRESENT
    assert Photo.objects.filter(survey__dwelling=home, field="delivery_set.photos").count() == 1
    assert home.survey.missing() == []

    # --- The lead party approves the plan and opens the PDF ------------------------------------------
    office = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    try:
        page = office.new_page()
        url = f"{live_server.url}{reverse('projects:dwelling', args=[home.project.slug, home.pk])}"
        log_in(page, live_server.url, "warmtebedrijf@demo.test")
        page.goto(url)
        do(page, "approve_plan")
        assert state(page) == "plan_ready"
        page.goto(url)
        full_url = live_server.url + page.locator("#plan-versions [data-variant='full'] a").get_attribute(
            "href"
        )
        full = page.request.get(full_url)
        assert full.status == 200 and full.headers["content-type"] == "application/pdf"
        text = squeeze(pdf_text(full.body()))
        assert squeeze(PRESENT) in text and squeeze(PIPE_ROUTE) in text

        # The agreement and the assignment, then the installer looks.
        lead = User.objects.get(email="warmtebedrijf@demo.test")
        dwelling_transition(
            actor=lead,
            dwelling_id=home.pk,
            transition="record_agreement",
            signatory=home.expected_signatory(),
            signatory_name="J. Kwartelkoning",
            signed_on=datetime.date.today(),
            document=SimpleUploadedFile(
                "akkoord.pdf", b"%PDF-1.4\n% signed\n", content_type="application/pdf"
            ),
            tenant_supports=True if home.is_rental() else None,
            owners_association_consent_on=datetime.date.today() if home.owners_association else None,
        )
        # The lead party offers it in a work package of Tuindorp-Oost's pool; the installer takes it.
        installer = User.objects.get(email="installateur@demo.test")
        week = datetime.date.today() + datetime.timedelta(days=7)
        package = package_create(
            actor=lead,
            project=home.project,
            name="Acceptatie",
            dwelling_ids=[home.pk],
            first_week=week,
            last_week=week,
        )
        package_offer(actor=lead, package_id=package.pk, installer_id=installer.organisation_id)
        package_accept(actor=installer, package_id=package.pk)

        log_in(page, live_server.url, "installateur@demo.test")
        page.goto(url)
        assert page.locator("#plan-versions [data-variant='full']").count() == 0
        mine = page.locator("#plan-versions [data-variant='installer'] a").first
        plan = page.request.get(live_server.url + mine.get_attribute("href"))
        assert plan.status == 200
        text = squeeze(pdf_text(plan.body()))
        assert squeeze(PIPE_ROUTE) in text and squeeze(installer.organisation.name) in text
        assert "cv-ketelverwijderen" in text.lower()  # the works the tablet proposed from the scan
        assert squeeze(PRESENT) not in text
        assert squeeze(QUESTIONS) not in text
        assert "Keukentafelgesprek" not in text
        # Nor can the installer open the full version by its address.
        assert page.request.get(full_url).status == 404
    finally:
        office.close()
    assert (
        ConnectionPlan.objects.filter(dwelling=home, variant="installer").count() == 2
    )  # approved, assigned
