"""The resident portal on a phone (360x740), as the issue asks: WCAG 2.1 AA by axe-core on every page a
resident can reach, nothing loaded from another website, and the keyboard alone gets everywhere: the
skip link first, then the page's controls in the order they stand, and a visit booked with the keys.

axe-core is vendored under tests/browser/vendor/axe-core/ (a test tool, never served); it is injected
into each page after it loaded. The checks read ids, attributes and roles, never the wording.
"""

import datetime
import email
import email.policy
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from communication.models import CommunicationSettings
from portal import tokens
from portal.models import Meeting, MeetingKind, MeetingReply, PortalLink, Question, Reply, SoundingBoardMember
from portal.services.installation import installation_book
from projects.models import Dwelling, DwellingTransition
from projects.residents import Resident
from surveys.models import Survey, SurveySlot
from tests.portal import conftest as portal

pytestmark = pytest.mark.django_db(transaction=True)

portal_world, smtp, sms_dir = portal.portal_world, portal.smtp, portal.sms_dir

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
  }));
}"""

# Marks the elements that Tab should stop at, in document order (one stop per radio group: the checked
# radio, else the first), and returns how many. Hidden elements and disabled controls are no stops. A
# radio group is the radios of one name in one form: two forms with radios of the same name (an answer
# per meeting) are two groups, two stops.
MARK_TAB_STOPS = """() => {
  const selector = 'a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled]), '
    + 'select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
  const shown = (el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.display !== "none" && style.visibility !== "hidden" && box.width > 0 && box.height > 0;
  };
  const all = [...document.querySelectorAll(selector)].filter(shown);
  const stops = [];
  const groups = new Map();  // per form (null: outside any form), the radio names met so far
  for (const el of all) {
    if (el.type === "radio" && el.name) {
      const names = groups.get(el.form) || new Set();
      groups.set(el.form, names);
      if (names.has(el.name)) continue;
      names.add(el.name);
      const group = all.filter(
        (other) => other.type === "radio" && other.name === el.name && other.form === el.form);
      stops.push(group.find((radio) => radio.checked) || group[0]);
    } else {
      stops.push(el);
    }
  }
  stops.forEach((el, index) => el.setAttribute("data-tab-stop", String(index)));
  return stops.length;
}"""

POSITIVE_TABINDEX = """() => [...document.querySelectorAll("[tabindex]")]
  .filter((el) => el.tabIndex > 0).map((el) => el.outerHTML.slice(0, 120))"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  return {stop: el.getAttribute("data-tab-stop"), id: el.id, tag: el.tagName.toLowerCase(),
          type: el.getAttribute("type"), name: el.getAttribute("name"), value: el.getAttribute("value"),
          skip: el.matches('a.skip[href="#main"]'), inMain: !!el.closest("main"),
          box: (({left, top, right, bottom}) => ({left, top, right, bottom}))(el.getBoundingClientRect())};
}"""


# The focused element's outline (WCAG 2.4.7, and 1.4.11: at least 3:1 against what lies behind it,
# the nearest ancestor's background, as the outline is drawn around the element).
FOCUS_RING = """() => {
  const el = document.activeElement;
  const rgb = (color) => color.match(/[\\d.]+/g).map(Number);
  const luminance = (color) => {
    const [r, g, b] = rgb(color).slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let behind = "rgb(255, 255, 255)";
  for (let node = el.parentElement; node; node = node.parentElement) {
    const color = getComputedStyle(node).backgroundColor;
    const parts = rgb(color);
    if (parts.length < 4 || parts[3] > 0) { behind = color; break; }
  }
  const style = getComputedStyle(el);
  const [light, dark] = [luminance(style.outlineColor), luminance(behind)].sort((a, b) => b - a);
  return {style: style.outlineStyle, width: parseFloat(style.outlineWidth), color: style.outlineColor,
          behind, ratio: (light + 0.05) / (dark + 0.05)};
}"""


class Phone:
    """One resident's phone: a browser context at 360x740 in Dutch, which remembers every request."""

    def __init__(self, browser, live_server):
        self.context = browser.new_context(viewport=PHONE, locale="nl-NL", has_touch=True)
        self.page = self.context.new_page()
        self.origin = live_server.url
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))

    def open(self, path: str, status: int = 200):
        response = self.page.goto(self.origin + path)
        assert response is not None and response.status == status, (path, response and response.status)
        return self.page

    def check(self, label: str) -> None:
        """The page as loaded now: axe-core finds nothing, nothing came from elsewhere, it is Dutch,
        it fits the phone's width, and Tab walks it from the skip link in document order."""
        page = self.page
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.lang") == "nl", label
        self.only_own_origin(label)
        self.tab_order(label)
        self.axe(label)
        # Every field marked invalid (or its group) points at the words that say why (WCAG 3.3.1).
        unexplained = page.evaluate(
            """() => [...document.querySelectorAll('[aria-invalid="true"]')].filter((el) => {
                 const holder = el.hasAttribute("aria-describedby")
                   ? el : el.closest("fieldset[aria-describedby]");
                 const ids = holder ? holder.getAttribute("aria-describedby").split(/\\s+/) : [];
                 return !ids.length || ids.some((id) => !document.getElementById(id));
               }).map((el) => el.outerHTML.slice(0, 120))"""
        )
        assert unexplained == [], f"{label}: invalid fields without their error: {unexplained}"
        # Reflow (WCAG 1.4.10): no sideways scrolling at 360 px.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{label}: the page is {width}px wide on a {PHONE['width']}px phone"

    def only_own_origin(self, label: str) -> None:
        own = urlsplit(self.origin)
        foreign = [
            url
            for url in self.requests
            if (urlsplit(url).scheme, urlsplit(url).netloc) != (own.scheme, own.netloc)
        ]
        assert self.requests and not foreign, f"{label}: requests to other origins: {foreign}"

    def axe(self, label: str) -> None:
        page = self.page
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(RUN_AXE, WCAG_21_AA)
        report = "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']}\n"
            + "\n".join(f"    {n['target']}: {n['html'][:160]}\n      {n['summary']}" for n in v["nodes"])
            for v in violations
        )
        assert not violations, f"{label}: axe-core found WCAG 2.1 AA violations:\n{report}"

    def from_error_summary(self, label: str) -> None:
        """A page with errors opens with the focus on their summary (visibly), and Tab goes on from
        there to its first link; then the walk starts again from the top of the page."""
        page = self.page
        ring = page.evaluate(FOCUS_RING)
        assert ring["style"] != "none" and ring["width"] >= 2 and ring["ratio"] >= 3, (
            f"{label}: the focus on the error summary is hard to see: {ring}"
        )
        page.keyboard.press("Tab")
        first_link = page.evaluate(
            "document.querySelector('#error-summary a[data-tab-stop]').getAttribute('data-tab-stop')"
        )
        assert (page.evaluate(FOCUSED) or {}).get("stop") == first_link, label
        # As a fresh page: the starting point of Tab before the skip link.
        page.evaluate(
            """() => { const start = document.createElement("span"); start.tabIndex = -1;
                      document.body.prepend(start); start.focus(); }"""
        )

    def tab_order(self, label: str) -> None:
        """From the top of a freshly loaded page: the skip link first (shown when focused), then every
        control in document order; the skip link moves the focus to the main content."""
        page = self.page
        assert page.evaluate(POSITIVE_TABINDEX) == [], f"{label}: a positive tabindex breaks the order"
        stops = page.evaluate(MARK_TAB_STOPS)
        assert stops >= 2, label
        if page.evaluate("document.activeElement.id") == "error-summary":
            self.from_error_summary(label)
        walked = []
        for _ in range(stops):
            page.keyboard.press("Tab")
            walked.append(page.evaluate(FOCUSED))
            ring = page.evaluate(FOCUS_RING)
            assert ring["style"] != "none" and ring["width"] >= 2 and ring["ratio"] >= 3, (
                f"{label}: the focus on {walked[-1]} is hard to see: {ring}"
            )
        first = walked[0]
        assert first and first["skip"], f"{label}: Tab first reaches {first}, not the skip link"
        box = first["box"]
        assert box["left"] >= 0 and box["top"] >= 0 and box["right"] <= PHONE["width"], (
            f"{label}: the focused skip link is not on the screen: {box}"
        )
        order = [focused and focused["stop"] for focused in walked]
        assert order == [str(index) for index in range(stops)], (
            f"{label}: Tab went {order}, the document order is 0..{stops - 1}: {walked}"
        )
        # The skip link leads into the main content: the next Tab is the first control after it.
        page.locator("a.skip").focus()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main", label
        after_main = page.evaluate(
            """() => [...document.querySelectorAll("[data-tab-stop]")].find((el) =>
                 document.getElementById("main").compareDocumentPosition(el)
                 & (Node.DOCUMENT_POSITION_CONTAINED_BY | Node.DOCUMENT_POSITION_FOLLOWING)
               ).getAttribute("data-tab-stop")"""
        )
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUSED)["stop"] == after_main, label

    def close(self):
        self.context.close()


@pytest.fixture
def phone(browser, live_server):
    phone = Phone(browser, live_server)
    yield phone
    phone.close()


@pytest.fixture
def world(portal_world):
    """The portal's world with a contact point that has a phone and an e-mail (links in the footer),
    and some history: a question with an answer, a move of the home."""
    world = portal_world
    CommunicationSettings.objects.update_or_create(
        project=world["project"],
        defaults={
            "contact_name": "Bewonersloket",
            "contact_phone": "020 123 4567",
            "contact_email": "loket@example.test",
        },
    )
    question = Question.objects.create(
        project=world["project"],
        dwelling=world["home"],
        contact=world["owner"],
        text="Moet ik thuis zijn?",
        addressed_to=world["lead"].organisation,
        status="answered",
        client_id="00000000-0000-4000-8000-000000000001",
    )
    Reply.objects.create(
        question=question, author=world["lead"], organisation=world["lead"].organisation, text="Ja, graag."
    )
    DwellingTransition.objects.create(
        dwelling=world["home"],
        transition="inform",
        source="registered",
        target="informed",
        actor=world["lead"],
    )
    return world


def url(name: str, world) -> str:
    return reverse(f"portal:{name}", args=[tokens.written(world["code"])])


def move_to(world, state: str) -> None:
    values = {"state": state}
    if state == "survey_planned":
        slot = SurveySlot.objects.filter(dwelling__isnull=True, published=True).order_by("starts_at").last()
        SurveySlot.objects.filter(pk=slot.pk).update(dwelling=world["home"])
        values.update(survey_appointment_at=slot.starts_at, surveyor=world["surveyor"])
    Dwelling.objects.filter(pk=world["home"].pk).update(**values)


def meetings_to_come(world, *, member: bool) -> None:
    """An information evening (answered: coming with two) and a sounding-board meeting to come, and two
    sounding-board meetings held, with notes; the owner a member of the sounding board, or not."""
    project = world["project"]

    def evening_in(days):
        at = timezone.localtime() + datetime.timedelta(days=days)
        return at.replace(hour=19, minute=30, second=0, microsecond=0)

    evening = Meeting.objects.create(
        project=project,
        kind=MeetingKind.INFORMATION_EVENING,
        title="Informatieavond warmtenet",
        starts_at=evening_in(10),
        place="Buurthuis De Kastanje",
        description="Koffie staat klaar.",
    )
    Meeting.objects.create(
        project=project,
        kind=MeetingKind.SOUNDING_BOARD,
        title="Klankbordgroep: de route door de straat",
        starts_at=evening_in(20),
        place="Buurthuis De Kastanje",
    )
    for days, notes in ((-14, "Besproken: de route.\nVolgende keer: de planning."), (-42, "Kennismaking.")):
        Meeting.objects.create(
            project=project,
            kind=MeetingKind.SOUNDING_BOARD,
            title="Klankbordgroep",
            starts_at=evening_in(days),
            place="Buurthuis De Kastanje",
            notes=notes,
        )
    MeetingReply.objects.create(meeting=evening, contact=world["owner"], coming=True, people=2)
    if member:
        SoundingBoardMember.objects.create(project=project, contact=world["owner"])


def offered_days(world, count: int = 7) -> list:
    """The home assigned in an accepted package whose installer offers ``count`` days (two weeks)."""
    return portal.offer_installation_days(world, {world["home"]: count})[world["home"]]


def tampered(world) -> str:
    code = tokens.written(world["code"])
    return code[:-1] + ("A" if code[-1] != "A" else "B")


# Each page a resident can reach, opened in the state that shows it (PAGES below names them).


def home_informed(phone, world):
    phone.open(url("home", world))
    assert phone.page.locator('[data-state="informed"] #choose-visit').count() == 1


def home_survey_planned(phone, world):
    move_to(world, "survey_planned")
    phone.open(url("home", world))
    assert phone.page.locator('[data-state="survey_planned"] #appointment').count() == 1


def home_plan_ready(phone, world):
    move_to(world, "plan_ready")
    phone.open(url("home", world))
    assert phone.page.locator('[data-state="plan_ready"] #plan-link').count() == 1


def home_connected(phone, world):
    move_to(world, "connected")
    phone.open(url("home", world))
    assert phone.page.locator('[data-state="connected"] #aftercare-link').count() == 1


def home_assigned(phone, world):
    offered_days(world)
    phone.open(url("home", world))
    assert phone.page.locator('[data-state="assigned"] #choose-installation').count() == 1


def home_installation_planned(phone, world):
    days = offered_days(world)
    installation_book(resident=Resident(world["owner"]), day_id=days[0].pk, seen="none")
    phone.open(url("home", world))
    assert phone.page.locator('[data-state="installation_planned"] #change-installation').count() == 1


def visit_open_times(phone, world):
    phone.open(url("visit", world))
    assert phone.page.locator('#visit-form input[type="radio"][name="slot"]').count() >= 2


def visit_planned(phone, world):
    move_to(world, "survey_planned")
    phone.open(url("visit", world))
    assert phone.page.locator("#cancel-form").count() == 1 and phone.page.locator("#visit-form").count() == 1


def questions_with_an_error(phone, world):
    page = phone.open(url("questions", world))
    with page.expect_navigation():
        page.locator('#question-form button[type="submit"]').click()
    assert page.locator('#id_text[aria-invalid="true"][aria-describedby="text-error"]').count() == 1
    assert page.locator("#text-error").count() == 1
    # The summary of what went wrong has the focus as the page opens (a screen reader reads it first),
    # with a link to the field.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator('#error-summary a[href="#id_text"]').count() == 1


def preferences_with_an_error(phone, world):
    page = phone.open(url("preferences", world))
    page.locator('input[name="channel"][value="email"]').check()
    page.locator('input[name="email_opt_out"]').check()
    with page.expect_navigation():
        page.locator('#preferences-form button[type="submit"]').click()
    # The box stays as the resident ticked it, marked, next to why it cannot be; the summary's link
    # leads to it.
    assert page.locator('input[name="email_opt_out"][aria-invalid="true"]').is_checked()
    assert page.locator('#error-summary a[href="#id_email_opt_out"]').count() == 1
    assert page.locator("#id_email_opt_out").count() == 1
    assert page.locator('input[name="channel"][value="email"]').is_checked()


def plan_page(phone, world):
    move_to(world, "plan_ready")
    phone.open(url("plan", world))
    assert phone.page.locator("#works-title").count() == 1


def aftercare_connected(phone, world):
    move_to(world, "connected")
    phone.open(url("aftercare", world))
    assert phone.page.locator("#aftercare-form").count() == 1


def aftercare_with_an_error(phone, world):
    move_to(world, "connected")
    page = phone.open(url("aftercare", world))
    with page.expect_navigation():
        page.locator('#aftercare-form button[type="submit"]').click()
    assert page.locator(".error").count() >= 1


def meetings_for_a_member(phone, world):
    meetings_to_come(world, member=True)
    page = phone.open(url("meetings", world))
    # An answer form per meeting to come, each with its own radios of the same names.
    assert page.locator('form[id^="reply-form-"]').count() == 2
    assert page.locator('form[id^="reply-form-"] input[type="radio"][name="coming"]').count() == 4
    assert page.locator("[data-notes]").count() == 2


def meetings_not_a_member(phone, world):
    meetings_to_come(world, member=False)
    page = phone.open(url("meetings", world))
    assert page.locator('form[id^="reply-form-"]').count() == 1
    assert page.locator('#sounding-board[data-member="0"] #sounding-board-form').count() == 1


def installation_to_choose(phone, world):
    offered_days(world)
    page = phone.open(url("installation", world))
    assert page.locator('#installation-form input[type="radio"][name="day"]').count() == 7
    assert page.locator("#installation-form fieldset").count() == 2  # a group of days per week


def installation_chosen(phone, world):
    days = offered_days(world)
    installation_book(resident=Resident(world["owner"]), day_id=days[0].pk, seen="none")
    page = phone.open(url("installation", world))
    assert page.locator("#installation-day").count() == 1
    assert page.locator("#installation-calendar").count() == 1
    assert page.locator('#installation-form input[type="radio"][name="day"]').count() == 6


def accessibility_statement(phone, world):
    phone.open(reverse("portal:accessibility"))


def not_found(phone, world):
    phone.open(f"/r/{tampered(world)}/", status=404)
    assert phone.page.locator("#renew-form").count() == 0


def expired(phone, world):
    PortalLink.objects.filter(contact=world["owner"]).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    phone.open(url("home", world), status=404)
    assert phone.page.locator("#renew-form").count() == 1


def renewed(phone, world):
    expired(phone, world)
    with phone.page.expect_navigation():
        phone.page.locator('#renew-form button[type="submit"]').click()
    assert phone.page.locator("#renewed").count() == 1


def type_your_code(phone, world):
    phone.open(reverse("portal:open"))
    assert phone.page.locator("#open-form #id_code").count() == 1


def type_a_wrong_code(phone, world):
    phone.open(reverse("portal:open") + "?code=nonsense", status=400)
    assert phone.page.locator('#id_code[aria-invalid="true"][aria-describedby="code-error"]').count() == 1


def too_many_tries(phone, world, settings):
    settings.PORTAL_GUESS_RATE = "1/h"
    for _ in range(2):  # past the limit
        phone.open(f"/r/{tampered(world)}/", status=404)
    phone.open(url("home", world), status=429)


PAGES = {
    "home informed": home_informed,
    "home survey_planned": home_survey_planned,
    "home plan_ready": home_plan_ready,
    "home connected": home_connected,
    "home assigned, days on offer": home_assigned,
    "home installation_planned": home_installation_planned,
    "visit with open times": visit_open_times,
    "visit planned": visit_planned,
    "questions with an error": questions_with_an_error,
    "preferences with an error": preferences_with_an_error,
    "plan": plan_page,
    "aftercare": aftercare_connected,
    "aftercare with an error": aftercare_with_an_error,
    "meetings, a member of the sounding board": meetings_for_a_member,
    "meetings, not a member": meetings_not_a_member,
    "installation, days to choose": installation_to_choose,
    "installation, a day chosen": installation_chosen,
    "accessibility statement": accessibility_statement,
    "not found (tampered link)": not_found,
    "expired link": expired,
    "new link sent": renewed,
    "type your code": type_your_code,
    "type your code, wrong": type_a_wrong_code,
    "too many tries": too_many_tries,
}


@pytest.fixture
def _clean_rate_limits():
    cache.clear()
    yield
    cache.clear()  # the live server shares this process's cache: no limit lingers for the next test


@pytest.mark.usefixtures("_clean_rate_limits")
@pytest.mark.parametrize("label", list(PAGES))
def test_every_portal_page_is_accessible_on_a_phone(phone, world, settings, label):
    show = PAGES[label]
    if show is too_many_tries:
        show(phone, world, settings)
    else:
        show(phone, world)
    phone.check(label)


def test_the_agreement_pages_are_accessible_on_a_phone(phone, world):
    """The agreement to read, after asking for a code, with a wrong code, and accepted."""
    try:
        path = url("agreement", world)
    except NoReverseMatch:
        pytest.skip("portal:agreement does not exist yet (the agreement page is being built)")
    move_to(world, "plan_ready")
    Survey.objects.create(
        dwelling=world["home"],
        works=[
            {"work": "remove_boiler", "responsible": "installer"},
            {"work": "delivery_set", "responsible": "heat_company"},
        ],
    )
    page = phone.open(path)
    assert page.locator("#agreement-text").count() == 1
    phone.check("agreement to read")

    with page.expect_navigation():
        page.locator('#code-request-form button[type="submit"]').click()
    assert page.locator('[role="status"]').count() == 1
    phone.check("agreement, code sent")

    mail = email.message_from_string(world["smtp"].to(world["owner"].email)[-1], policy=email.policy.default)
    sent = re.search(r"\b(\d{6})\b", mail.get_body(preferencelist=("plain",)).get_content()).group(1)
    wrong = "111111" if sent != "111111" else "222222"
    page.locator("#id_code").fill(wrong)
    with page.expect_navigation():
        page.locator("#accept-button").click()
    assert page.locator('#id_code[aria-invalid="true"]').count() == 1
    phone.check("agreement, wrong code")

    page.locator("#id_code").fill(sent)
    with page.expect_navigation():
        page.locator("#accept-button").click()
    assert page.locator("#agreement-done").count() == 1
    phone.check("agreement accepted")


def focus_by_tab(page, selector: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_visit_is_booked_and_changed_with_the_keyboard_only(phone, world):
    home = world["home"]
    page = phone.open(url("visit", world))
    radios = page.locator('#visit-form input[name="slot"]')
    values = [radios.nth(index).get_attribute("value") for index in range(radios.count())]
    assert len(values) >= 3
    focus_by_tab(page, '#visit-form input[name="slot"]')
    assert page.evaluate("document.activeElement.value") == values[0]
    page.keyboard.press("Space")
    assert radios.nth(0).is_checked()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == values[1] and radios.nth(1).is_checked()
    page.keyboard.press("Tab")  # past the rest of the group, to the button
    assert page.evaluate("document.activeElement.matches('#visit-form button[type=submit]')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == url("home", world)
    assert page.locator('[data-state="survey_planned"] #appointment').count() == 1
    assert page.locator('[role="status"]').count() == 1
    home.refresh_from_db()
    booked = SurveySlot.objects.get(pk=values[1])
    assert home.state == "survey_planned" and booked.dwelling_id == home.pk
    assert home.survey_appointment_at == booked.starts_at

    # Another time: arrow to it, Space on the button.
    page = phone.open(url("visit", world))
    focus_by_tab(page, '#visit-form input[name="slot"]')
    first = page.evaluate("document.activeElement.value")
    page.keyboard.press("ArrowRight")
    chosen = page.evaluate("document.activeElement.value")
    assert chosen != first and page.locator(f'#visit-form input[value="{chosen}"]').is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('#visit-form button[type=submit]')")
    with page.expect_navigation():
        page.keyboard.press("Space")
    home.refresh_from_db()
    assert home.survey_appointment_at == SurveySlot.objects.get(pk=chosen).starts_at
    assert SurveySlot.objects.get(pk=values[1]).dwelling_id is None
    phone.only_own_origin("booking with the keyboard")


def test_the_checks_catch_what_they_look_for(phone, world):
    """The checks are no empty ritual: a planted unlabelled field, grey text, a script from another
    website and a hidden focus ring make them fail."""
    page = phone.open(reverse("portal:accessibility"))
    page.evaluate(
        """() => document.getElementById("main").insertAdjacentHTML("beforeend",
             '<p style="color: #bbb">grijs</p><input type="text" name="planted">')"""
    )
    with pytest.raises(AssertionError) as found:
        phone.axe("planted")
    assert "color-contrast" in str(found.value) and "label" in str(found.value)

    page.route("http://elsewhere.invalid/**", lambda route: route.abort())
    page.evaluate("""() => { new Image().src = "http://elsewhere.invalid/pixel.png"; }""")
    page.wait_for_timeout(100)
    with pytest.raises(AssertionError, match=r"elsewhere\.invalid"):
        phone.only_own_origin("planted")

    page = phone.open(reverse("portal:accessibility"))
    page.add_style_tag(content=":focus-visible { outline: none !important; }")
    with pytest.raises(AssertionError, match="hard to see"):
        phone.tab_order("planted")
