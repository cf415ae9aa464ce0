import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import OrganisationKind, Role
from tests.conftest import member_of, next_monday
from tests.factories import ContactFactory, DwellingFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = next_monday()


def at(hour, day=DAY):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def surveyor(advised_project):
    return member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)


def visit(project, surveyor, street, number, hour, **extra):
    return DwellingFactory(
        project=project,
        state="survey_planned",
        surveyor=surveyor,
        survey_party=surveyor.organisation,
        survey_appointment_at=at(hour),
        street=street,
        house_number=number,
        **extra,
    )


def test_the_day_in_route_order_with_the_residents_phone(client, advised_project, surveyor):
    late = visit(advised_project, surveyor, "Berkenlaan", 3, 9)
    early = visit(advised_project, surveyor, "Acaciastraat", 10, 14)
    next_door = visit(advised_project, surveyor, "Acaciastraat", 8, 11)
    ContactFactory(dwelling=early, role="owner", name="Ria de Wit", phone="0655555555")
    colleague = UserFactory(organisation=surveyor.organisation)
    visit(advised_project, colleague, "Acaciastraat", 1, 9)  # someone else's visit
    DwellingFactory(project=advised_project, state="informed", surveyor=surveyor)  # not planned
    client.force_login(surveyor)
    page = client.get(reverse("surveys:my-day"), {"date": DAY.isoformat()})
    assert [d.pk for d in page.context["visits"]] == [next_door.pk, early.pk, late.pk]
    assert "Ria de Wit" in page.text
    assert "0655555555" in page.text


def test_each_visit_says_what_is_known_already(client, advised_project, surveyor):
    from surveys.models import Survey, Visit
    from tests.factories import fill_survey

    fresh = visit(advised_project, surveyor, "Lindelaan", 1, 9)
    again = visit(advised_project, surveyor, "Lindelaan", 2, 10, visit_count=1)
    Visit.objects.create(
        dwelling=again,
        surveyor=surveyor,
        started_at=at(15, DAY - datetime.timedelta(days=7)),
        outcome="not_home",
        note="Bel een dag vooraf, werkt in ploegendienst",
    )
    Survey.objects.create(
        dwelling=again, answers={"kitchen_table.present": {"value": "Bewoner", "by": "surveyor"}}
    )
    done = visit(advised_project, surveyor, "Lindelaan", 3, 11)
    fill_survey(done, by=surveyor)
    client.force_login(surveyor)
    page = client.get(reverse("surveys:my-day"), {"date": DAY.isoformat()})
    shown = {dwelling.pk: dwelling for dwelling in page.context["visits"]}
    assert shown[fresh.pk].open_questions is None
    assert shown[done.pk].open_questions == 0
    open_again = shown[again.pk].open_questions
    assert 0 < open_again == len(Survey.objects.get(dwelling=again).missing())
    text = page.text
    assert "nog niets vastgelegd" in text.lower()
    assert f"{open_again} vragen nog open" in text
    assert "elke vraag beantwoord" in text.lower()
    assert "niemand thuis" in text and "ploegendienst" in text


def test_query_count_does_not_grow_with_visits(client, advised_project, surveyor):
    client.force_login(surveyor)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("surveys:my-day"), {"date": DAY.isoformat()})
        return len(captured)

    from surveys.models import Visit
    from tests.factories import fill_survey

    def one_more(number):
        home = visit(advised_project, surveyor, "Lindelaan", number, 8 + number)
        ContactFactory(dwelling=home)
        fill_survey(home, by=surveyor)
        Visit.objects.create(dwelling=home, surveyor=surveyor, started_at=at(8), outcome="not_home")

    one_more(1)
    few = queries()
    for number in range(2, 8):
        one_more(number)
    assert queries() == few


def test_the_page_loads_its_outbox_once_and_keeps_its_title_plain(client, surveyor):
    import re

    client.force_login(surveyor)
    page = client.get(reverse("surveys:my-day")).text
    assert re.search(r"<title>([^<]*)</title>", page).group(1).startswith("Mijn dag")
    assert page.count('id="outbox-config"') == 1
    assert page.count("js/outbox.js") == 1


def test_a_wrong_date_shows_today(client, surveyor):
    client.force_login(surveyor)
    page = client.get(reverse("surveys:my-day"), {"date": "gisteren"})
    assert page.status_code == 200
    assert page.context["day"] == timezone.localdate()


def test_the_demo_surveyor_has_visits_today_and_a_second_run_plans_nothing(client, settings):
    from django.core.management import call_command

    from projects.models import Dwelling, User

    settings.DEBUG = True
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    surveyor = User.objects.get(email="schouwer@demo.test")
    planned = Dwelling.objects.filter(surveyor=surveyor, state="survey_planned")
    assert planned.count() == 5
    client.force_login(surveyor)
    page = client.get(reverse("surveys:my-day"))
    assert len(page.context["visits"]) == 5
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert planned.count() == 5
    # A day later the demo plans that day's visits, so "My day" is never empty; that day has the open
    # slots published the day before, and the visits planned at their times take them.
    from surveys.models import SurveySlot

    planned.update(survey_appointment_at=F("survey_appointment_at") - datetime.timedelta(days=1))
    slots = SurveySlot.objects.filter(surveyor=surveyor)
    first_slot_day = timezone.localtime(slots.earliest("starts_at").starts_at).date()
    slots.update(starts_at=F("starts_at") - (first_slot_day - timezone.localdate()))
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert planned.count() == 10
    today = planned.filter(survey_appointment_at__date=timezone.localdate())
    assert today.count() == 5
    taken = slots.filter(starts_at__date=timezone.localdate(), dwelling__isnull=False)
    assert sorted(taken.values_list("dwelling_id", flat=True)) == sorted(
        today.filter(survey_appointment_at__in=taken.values("starts_at")).values_list("pk", flat=True)
    )
    assert taken.count() == 4  # 9:00, 10:30, 12:00 and 13:30; the 15:00 visit is after the last slot


def test_one_visit_figures_on_the_project_page(client, advised_project, lead_user):
    from surveys.models import Visit

    def surveyed(*outcomes):
        home = DwellingFactory(
            project=advised_project,
            state="surveyed",
            visit_count=len(outcomes),
            survey_completed_at=timezone.now(),
        )
        for hours, outcome in enumerate(outcomes):
            Visit.objects.create(
                dwelling=home,
                surveyor=lead_user,
                outcome=outcome,
                started_at=timezone.now() - datetime.timedelta(hours=10 - hours),
                second_visit_reason="opnieuw" if hours else "",
            )
        return home

    for _ in range(3):
        surveyed("completed")
    surveyed("second_visit_needed", "completed")
    surveyed("not_home", "not_home", "completed")
    DwellingFactory(project=advised_project, state="informed")  # not surveyed: not counted
    client.force_login(lead_user)
    figures = client.get(advised_project.get_absolute_url()).context["one_visit"]
    reasons = [(r["outcome"], r["count"]) for r in figures["reasons"]]
    assert (figures["surveyed"], figures["once"], figures["repeat"], figures["once_share"]) == (5, 3, 2, 60)
    assert figures["visits_per_dwelling"] == 1.6
    assert figures["failed"] == 3
    assert reasons == [("not_home", 2), ("second_visit_needed", 1)]
