"""The survey on a tablet, as the surveyor does it: from My day into the form, the network drops in
the meter cupboard, the form goes on, and when the network is back everything arrives exactly once."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from projects.models import Dwelling, OrganisationKind, Role
from surveys.models import Photo, Survey, Visit
from tests.browser.conftest import TABLET
from tests.conftest import member_of
from tests.factories import PASSWORD, ContactFactory, DwellingFactory, survey_answers

pytestmark = pytest.mark.django_db(transaction=True)


# What the surveyor fills in on the page; everything else of the survey was answered before.
ONLINE = {
    "kitchen_table.present": "Bewoner en dochter",
    "kitchen_table.intention": "doubts",
    "dwelling_scan.electrical_groups": 6,
}
OFFLINE = {
    "dwelling_scan.meter_cupboard": "Gang, onder de trap; 20 cm vrij",
    "delivery_set.space_ok": "yes",
    "kitchen_table.explained": ["what_and_when", "nuisance"],
}


def image_bytes(kind="PNG", colour=(200, 120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, kind)
    return buffer.getvalue()


@pytest.fixture
def surveyor(advised_project):
    user = member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
    user.work_roles = ["field_worker"]
    user.save()
    return user


@pytest.fixture
def planned(advised_project, surveyor):
    """A visit planned for today, with most of the survey answered already."""
    today = timezone.localdate()
    dwelling = DwellingFactory(
        project=advised_project,
        state="survey_planned",
        surveyor=surveyor,
        survey_party=surveyor.organisation,
        survey_appointment_at=timezone.make_aware(datetime.datetime.combine(today, datetime.time(10))),
        street="Kastanjelaan",
        house_number=12,
    )
    ContactFactory(dwelling=dwelling, role="resident", name="Fam. Yilmaz", phone="0612121212")
    answers = {key: value for key, value in survey_answers().items() if key not in {**ONLINE, **OFFLINE}}
    Survey.objects.create(dwelling=dwelling, answers=answers)
    return dwelling


def log_in(page, server, user):
    page.goto(f"{server.url}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/projects/")


def open_form(context, server, user, dwelling):
    """A new page in ``context``: logged in as ``user``, the survey form of ``dwelling`` ready."""
    page = context.new_page()
    log_in(page, server, user)
    page.goto(f"{server.url}/surveys/dwellings/{dwelling.pk}/")
    page.wait_for_selector("#survey[data-ready='1']")
    return page


def ready_to_finish(dwelling, surveyor):
    """Every question answered and the photo of the delivery set taken: only the works to confirm."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from surveys.services import photo_add

    photo = photo_add(
        actor=surveyor,
        dwelling_id=dwelling.pk,
        field="delivery_set.photos",
        upload=SimpleUploadedFile("afleverset.png", image_bytes("PNG"), content_type="image/png"),
    )
    survey = Survey.objects.get(dwelling=dwelling)
    survey.answers = {
        **survey.answers,
        **{key: {"value": value, "by": "surveyor"} for key, value in {**ONLINE, **OFFLINE}.items()},
    }
    survey.save()
    return photo


def open_section(page, name):
    if not page.locator(f"#section-{name}").evaluate("details => details.open"):
        page.click(f"#section-{name} > summary")


def wait_for_sync(page, state, timeout=20000):
    page.wait_for_selector(f"#sync-status[data-sync='{state}']", timeout=timeout)


# The rows of one store of the page's own IndexedDB: what the device holds.
STORED_ROWS = """async (store) => new Promise((resolve) => {
    const request = indexedDB.open("lastmetre-survey");
    request.onsuccess = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(store)) return resolve([]);
        const all = db.transaction(store).objectStore(store).getAll();
        all.onsuccess = () => {
            db.close();
            resolve(all.result);
        };
    };
})"""


def stored_rows(page, store):
    return page.evaluate(STORED_ROWS, store)


def stored_answers(page):
    return [row["value"] for row in stored_rows(page, "answers")]


# Is this page in the service worker's cache? Asked without creating the cache.
KEPT = """async () => {
    const names = await caches.keys();
    for (const name of names) {
        const keys = await (await caches.open(name)).keys();
        if (keys.some((request) => new URL(request.url).pathname === location.pathname)) return true;
    }
    return false;
}"""


def wait_until_kept(page):
    """Wait until the service worker's cache holds this page, so that it reloads without connection.
    (Polled from here: ``wait_for_function`` takes the promise of an async function for a true value.)"""
    wait_until(lambda: page.evaluate(KEPT), page, timeout=20)


def wait_until(condition, page, timeout=10):
    """Let the browser's events run until condition() holds: a dialog handler fills a list, say."""
    for _ in range(int(timeout * 10)):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError("the browser did not get there in time")


def answers_of(dwelling):
    return Survey.objects.get(dwelling=dwelling).answers


def test_a_survey_goes_on_offline_and_arrives_once(tablet, network, surveyor, planned, tmp_path):
    page = tablet.new_page()
    log_in(page, network, surveyor)

    # My day: one big tap into the survey.
    page.goto(f"{network.url}/surveys/my-day/")
    page.click(f"[data-survey-link='{planned.pk}']")
    page.wait_for_url(f"**/surveys/dwellings/{planned.pk}/")
    page.wait_for_selector("#survey[data-ready='1']")
    assert "Fam. Yilmaz" in page.locator("#survey-head").inner_text()
    wait_until_kept(page)  # the service worker keeps the page for a reload in the cellar

    # Online: the answers go up by themselves.
    page.fill("#f-kitchen_table-present-input", ONLINE["kitchen_table.present"])
    page.click("label[for='f-kitchen_table-intention-doubts']")
    page.click("label[for='f-kitchen_table-intention-by-resident']")
    open_section(page, "dwelling_scan")
    page.fill("#f-dwelling_scan-electrical_groups-input", "6")
    wait_for_sync(page, "sent")
    saved = answers_of(planned)
    assert saved["kitchen_table.present"]["value"] == ONLINE["kitchen_table.present"]
    assert saved["kitchen_table.intention"] == {"value": "doubts", "by": "resident"}
    assert saved["dwelling_scan.electrical_groups"] == {"value": 6, "by": "surveyor"}

    # The network drops: the form goes on, and says that it waits.
    network.off()
    page.fill("#f-dwelling_scan-meter_cupboard-input", OFFLINE["dwelling_scan.meter_cupboard"])
    open_section(page, "delivery_set")
    page.click("label[for='f-delivery_set-space_ok-yes']")
    page.click("label[for='f-kitchen_table-explained-what_and_when']")
    page.click("label[for='f-kitchen_table-explained-nuisance']")
    camera_photo = tmp_path / "afleverset.jpg"
    camera_photo.write_bytes(image_bytes("JPEG", (30, 90, 160)))
    page.set_input_files("#f-delivery_set-photos-camera", str(camera_photo))
    page.set_input_files(
        "#f-delivery_set-photos-gallery",
        files=[{"name": "route.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}],
    )
    page.wait_for_selector("#f-delivery_set-photos [data-thumbs] li.is-pending >> nth=1")
    open_section(page, "works")
    page.click("[data-works-confirm]")
    wait_for_sync(page, "waiting")
    assert int(page.get_attribute("#sync-status", "data-pending")) == 6  # 3 answers, the works, 2 photos
    assert "dwelling_scan.meter_cupboard" not in answers_of(planned)
    assert not Photo.objects.exists()

    # A reload without connection loses nothing: the page restores the draft from the device.
    page.reload()
    page.wait_for_selector("#survey[data-ready='1']")
    assert (
        page.input_value("#f-dwelling_scan-meter_cupboard-input") == OFFLINE["dwelling_scan.meter_cupboard"]
    )
    assert page.locator("#f-delivery_set-photos [data-thumbs] li").count() == 2
    wait_for_sync(page, "waiting")

    # The network is back: everything goes up, once.
    network.on()
    wait_for_sync(page, "sent")
    saved = answers_of(planned)
    for key, value in {**ONLINE, **OFFLINE}.items():
        assert saved[key]["value"] == value, key
    photos = list(Photo.objects.filter(survey__dwelling=planned))
    assert [photo.field for photo in photos] == ["delivery_set.photos", "delivery_set.photos"]
    assert len({photo.client_id for photo in photos}) == 2
    assert Survey.objects.get(dwelling=planned).works  # the confirmed proposal

    # A reload online shows the server's copy and sends nothing again.
    page.reload()
    page.wait_for_selector("#survey[data-ready='1']")
    wait_for_sync(page, "sent")
    assert page.locator("#f-delivery_set-photos [data-thumbs] li").count() == 2
    assert Photo.objects.filter(survey__dwelling=planned).count() == 2

    # Finish the visit: a double tap records one visit, and My day says it worked.
    page.click("a.step-finish")
    page.click("label[for='outcome-completed']")
    page.dblclick("#finish-submit")
    page.wait_for_url("**/surveys/my-day/")
    assert page.locator(".alert-success").count() == 1
    dwelling = Dwelling.objects.get(pk=planned.pk)
    assert dwelling.state == "surveyed"
    assert list(Visit.objects.filter(dwelling=planned).values_list("outcome", flat=True)) == ["completed"]


def test_completed_with_gaps_shows_what_is_missing_and_records_nothing(tablet, network, surveyor, planned):
    page = open_form(tablet, network, surveyor, planned)
    page.click("a.step-finish")
    page.click("label[for='outcome-completed']")
    page.click("#finish-submit")
    page.wait_for_selector("#finish-missing li")
    links = page.locator("#finish-missing a")
    assert links.count() >= 5
    # A link jumps to the field, opening its section.
    target = links.first.get_attribute("href")
    links.first.click()
    assert page.locator(f"{target}").is_visible()
    assert Dwelling.objects.get(pk=planned.pk).state == "survey_planned"
    assert not Visit.objects.exists()


# The two tablets of the issue, each held upright and sideways.
TABLETS = [
    TABLET,
    {"width": 1024, "height": 768},
    {"width": 1024, "height": 1366},
    {"width": 1366, "height": 1024},
]


@pytest.mark.parametrize("viewport", TABLETS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_no_sideways_scrolling_on_a_tablet(browser, live_server, surveyor, planned, viewport):
    context = browser.new_context(viewport=viewport, locale="nl-NL", has_touch=True)
    try:
        page = context.new_page()
        log_in(page, live_server, surveyor)
        for url in (f"/surveys/dwellings/{planned.pk}/", "/surveys/my-day/"):
            page.goto(live_server.url + url)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
        # Touch targets: every choice, toggle and button of the form is at least 44px high.
        page.goto(f"{live_server.url}/surveys/dwellings/{planned.pk}/")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        low = page.evaluate(
            """Array.from(document.querySelectorAll('#survey .btn, #survey .form-control, #survey select'))
                .filter(e => e.offsetParent && e.getBoundingClientRect().height < 43.5)
                .map(e => e.outerHTML.slice(0, 80))"""
        )
        assert low == []
    finally:
        context.close()


def test_logging_out_warns_about_unsent_changes_and_then_clears_the_device(
    tablet, network, surveyor, planned
):
    page = open_form(tablet, network, surveyor, planned)
    network.off()
    page.fill("#f-kitchen_table-present-input", "Alleen de bewoner")
    wait_for_sync(page, "waiting")
    # The badge shows at once; the device copy is written just after. Leave once it is there.
    wait_until(lambda: "Alleen de bewoner" in stored_answers(page), page)
    page.goto("about:blank")  # leave the form before the network is back: the change stays unsent
    network.on()
    page.goto(f"{network.url}/projects/")
    choice = {"accept": False, "messages": []}

    def answer(dialog):
        choice["messages"].append(dialog.message)
        dialog.accept() if choice["accept"] else dialog.dismiss()

    page.on("dialog", answer)
    page.click(".navbar-toggler")  # the menu folds away on a portrait tablet
    page.wait_for_selector("#mainnav.show")  # unfolded: a tap during the animation could miss
    page.click("form[data-logout] button")
    wait_until(lambda: choice["messages"], page)
    page.wait_for_timeout(300)  # a second dialog would come now
    assert len(choice["messages"]) == 1
    assert "1" in choice["messages"][0]
    assert page.url.endswith("/projects/")  # cancelled: still logged in, the change still on the device
    assert "Alleen de bewoner" in stored_answers(page)
    # Confirmed: logged out, and the draft and the cached pages are gone from the device.
    choice["accept"] = True
    page.click("form[data-logout] button")
    page.wait_for_url(lambda url: "/projects/" not in url)
    names = page.evaluate("async () => (await indexedDB.databases()).map((db) => db.name)")
    assert "lastmetre-survey" not in names
    assert page.evaluate("async () => (await caches.keys()).filter((k) => k.startsWith('lastmetre'))") == []


def test_a_wrong_photo_removed_offline_is_removed_once_when_back_online(tablet, network, surveyor, planned):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from surveys.services import photo_add

    def upload(colour):
        return SimpleUploadedFile("foto.png", image_bytes("PNG", colour), content_type="image/png")

    wrong, kept = (
        photo_add(actor=surveyor, dwelling_id=planned.pk, field="delivery_set.photos", upload=upload(colour))
        for colour in ((200, 30, 30), (30, 200, 30))
    )
    scan = photo_add(
        actor=surveyor, dwelling_id=planned.pk, field="dwelling_scan.scan_photos", upload=upload((0, 0, 0))
    )
    version = Survey.objects.get(dwelling=planned).version
    thumbs = "#f-delivery_set-photos [data-thumbs] li"

    def thumb(photo):
        return page.locator(f"{thumbs}[data-client-id='{photo.client_id}']")

    page = tablet.new_page()
    deletions = []
    page.on("request", lambda request: request.method == "DELETE" and deletions.append(request.url))
    log_in(page, network, surveyor)
    page.goto(f"{network.url}/surveys/dwellings/{planned.pk}/")
    page.wait_for_selector("#survey[data-ready='1']")
    # The service worker keeps the page for a reload without connection.
    wait_until_kept(page)
    open_section(page, "delivery_set")
    assert page.locator(f"{thumbs}:visible").count() == 2

    network.off()
    # A stray tap removes nothing: the button asks, and after a few seconds it is itself again.
    button = thumb(kept).locator("[data-photo-remove]")
    assert button.bounding_box()["height"] >= 44
    label = button.inner_text()
    button.tap()
    assert button.inner_text() == button.get_attribute("data-confirm-text") != label
    page.wait_for_function(
        "([selector, label]) => document.querySelector(selector).textContent === label",
        arg=[f"li[data-client-id='{kept.client_id}'] [data-photo-remove]", label],
        timeout=8000,
    )
    assert thumb(kept).is_visible()

    # Two taps: the wrong photo leaves the form at once, and its removal waits for the connection.
    thumb(wrong).locator("[data-photo-remove]").tap()
    thumb(wrong).locator("[data-photo-remove]").tap()
    thumb(wrong).wait_for(state="hidden")
    wait_for_sync(page, "waiting")
    assert page.get_attribute("#sync-status", "data-pending") == "1"

    # A photo taken offline and removed before it was ever sent is simply dropped from the device.
    page.set_input_files(
        "#f-delivery_set-photos-gallery",
        files=[{"name": "dubbel.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (9, 9, 9))}],
    )
    page.wait_for_selector(f"{thumbs}.is-pending")
    assert page.get_attribute("#sync-status", "data-pending") == "2"
    page.locator(f"{thumbs}.is-pending [data-photo-remove]").tap()
    page.locator(f"{thumbs}.is-pending [data-photo-remove]").tap()
    page.wait_for_selector(f"{thumbs}.is-pending", state="detached")
    page.wait_for_selector("#sync-status[data-pending='1']")
    assert Photo.objects.filter(pk=wrong.pk).exists()

    # A reload without connection: the removal still waits, the photo stays out of the form.
    page.reload()
    page.wait_for_selector("#survey[data-ready='1']")
    open_section(page, "delivery_set")
    wait_for_sync(page, "waiting")
    assert page.get_attribute("#sync-status", "data-pending") == "1"
    assert thumb(wrong).is_hidden()
    assert page.locator(f"{thumbs}:visible").count() == 1
    assert deletions == []

    # Back online: the photo goes from the server exactly once, the others stay.
    network.on()
    wait_for_sync(page, "sent")
    assert thumb(wrong).count() == 0
    assert not Photo.objects.filter(pk=wrong.pk).exists()
    assert not wrong.image.storage.exists(wrong.image.name)
    assert set(Photo.objects.filter(survey__dwelling=planned).values_list("pk", flat=True)) == {
        kept.pk,
        scan.pk,
    }
    assert Survey.objects.get(dwelling=planned).version == version + 1
    assert deletions == [f"{network.url}/api/v1/surveys/{planned.pk}/photos/{wrong.client_id}/"]

    # A reload online shows the server's record and has nothing left to send.
    page.reload()
    page.wait_for_selector("#survey[data-ready='1']")
    wait_for_sync(page, "sent")
    assert page.get_attribute("#sync-status", "data-pending") == "0"
    assert page.locator(thumbs).count() == 1
    assert stored_rows(page, "removals") == []


def test_a_visit_finished_offline_is_recorded_once_from_my_day(tablet, network, surveyor, planned):
    """The acceptance walk's cellar: the network goes, the survey is finished anyway, the surveyor
    walks on to My day, and once there is a connection the visit is recorded, once, at the time it
    ended on the tablet."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from surveys.services import photo_add

    photo_add(
        actor=surveyor,
        dwelling_id=planned.pk,
        field="delivery_set.photos",
        upload=SimpleUploadedFile("afleverset.png", image_bytes("PNG"), content_type="image/png"),
    )
    page = tablet.new_page()
    log_in(page, network, surveyor)

    # Online, My day keeps the day's survey pages for the service worker.
    page.goto(f"{network.url}/surveys/my-day/")
    page.wait_for_selector("body[data-survey-pages-kept='1']")
    network.off()

    # The survey of a home never opened online opens in the cellar.
    page.click(f"[data-survey-link='{planned.pk}']")
    page.wait_for_selector("#survey[data-ready='1']")
    page.fill("#f-kitchen_table-present-input", ONLINE["kitchen_table.present"])
    page.click("label[for='f-kitchen_table-intention-doubts']")
    open_section(page, "dwelling_scan")
    page.fill("#f-dwelling_scan-electrical_groups-input", "6")
    page.fill("#f-dwelling_scan-meter_cupboard-input", OFFLINE["dwelling_scan.meter_cupboard"])
    open_section(page, "delivery_set")
    page.click("label[for='f-delivery_set-space_ok-yes']")
    page.click("label[for='f-kitchen_table-explained-what_and_when']")
    open_section(page, "works")
    page.click("[data-works-confirm]")

    # Finished without a connection: the tablet keeps the visit, a double tap keeps it once.
    page.click("a.step-finish")
    page.click("label[for='outcome-completed']")
    page.fill("#id_note", "Meterkast krap, bewoner tevreden")
    page.dblclick("#finish-submit")
    page.wait_for_selector("#finish-queued:visible")
    assert page.locator("#finish-errors").is_hidden()
    wait_for_sync(page, "waiting")
    assert page.get_attribute("#sync-status", "data-pending") == "8"  # 6 answers, the works, the visit
    assert [row["outcome"] for row in stored_rows(page, "visits")] == ["completed"]
    finished_on_tablet = timezone.now()

    # On to My day, still without a connection: the visit's card says it waits.
    page.click("#finish-queued a")
    page.wait_for_selector("body[data-outbox-ready='1']")
    card = page.locator(f"[data-visit='{planned.pk}'] [data-outbox-state]")
    assert card.get_attribute("data-sync") == "waiting"
    assert page.locator("#outbox").is_visible()
    assert not Visit.objects.exists()
    assert answers_of(planned).get("dwelling_scan.meter_cupboard") is None

    # The connection is back: everything goes up, the visit last and once, and the day reloads.
    page.wait_for_timeout(1000)
    network.on()
    page.wait_for_selector(f"[data-visit='{planned.pk}']", state="detached", timeout=20000)
    assert page.locator(".alert-success").count() == 1
    visit = Visit.objects.get(dwelling=planned)
    assert visit.outcome == "completed"
    assert visit.note == "Meterkast krap, bewoner tevreden"
    assert visit.finished_at <= finished_on_tablet  # when it ended on the tablet, not when it arrived
    dwelling = Dwelling.objects.get(pk=planned.pk)
    assert dwelling.state == "surveyed"
    assert dwelling.visit_count == 1
    saved = answers_of(planned)
    assert saved["dwelling_scan.meter_cupboard"]["value"] == OFFLINE["dwelling_scan.meter_cupboard"]
    assert saved["kitchen_table.intention"]["value"] == "doubts"
    # Nothing of the home is left on the tablet.
    page.wait_for_selector("body[data-outbox-ready='1']")
    assert stored_rows(page, "visits") == []
    assert stored_rows(page, "answers") == []
    assert page.locator("#outbox").is_hidden()


def test_finishing_offline_with_gaps_lists_them_and_keeps_no_visit(tablet, network, surveyor, planned):
    page = open_form(tablet, network, surveyor, planned)
    network.off()
    page.click("a.step-finish")
    page.click("#finish-submit")  # no outcome chosen
    assert page.locator("[data-finish-error='outcome']").inner_text() != ""
    page.click("label[for='outcome-completed']")
    page.click("#finish-submit")
    page.wait_for_selector("#finish-missing li")
    # The page names the same gaps as the server would: the questions left open for this visit.
    listed = page.locator("#finish-missing a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert "#f-dwelling_scan-meter_cupboard" in listed
    assert "#f-delivery_set-photos" in listed
    assert page.locator("#finish-queued").is_hidden()
    assert stored_rows(page, "visits") == []
    network.on()
    assert not Visit.objects.exists()


def test_a_visit_the_server_refuses_later_says_why_and_is_not_lost(tablet, network, surveyor, planned):
    """Finished offline as complete, but meanwhile the photo of the delivery set went from the server:
    the visit is not recorded, My day says why, and logging out warns before it is thrown away."""
    photo = ready_to_finish(planned, surveyor)
    page = tablet.new_page()
    log_in(page, network, surveyor)
    page.goto(f"{network.url}/surveys/my-day/")
    page.wait_for_selector("body[data-survey-pages-kept='1']")
    page.click(f"[data-survey-link='{planned.pk}']")
    page.wait_for_selector("#survey[data-ready='1']")
    network.off()
    open_section(page, "works")
    page.click("[data-works-confirm]")
    page.click("a.step-finish")
    page.click("label[for='outcome-completed']")
    page.fill("#id_note", "Alles gezien, bewoner tekent later")
    page.click("#finish-submit")
    page.wait_for_selector("#finish-queued:visible")
    photo.delete()  # meanwhile, on the server
    page.click("#finish-queued a")
    page.wait_for_selector("body[data-outbox-ready='1']")

    network.on()
    card = page.locator(f"[data-visit='{planned.pk}'] [data-outbox-state][data-sync='error']")
    card.wait_for(timeout=20000)
    assert "niet vastgelegd" in card.inner_text()
    assert not Visit.objects.exists()
    assert Dwelling.objects.get(pk=planned.pk).state == "survey_planned"
    [visit] = stored_rows(page, "visits")
    assert visit["note"] == "Alles gezien, bewoner tekent later" and visit["error"]

    # The survey page shows what is missing, with the outcome and note as they were.
    page.click(f"[data-survey-link='{planned.pk}']")
    page.wait_for_selector("#survey[data-ready='1']")
    page.wait_for_selector("#finish-missing a[href='#f-delivery_set-photos']")
    assert page.input_value("#id_note") == "Alles gezien, bewoner tekent later"

    # Logging out now would lose the visit: the tablet asks first.
    messages = []
    page.on("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.click(".navbar-toggler")
    page.wait_for_selector("#mainnav.show")
    page.click("form[data-logout] button")
    wait_until(lambda: messages, page)
    assert page.url.endswith(f"/surveys/dwellings/{planned.pk}/")


def test_the_place_of_the_boiler_is_asked_only_of_a_home_with_a_boiler(tablet, network, surveyor, planned):
    page = open_form(tablet, network, surveyor, planned)
    open_section(page, "dwelling_scan")
    place = page.locator("#f-dwelling_scan-boiler_place")
    assert place.is_visible()  # the survey of the fixture has a boiler
    page.click("label[for='f-dwelling_scan-boiler_type-collective']")
    place.wait_for(state="hidden")
    wait_for_sync(page, "sent")
    page.click("label[for='f-dwelling_scan-boiler_type-combi_boiler']")
    place.wait_for(state="visible")


class Hold:
    """Requests to one address wait until the test lets them go; from then on they pass."""

    def __init__(self, page, pattern):
        self.waiting = []
        self.passing = False
        page.route(pattern, lambda route: route.continue_() if self.passing else self.waiting.append(route))

    def release(self):
        self.passing = True
        while self.waiting:
            self.waiting.pop(0).continue_()


@pytest.fixture
def held(browser):
    """A tablet whose requests the test can hold on their way and let go when it wants (no service
    worker, which would take the page's requests out of Playwright's hands)."""
    context = browser.new_context(viewport=TABLET, locale="nl-NL", has_touch=True, service_workers="block")
    yield context
    context.close()


def test_a_value_corrected_while_the_wrong_one_is_on_its_way_is_sent(held, live_server, surveyor, planned):
    page = held.new_page()
    log_in(page, live_server, surveyor)
    answers = Hold(page, "**/api/v1/surveys/*/answers/")
    page.goto(f"{live_server.url}/surveys/dwellings/{planned.pk}/")
    page.wait_for_selector("#survey[data-ready='1']")
    open_section(page, "dwelling_scan")
    page.fill("#f-dwelling_scan-electrical_groups-input", "-5")
    wait_until(lambda: answers.waiting, page)
    # The surveyor sees the typo and puts it right while the first value is still on its way.
    page.fill("#f-dwelling_scan-electrical_groups-input", "5")
    answers.release()  # the server refuses -5; then 5 goes
    wait_for_sync(page, "sent")
    assert answers_of(planned)["dwelling_scan.electrical_groups"]["value"] == 5
    assert page.locator("#f-dwelling_scan-electrical_groups [data-error]").inner_text() == ""


def test_a_correction_made_while_the_visit_is_on_its_way_is_not_lost(held, live_server, surveyor, planned):
    ready_to_finish(planned, surveyor)
    page = open_form(held, live_server, surveyor, planned)
    open_section(page, "works")
    page.click("[data-works-confirm]")
    wait_for_sync(page, "sent")
    visits = Hold(page, "**/api/v1/surveys/*/visits/")
    page.click("a.step-finish")
    page.click("label[for='outcome-completed']")
    page.click("#finish-submit")
    wait_until(lambda: visits.waiting, page)
    # While the visit is on its way, the surveyor corrects the meter cupboard.
    open_section(page, "dwelling_scan")
    page.fill("#f-dwelling_scan-meter_cupboard-input", "Gang, naast de voordeur")
    wait_until(lambda: stored_answers(page).count("Gang, naast de voordeur") == 1, page)
    visits.release()
    page.wait_for_url("**/surveys/my-day/")
    # The correction stayed on the tablet and went up from My day, to the surveyed home.
    wait_until(
        lambda: answers_of(planned)["dwelling_scan.meter_cupboard"]["value"] == "Gang, naast de voordeur",
        page,
    )
    assert Dwelling.objects.get(pk=planned.pk).state == "surveyed"
    assert Visit.objects.filter(dwelling=planned).count() == 1
    # Kept on the tablet as sent (a survey page kept from before would otherwise show the old value).
    wait_until(lambda: all(row["sentRev"] == row["rev"] for row in stored_rows(page, "answers")), page)


def test_a_visit_is_not_finished_over_an_answer_the_server_refused(tablet, network, surveyor, planned):
    page = open_form(tablet, network, surveyor, planned)
    open_section(page, "dwelling_scan")
    page.fill("#f-dwelling_scan-boiler_age-input", "-3")
    page.wait_for_selector("#f-dwelling_scan-boiler_age [data-error]:not(:empty)")
    wait_for_sync(page, "error")
    page.click("a.step-finish")
    page.click("label[for='outcome-not_home']")
    page.click("#finish-submit")
    assert "niet geaccepteerd" in page.locator("#finish-message").inner_text()
    assert stored_rows(page, "visits") == []
    assert not Visit.objects.exists()
    # Put right, the visit goes.
    page.fill("#f-dwelling_scan-boiler_age-input", "3")
    wait_for_sync(page, "sent")
    page.click("#finish-submit")
    page.wait_for_url("**/surveys/my-day/")
    assert Visit.objects.get(dwelling=planned).outcome == "not_home"


def test_on_a_signal_too_weak_to_answer_the_kept_survey_page_opens(tablet, network, surveyor, planned):
    page = open_form(tablet, network, surveyor, planned)
    wait_until_kept(page)
    page.fill("#f-kitchen_table-present-input", "Bewoner")
    wait_for_sync(page, "sent")
    network.stall()
    page.reload(wait_until="domcontentloaded", timeout=15000)
    page.wait_for_selector("#survey[data-ready='1']", timeout=15000)
    assert page.input_value("#f-kitchen_table-present-input") == "Bewoner"
    network.on()
