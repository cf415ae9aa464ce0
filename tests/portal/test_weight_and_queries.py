"""The portal is fast on a slow phone: each resident page costs a fixed small number of queries, however
long the home's history, and no page with its stylesheets, scripts and images weighs more than a set
budget. Nothing on a page comes from another website."""

import datetime
import re
import uuid
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from communication.models import Message
from portal import tokens
from portal.links import link_issue
from portal.meeting_views import UPCOMING
from portal.models import (
    Meeting,
    MeetingKind,
    MeetingReply,
    Question,
    QuestionKind,
    Reply,
    SoundingBoardMember,
)
from projects.models import Dwelling, DwellingTransition
from surveys.models import ConnectionPlan, PlanVariant, SurveySlot, Visit
from tests.factories import ContactFactory, DwellingFactory
from tests.portal.conftest import offer_installation_days

pytestmark = pytest.mark.django_db

# The most queries any resident page may cost (the link with its person, home and project, the
# contact point's settings, the page's own records, the timeline's providers).
MAX_QUERIES = 12
# The most a page may weigh: its HTML plus every stylesheet, script, icon and image it loads,
# uncompressed. A 3G phone fetches this in well under two seconds.
BUDGET_BYTES = 32 * 1024

LITTLE, MUCH = 3, 40  # events of each kind in the home's history
FEW_DAYS, MANY_DAYS = 2, 20  # installation days on offer for the home's package
FEW_MEETINGS, MANY_MEETINGS = 2, 30  # meetings to come (the page shows the first UPCOMING)


def url(name, code):
    return reverse(f"portal:{name}", args=[tokens.written(code)])


def grow_history(home, contact, events: int, *, staff, surveyor) -> None:
    """``events`` of each kind the resident's pages read: messages to the person, public moves of the
    home (by a user, by the resident, by the system), questions and aftercare reports each with an
    answer and a colleagues' note, survey visits and plan versions."""
    start = timezone.now() - datetime.timedelta(days=events + 10)
    for n in range(events):
        at = start + datetime.timedelta(days=n)
        Message.objects.create(
            project=home.project,
            dwelling=home,
            contact=contact,
            recipient_name=contact.name,
            template_key="custom",
            channel=("email", "sms", "letter")[n % 3],
            language="nl",
            address=contact.email or "post",
            subject=f"Bericht {n}",
            body=f"Tekst van bericht {n}",
            status="sent",
            created_at=at,
            sent_at=at,
        )
        DwellingTransition.objects.create(
            dwelling=home,
            transition=("inform", "plan_survey", "reschedule_survey", "cancel_survey")[n % 4],
            source="informed",
            target="informed",
            actor=staff if n % 3 == 0 else None,
            organisation=staff.organisation if n % 3 == 0 else None,
            resident=contact if n % 3 == 1 else None,
            at=at,
        )
        for kind in (QuestionKind.QUESTION, QuestionKind.AFTERCARE):
            question = Question.objects.create(
                project=home.project,
                dwelling=home,
                contact=contact,
                kind=kind,
                problem="no_heat" if kind == QuestionKind.AFTERCARE else "",
                text=f"Vraag {n}",
                addressed_to=staff.organisation,
                status="answered",
                client_id=uuid.uuid4(),
                created_at=at,
            )
            for to_resident in (True, False):
                Reply.objects.create(
                    question=question,
                    author=staff,
                    organisation=staff.organisation,
                    text=f"Antwoord {n}",
                    to_resident=to_resident,
                )
        Visit.objects.create(
            dwelling=home, surveyor=surveyor, started_at=at, finished_at=at, outcome="", note="Notitie"
        )
        ConnectionPlan.objects.create(
            dwelling=home,
            variant=PlanVariant.FULL,
            version=n + 1,
            survey_version=1,
            source_hash=f"{home.pk}-{n}",
            file=f"plans/{home.pk}-{n}.pdf",
            made_by=staff,
        )


@pytest.fixture
def two_homes(portal_world):
    """Two owner-occupied homes alike but for their history: a little and a lot."""
    world = portal_world
    little = world["home"]
    other = DwellingFactory(
        project=world["project"],
        state="informed",
        street="Kastanjelaan",
        house_number=7,
        ownership="owner_occupied",
    )
    owner = ContactFactory(dwelling=other, role="owner", name="Cor Smit", email="cor@example.test")
    world["much"] = {"home": other, "contact": owner, "code": link_issue(owner)}
    world["little"] = {"home": little, "contact": world["owner"], "code": world["code"]}
    grow_history(little, world["owner"], LITTLE, staff=world["lead"], surveyor=world["surveyor"])
    grow_history(other, owner, MUCH, staff=world["lead"], surveyor=world["surveyor"])
    return world


@pytest.fixture
def days_on_offer(two_homes):
    """Each home assigned in an accepted package of its own: the little one with 2 days on offer, the
    other with 20."""
    world = two_homes
    offered = offer_installation_days(
        world, {world["little"]["home"]: FEW_DAYS, world["much"]["home"]: MANY_DAYS}
    )
    for which in ("little", "much"):
        world[which]["days"] = offered[world[which]["home"]]
    return world


# The states in which a home needs a package with days on offer (the fixture above).
DAY_STATES = ("assigned", "installation_planned")


def put_in(world, state: str) -> None:
    """Both homes in ``state``; planned for the survey: each on a published time of its own; planned for
    the work: each on the first day its package offers."""
    free = iter(SurveySlot.objects.filter(dwelling__isnull=True, published=True).order_by("starts_at"))
    for which in ("little", "much"):
        home = world[which]["home"]
        values = {
            "state": state,
            "survey_appointment_at": None,
            "surveyor": None,
            "installation_planned_on": None,
        }
        if state == "survey_planned":
            slot = next(free)
            SurveySlot.objects.filter(pk=slot.pk).update(dwelling=home)
            values.update(survey_appointment_at=slot.starts_at, surveyor=world["surveyor"])
        if state == "installation_planned":
            values.update(installation_planned_on=world[which]["days"][0].date)
        Dwelling.objects.filter(pk=home.pk).update(**values)


def plan_meetings(project, count: int, *, held: int, answered_by) -> None:
    """``count`` meetings to come, information evenings and sounding-board meetings in turn, each
    answered by ``answered_by`` (a member of the sounding board), and ``held`` sounding-board meetings
    with notes."""
    start = timezone.localtime().replace(hour=19, minute=30, second=0, microsecond=0)
    for n in range(count + held):
        to_come = n < count
        kind = MeetingKind.INFORMATION_EVENING if to_come and n % 2 == 0 else MeetingKind.SOUNDING_BOARD
        days = 3 + n if to_come else -(3 + n)
        meeting = Meeting.objects.create(
            project=project,
            kind=kind,
            title=f"Bijeenkomst {n}",
            starts_at=start + datetime.timedelta(days=days),
            place="Buurthuis De Kastanje",
            description="Koffie staat klaar.",
            notes="" if to_come else f"Besproken op bijeenkomst {n}.",
        )
        if to_come:
            MeetingReply.objects.create(meeting=meeting, contact=answered_by, coming=n % 3 != 0, people=2)


# Each resident page, in the state of the home where it shows (a GET).
RESIDENT_PAGES = [
    ("informed", "home"),
    ("informed", "visit"),
    ("informed", "questions"),
    ("informed", "preferences"),
    ("survey_planned", "home"),
    ("survey_planned", "visit"),
    ("plan_ready", "home"),
    ("plan_ready", "plan"),
    ("plan_ready", "agreement"),
    ("connected", "home"),
    ("connected", "aftercare"),
    ("connected", "questions"),
    ("assigned", "home"),
    ("assigned", "installation"),
    ("installation_planned", "home"),
    ("installation_planned", "installation"),
    ("installation_planned", "installation-calendar"),
]
# Pages that are files to download, not HTML: their queries are counted, their weight is not.
FILES = {"installation-calendar"}


def exists_or_skip(name: str) -> None:
    if not has_route(name):
        pytest.skip(f"portal:{name} does not exist (yet)")


def counted(client, path) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return len(queries), response


@pytest.mark.parametrize(("state", "name"), RESIDENT_PAGES)
def test_a_page_costs_the_same_few_queries_whatever_the_history(two_homes, client, request, state, name):
    world = two_homes
    exists_or_skip(name)
    if state in DAY_STATES:
        request.getfixturevalue("days_on_offer")
    put_in(world, state)
    counts, shown = {}, {}
    for which in ("little", "much"):
        count, response = counted(client, url(name, world[which]["code"]))
        assert response.status_code == 200, (which, response.status_code)
        counts[which] = count
        shown[which] = len(re.findall(rb"data-(?:kind|question|reply|day)=", response.content))
    if name in ("home", "questions", "aftercare", "installation"):
        assert shown["much"] > shown["little"], shown  # the long history (the many days) is on the page
    print(f"{name} ({state}): {counts['much']} queries")
    assert counts["little"] == counts["much"], counts
    assert counts["much"] <= MAX_QUERIES, counts


def test_the_meetings_page_costs_the_same_queries_with_2_or_30_meetings(two_homes, client):
    """Both people members of the sounding board: the one sees 2 meetings to come, answered, and the
    notes of 1 held; then 28 more come and 20 more were held, and the other answered all 30 (and sees
    the soonest UPCOMING)."""
    world = two_homes
    exists_or_skip("meetings")
    project, little, much = world["project"], world["little"], world["much"]
    for who in (little, much):
        SoundingBoardMember.objects.create(project=project, contact=who["contact"])
    plan_meetings(project, FEW_MEETINGS, held=1, answered_by=little["contact"])
    counts, shown = {}, {}
    count, response = counted(client, url("meetings", little["code"]))
    counts["little"], shown["little"] = count, response
    plan_meetings(project, MANY_MEETINGS - FEW_MEETINGS, held=20, answered_by=much["contact"])
    for meeting in Meeting.objects.filter(starts_at__gt=timezone.now()).exclude(
        replies__contact=much["contact"]
    ):
        MeetingReply.objects.create(meeting=meeting, contact=much["contact"], coming=True, people=3)
    count, response = counted(client, url("meetings", much["code"]))
    counts["much"], shown["much"] = count, response
    for which, response in shown.items():
        assert response.status_code == 200, (which, response.status_code)
        content = response.content.decode()
        shown[which] = (
            content.count("data-meeting="),
            content.count("data-reply-coming="),
            content.count("data-notes="),
        )
    most = min(MANY_MEETINGS, UPCOMING)
    assert shown == {"little": (2, 2, 1), "much": (most, most, 20)}, shown
    print(f"meetings: {counts['much']} queries")
    assert counts["little"] == counts["much"], counts
    assert counts["much"] <= MAX_QUERIES, counts


def test_the_public_pages_cost_few_queries(portal_world, client):
    code = portal_world["code"]
    tampered = code[:-1] + ("A" if code[-1] != "A" else "B")
    pages = {
        "accessibility": reverse("portal:accessibility"),
        "open": reverse("portal:open"),
        "not_found": f"/r/{tokens.written(tampered)}/",
    }
    for label, path in pages.items():
        count, response = counted(client, path)
        assert response.status_code in (200, 404), (label, response.status_code)
        assert count <= 2, (label, count)  # one look-up of the code at most
    with time_machine.travel(timezone.now() + datetime.timedelta(days=settings.PORTAL_LINK_DAYS + 1)):
        count, response = counted(client, url("home", code))
    assert response.status_code == 404 and b'id="renew-form"' in response.content
    assert count <= 2, count


# The weight of a page and everything it loads.


class References(HTMLParser):
    """Every URL a page names, and which of them the browser fetches to show it."""

    FETCHED = {("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"), ("iframe", "src")}

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.fetched: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ("src", "href", "action", "poster", "data", "formaction"):
                self.urls.append(value)
                if (tag, name) in self.FETCHED:
                    self.fetched.append(value)
            elif name == "srcset":
                for part in value.split(","):
                    if part.strip():
                        self.urls.append(part.split()[0])
                        self.fetched.append(part.split()[0])
            elif name == "style":
                self.urls.extend(css_urls(value))
                self.fetched.extend(css_urls(value))


def css_urls(text: str) -> list[str]:
    found = re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", text)
    found += re.findall(r"@import\s+['\"]([^'\"]+)['\"]", text)
    return [value for value in found if not value.startswith("data:")]


def is_external(value: str) -> bool:
    parts = urlsplit(value.strip())
    if value.strip().startswith("//"):
        return True
    return parts.scheme in ("http", "https") and parts.hostname not in ("testserver", "localhost")


def asset(client, path: str) -> bytes:
    """A static file as the page's browser would get it: through the staticfiles finders (the test
    client's server does not serve static files), anything else through the client."""
    path = urlsplit(path).path
    if path.startswith(settings.STATIC_URL) or path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        name = path.split(settings.STATIC_URL.strip("/") + "/", 1)[1]
        found = finders.find(name)
        assert found, f"{path} is not a static file of the project"
        with open(found, "rb") as handle:
            return handle.read()
    response = client.get(path)
    assert response.status_code == 200, path
    return b"".join(response.streaming_content) if response.streaming else response.content


def weigh(client, response) -> tuple[int, dict[str, int]]:
    """The page's HTML and everything it loads (stylesheets with what they load in turn), in bytes."""
    html = response.content.decode()
    parser = References()
    parser.feed(html)
    external = [value for value in parser.urls if is_external(value)]
    assert not external, f"{response.request['PATH_INFO']} names other websites: {external}"
    sizes = {"html": len(response.content)}
    queue = [value for value in parser.fetched if not value.startswith(("data:", "#"))]
    while queue:
        path = queue.pop(0)
        if path in sizes:
            continue
        body = asset(client, path)
        sizes[path] = len(body)
        if urlsplit(path).path.endswith(".css"):
            nested = css_urls(body.decode())
            external = [value for value in nested if is_external(value)]
            assert not external, f"{path} loads from other websites: {external}"
            base = urlsplit(path).path.rsplit("/", 1)[0] + "/"
            queue += [value if value.startswith("/") else base + value for value in nested]
    return sum(sizes.values()), sizes


def has_route(name: str) -> bool:
    try:
        reverse(f"portal:{name}", args=["X"])
    except NoReverseMatch:
        return False
    return True


def test_no_page_is_heavier_than_the_budget_or_loads_from_elsewhere(days_on_offer, client):
    world = days_on_offer
    code = world["much"]["code"]
    # The most the meetings page shows: the meetings to come (all answered) and the notes of 20 held.
    SoundingBoardMember.objects.create(project=world["project"], contact=world["much"]["contact"])
    plan_meetings(world["project"], MANY_MEETINGS, held=20, answered_by=world["much"]["contact"])
    weights = {}
    for state in ("informed", "survey_planned", "plan_ready", "connected", *DAY_STATES):
        put_in(world, state)
        for page_state, name in [*RESIDENT_PAGES, ("informed", "meetings")]:
            if page_state == state and name not in FILES and has_route(name):
                response = client.get(url(name, code))
                assert response.status_code == 200
                weights[f"{name} ({state})"] = weigh(client, response)
    # With errors shown: a question without text, preferences without a channel.
    put_in(world, "informed")
    weights["questions (error)"] = weigh(client, client.post(url("questions", code), {"text": ""}))
    weights["preferences (error)"] = weigh(
        client, client.post(url("preferences", code), {"channel": "pigeon", "language": "nl"})
    )
    weights["accessibility"] = weigh(client, client.get(reverse("portal:accessibility")))
    weights["open"] = weigh(client, client.get(reverse("portal:open")))
    weights["open (wrong code)"] = weigh(client, client.get(reverse("portal:open"), {"code": "nonsense"}))
    tampered = code[:-1] + ("A" if code[-1] != "A" else "B")
    weights["not found"] = weigh(client, client.get(f"/r/{tokens.written(tampered)}/"))
    with time_machine.travel(timezone.now() + datetime.timedelta(days=settings.PORTAL_LINK_DAYS + 1)):
        weights["expired"] = weigh(client, client.get(url("home", code)))
    for page, (total, sizes) in weights.items():
        print(f"{page}: {total} bytes {sizes}")
    heavy = {page: total for page, (total, _sizes) in weights.items() if total > BUDGET_BYTES}
    assert not heavy, f"over the budget of {BUDGET_BYTES} bytes: {heavy}"
