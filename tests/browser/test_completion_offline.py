"""The installer completes a home on a phone, as the issue's acceptance walk does: My week into the
checklist, the network drops in the meter cupboard, the report without the pressure test is blocked
with the list, then with everything it arrives once when the network is back. The heat company then
rejects it with a reason per item, and the installer sees the reason."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from procurement import checklist
from procurement.models import CommissioningChecklist, CompletionPhoto, InstallationReview
from procurement.services import completion_photo_add, completion_save_answers
from projects.models import Dwelling, OrganisationKind, Role
from tests.browser.conftest import Network
from tests.browser.test_survey_offline import log_in, wait_for_sync, wait_until_kept
from tests.conftest import member_of
from tests.factories import ContactFactory, DwellingFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
# What the installer fills in in the meter cupboard; the rest was recorded before.
OFFLINE = {
    "pressure_test.primary_bar": "10",
    "pressure_test.primary_minutes": "30",
    "pressure_test.secondary_minutes": "15",
}
LATER = {"pressure_test.secondary_bar": "6"}
BEFORE = {
    "delivery_set.serial_number": "DS-PHONE-1",
    "heat_meter.meter_number": "HM-55",
    "heat_meter.meter_class": "2",
    "heat_meter.start_reading": 0,
    "heat_meter.seal_numbers": "Z-1",
    "flushing.flushed": "done",
    "temperatures.supply_temperature": 70,
    "temperatures.return_temperature": 40,
    "temperatures.hot_water_seconds": 10,
    "checks.leak_check": "done",
    "checks.insulation": "done",
    "checks.gas_capped": "done",
    "handover.instructed": "done",
    "handover.certified_person": "R. Verhoeven",
    "handover.certificate_number": "WN-1",
}


def jpeg(colour=(200, 60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="nl-NL", has_touch=True, is_mobile=True)
    yield context
    context.close()


@pytest.fixture
def setting(advised_project, lead_user):
    installer = member_of(advised_project, OrganisationKind.INSTALLER, Role.INSTALLER)
    CommissioningChecklist.objects.create(project=advised_project)
    home = DwellingFactory(
        project=advised_project,
        state="installation_planned",
        installer=installer.organisation,
        installation_planned_on=timezone.localdate(),
        street="Meidoornlaan",
        house_number=7,
    )
    ContactFactory(dwelling=home, role="resident", name="Fam. Bakker", phone="0611111111")
    completion_save_answers(actor=installer, dwelling_id=home.pk, answers=BEFORE)
    for _section, field, key in checklist.all_items():
        if field.kind in checklist.PHOTO_KINDS and key != "flushing.strainer_photos":
            completion_photo_add(
                actor=installer,
                dwelling_id=home.pk,
                item=key,
                upload=SimpleUploadedFile("foto.jpg", jpeg(), content_type="image/jpeg"),
                client_id=uuid.uuid4(),
            )
    return {"installer": installer, "home": home, "lead": lead_user}


def dom(key: str) -> str:
    return "#item-" + key.replace(".", "-")


def test_an_installer_completes_offline_on_a_phone_and_the_heat_company_rejects(
    phone, browser, live_server, setting, tmp_path
):
    network = Network(phone, live_server)
    try:
        page = phone.new_page()
        log_in(page, network, setting["installer"])
        home = setting["home"]

        # My week: today's installation, one tap into the checklist.
        page.goto(f"{network.url}/installations/")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.click(f"[data-installation='{home.pk}'] a")
        page.wait_for_url(f"**/installations/{home.pk}/")
        page.wait_for_selector("#survey[data-ready='1']")
        assert "Meidoornlaan 7" in page.locator("#survey-head").inner_text()
        # Nothing wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        wait_until_kept(page)  # the service worker keeps the checklist for a reload in the cupboard

        # The network drops in the meter cupboard: typing and photos go on, and wait on the phone.
        network.off()
        page.click("#section-pressure_test > summary")
        for key, value in OFFLINE.items():
            page.fill(f"{dom(key)}-input", value)
        page.click("#section-flushing > summary")
        strainer = tmp_path / "zeef.jpg"
        strainer.write_bytes(jpeg((90, 90, 90)))
        page.set_input_files(f"{dom('flushing.strainer_photos')}-camera", str(strainer))
        wait_for_sync(page, "waiting")

        # A reload without connection loses nothing: the kept page restores the draft from the phone.
        page.reload()
        page.wait_for_selector("#survey[data-ready='1']")
        assert page.input_value(f"{dom('pressure_test.primary_bar')}-input") == "10"
        assert page.locator(f"{dom('flushing.strainer_photos')} [data-thumbs] li").count() == 1
        wait_for_sync(page, "waiting")

        # Reporting without the secondary pressure: blocked on the phone, with what is missing.
        page.click("a.step-finish")
        page.click("#finish-submit")
        page.wait_for_selector("#finish-missing li")
        assert "Secundaire zijde: druk (bar)" in page.locator("#finish-missing").inner_text()
        assert Dwelling.objects.get(pk=home.pk).state == "installation_planned"

        # With everything: the report waits on the phone, behind the answers and the photo.
        page.click("#finish-missing a")  # the link opens the section at the item
        page.fill(f"{dom('pressure_test.secondary_bar')}-input", LATER["pressure_test.secondary_bar"])
        page.click("a.step-finish")
        page.click("#finish-submit")
        page.wait_for_selector("#finish-queued:not([hidden])")
        assert Dwelling.objects.get(pk=home.pk).state == "installation_planned"

        # The network is back: all of it arrives, once, and the phone goes back to My week.
        network.on()
        page.wait_for_url("**/installations/", timeout=30000)
        dwelling = Dwelling.objects.get(pk=home.pk)
        assert dwelling.state == "installed"
        answers = dwelling.completion.answers
        assert [answers[key] for key in OFFLINE] == [10, 30, 15] and answers[
            "pressure_test.secondary_bar"
        ] == 6
        assert CompletionPhoto.objects.filter(item="flushing.strainer_photos").count() == 1
        assert dwelling.transitions.filter(transition="report_installed").count() == 1
    finally:
        network.close()

    # The heat company rejects it with a reason at the strainer; the installer reads it.
    office = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    try:
        page = office.new_page()
        log_in(page, live_server, setting["lead"])
        page.goto(f"{live_server.url}/installations/{home.pk}/")
        page.fill("input[name='reason:flushing.strainer_photos']", "Zeef nog vuil")
        page.click("button[name='decision'][value='reject']")
        page.wait_for_selector(".alert-success")
        review = InstallationReview.objects.get(dwelling=home)
        assert review.reasons == {"flushing.strainer_photos": "Zeef nog vuil"}
        assert Dwelling.objects.get(pk=home.pk).state == "installation_planned"
    finally:
        office.close()
    phone.set_offline(False)  # back in the van, on the phone's own connection
    page = phone.new_page()
    page.goto(f"{live_server.url}/installations/{home.pk}/")
    assert "Zeef nog vuil" in page.locator("#rejection").inner_text()
