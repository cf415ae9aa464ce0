"""Planning survey visits ahead by cluster or street: route order, capacity, skips, the preview and
its confirmation as a job, double submits, scope, and the page's query count."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from projects.models import Dwelling, DwellingTransition, Job, OrganisationKind, Role
from projects.services import dwelling_transition
from surveys.models import SurveySlot
from surveys.planning import services
from surveys.planning.services import area, plan_area, plan_area_execute, plan_area_preview
from tests.conftest import member_of, plan_visit
from tests.factories import DwellingFactory, UserFactory

pytestmark = pytest.mark.django_db


def monday(weeks_ahead=1) -> datetime.date:
    """A Monday at least a week from today, so that every planned time lies in the future."""
    day = timezone.localdate() + datetime.timedelta(days=7 * weeks_ahead)
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def planner(advised_project):
    return member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)


@pytest.fixture
def surveyor(planner):
    return UserFactory(organisation=planner.organisation, field_worker=True, last_name="Aarts")


@pytest.fixture
def colleague(planner):
    return UserFactory(organisation=planner.organisation, field_worker=True, last_name="Bakker")


def informed(project, street, number, **kwargs):
    return DwellingFactory(project=project, state="informed", street=street, house_number=number, **kwargs)


def planned_rows(dwellings):
    """(address, surveyor, local time) of the given dwellings as stored, in time order."""
    rows = Dwelling.objects.filter(pk__in=[d.pk for d in dwellings]).select_related("surveyor")
    return sorted(
        (timezone.localtime(d.survey_appointment_at), d.surveyor.last_name, str(d).split(",")[0])
        for d in rows
        if d.state == "survey_planned"
    )


class TestRouteOrder:
    def test_streets_are_planned_along_the_route(self, advised_project, planner, surveyor):
        homes = [
            informed(advised_project, "Beukenlaan", 5),
            informed(advised_project, "Beukenlaan", 3, house_letter="A"),
            informed(advised_project, "Beukenlaan", 3, house_number_addition="1"),
            informed(advised_project, "Beukenlaan", 3),
            informed(advised_project, "Acacialaan", 12),
        ]
        other_street = informed(advised_project, "Cederlaan", 1)
        day = monday()
        result = plan_area(
            actor=planner,
            project=advised_project,
            streets=["Beukenlaan", "Acacialaan"],
            surveyors=[surveyor],
            first_day=day,
        )
        assert result.skipped == []
        assert planned_rows(homes) == [
            (at(day, 9), "Aarts", "Acacialaan 12"),
            (at(day, 10), "Aarts", "Beukenlaan 3"),
            (at(day, 11), "Aarts", "Beukenlaan 3-1"),
            (at(day, 12), "Aarts", "Beukenlaan 3A"),
            (at(day, 13), "Aarts", "Beukenlaan 5"),
        ]
        assert Dwelling.objects.get(pk=other_street.pk).state == "informed"
        # Each move went through the transition service: one log row each, by the planner.
        logs = DwellingTransition.objects.filter(transition="plan_survey")
        assert logs.count() == 5
        assert set(logs.values_list("actor_id", flat=True)) == {planner.pk}
        assert {d.survey_party_id for d in Dwelling.objects.filter(pk__in=[h.pk for h in homes])} == {
            planner.organisation_id
        }

    def test_clusters_keep_together_and_only_the_chosen_are_planned(self, advised_project, planner, surveyor):
        block_b = [
            informed(advised_project, "Anjerstraat", 2, cluster="Blok B"),
            informed(advised_project, "Anjerstraat", 1, cluster="Blok B"),
        ]
        block_a = [informed(advised_project, "Zonnebloemstraat", 7, cluster="Blok A")]
        block_c = informed(advised_project, "Anjerstraat", 3, cluster="Blok C")
        day = monday()
        plan_area(
            actor=planner,
            project=advised_project,
            clusters=["Blok A", "Blok B"],
            surveyors=[surveyor],
            first_day=day,
        )
        # Cluster first (A before B), then the route within the cluster.
        assert planned_rows([*block_a, *block_b]) == [
            (at(day, 9), "Aarts", "Zonnebloemstraat 7"),
            (at(day, 10), "Aarts", "Anjerstraat 1"),
            (at(day, 11), "Aarts", "Anjerstraat 2"),
        ]
        assert Dwelling.objects.get(pk=block_c.pk).state == "informed"

    def test_numbered_clusters_go_in_number_order(self, advised_project, planner, surveyor):
        tenth = informed(advised_project, "Anjerstraat", 1, cluster="Blok 10")
        ninth = informed(advised_project, "Zonnebloemstraat", 1, cluster="Blok 9")
        day = monday()
        plan_area(
            actor=planner,
            project=advised_project,
            clusters=["Blok 10", "Blok 9"],
            surveyors=[surveyor],
            first_day=day,
        )
        assert [address for _when, _name, address in planned_rows([tenth, ninth])] == [
            "Zonnebloemstraat 1",
            "Anjerstraat 1",
        ]

    def test_only_informed_dwellings_are_planned(self, advised_project, planner, surveyor):
        waiting = informed(advised_project, "Lindelaan", 1)
        DwellingFactory(project=advised_project, state="registered", street="Lindelaan", house_number=2)
        result = plan_area(
            actor=planner,
            project=advised_project,
            streets=["Lindelaan"],
            surveyors=[surveyor],
            first_day=monday(),
        )
        assert [a.dwelling_id for a in result.planned] == [waiting.pk]
        assert Dwelling.objects.filter(state="survey_planned").count() == 1


class TestSelection:
    """A project that surveys a selection (governance 3.1) visits the homes of its sample only."""

    @pytest.fixture
    def selection(self, advised_project):
        advised_project.governance.survey_coverage = "selection"
        advised_project.governance.save()
        return advised_project

    def test_only_the_sample_is_planned(self, selection, planner, surveyor):
        sampled = informed(selection, "Lindelaan", 3, cluster="Blok A", in_sample=True)
        others = [informed(selection, "Lindelaan", n, cluster="Blok A") for n in (1, 2)]
        chosen = informed(selection, "Lindelaan", 4)
        result = plan_area(
            actor=planner,
            project=selection,
            clusters=["Blok A"],
            dwelling_ids=[chosen.pk],
            surveyors=[surveyor],
            first_day=monday(),
        )
        assert [a.dwelling_id for a in result.planned] == [sampled.pk]
        # One chosen by hand is told why; the cluster's other homes simply wait for no visit.
        assert [(pk, reason) for pk, _address, reason in result.skipped] == [
            (chosen.pk, "Niet in de steekproef: dit project schouwt een selectie van de woningen.")
        ]
        assert {d.state for d in Dwelling.objects.filter(pk__in=[o.pk for o in [*others, chosen]])} == {
            "informed"
        }

    def test_a_project_that_surveys_every_dwelling_ignores_the_sample_flag(
        self, advised_project, planner, surveyor
    ):
        homes = [informed(advised_project, "Lindelaan", n, in_sample=n == 1) for n in (1, 2)]
        result = plan_area(
            actor=planner,
            project=advised_project,
            streets=["Lindelaan"],
            surveyors=[surveyor],
            first_day=monday(),
        )
        assert sorted(a.dwelling_id for a in result.planned) == sorted(h.pk for h in homes)

    def test_the_page_counts_the_sample_and_says_why(self, client, selection, planner):
        informed(selection, "Lindelaan", 1, cluster="Blok A", in_sample=True)
        informed(selection, "Lindelaan", 2, cluster="Blok A")
        informed(selection, "Eikenlaan", 1, cluster="Blok B")
        client.force_login(planner)
        response = client.get(page(selection))
        groups = response.context["groups"]
        assert groups.clusters == [("Blok A", 1)]
        assert groups.streets == [("Lindelaan", 1)]
        assert (groups.total, groups.outside_sample) == (1, 2)
        notice = re.search(r'id="selection-notice">(.*?)</div>', response.content.decode(), re.S).group(1)
        assert "steekproef" in notice and "2" in notice

    def test_a_slot_is_not_booked_for_a_home_outside_the_sample(self, selection, planner, surveyor):
        from surveys.planning.services import slot_book, slots_create

        day = monday()
        slot = slots_create(
            actor=planner,
            project=selection,
            surveyors=[surveyor],
            first_day=day,
            last_day=day,
            start_time=datetime.time(9),
            end_time=datetime.time(10),
            visit_minutes=60,
        )[0]
        outside = informed(selection, "Lindelaan", 2)
        with pytest.raises(ValidationError, match="steekproef"):
            slot_book(actor=planner, slot_id=slot.pk, dwelling_id=outside.pk)
        assert Dwelling.objects.get(pk=outside.pk).state == "informed"
        sampled = informed(selection, "Lindelaan", 1, in_sample=True)
        assert slot_book(actor=planner, slot_id=slot.pk, dwelling_id=sampled.pk).dwelling_id == sampled.pk


class TestCapacity:
    def test_days_fill_up_to_capacity_around_existing_visits_and_slots(
        self, settings, advised_project, planner, surveyor, colleague
    ):
        settings.SURVEY_VISITS_PER_DAY = 3
        mon = monday()
        wed = mon + datetime.timedelta(days=2)
        # Already there: Aarts has a visit at 10:00 on Monday, Bakker an open slot at 9:00.
        earlier = informed(advised_project, "Elzenlaan", 1)
        plan_visit(planner, earlier.pk, surveyor, at(mon, 10))
        SurveySlot.objects.create(
            project=advised_project, surveyor=colleague, starts_at=at(mon, 9), created_by=planner
        )
        homes = [informed(advised_project, "Kastanjelaan", number) for number in range(1, 11)]
        result = plan_area(
            actor=planner,
            project=advised_project,
            streets=["Kastanjelaan"],
            surveyors=[surveyor, colleague],
            first_day=mon,
            weekdays=[0, 2],  # Mondays and Wednesdays
        )
        assert result.skipped == []
        assert [(when, name) for when, name, _address in planned_rows(homes)] == [
            (at(mon, 9), "Aarts"),
            (at(mon, 10), "Bakker"),
            (at(mon, 11), "Aarts"),  # 10:00 was taken; Monday is full with the earlier visit
            (at(mon, 11), "Bakker"),  # the slot at 9:00 counts too
            (at(wed, 9), "Aarts"),
            (at(wed, 9), "Bakker"),
            (at(wed, 10), "Aarts"),
            (at(wed, 10), "Bakker"),
            (at(wed, 11), "Aarts"),
            (at(wed, 11), "Bakker"),
        ]
        # Route order per surveyor's day: Aarts takes the first numbers on Monday, Bakker the next.
        by_number = {d.house_number: d for d in Dwelling.objects.filter(pk__in=[h.pk for h in homes])}
        assert [by_number[n].surveyor_id for n in (1, 2, 3, 4)] == [surveyor.pk] * 2 + [colleague.pk] * 2

    def test_no_visit_overlaps_a_visit_at_an_odd_time(self, advised_project, planner, surveyor):
        day = monday()
        earlier = informed(advised_project, "Elzenlaan", 1)
        plan_visit(planner, earlier.pk, surveyor, at(day, 9, 30))
        homes = [informed(advised_project, "Kastanjelaan", number) for number in (1, 2)]
        plan_area(
            actor=planner,
            project=advised_project,
            streets=["Kastanjelaan"],
            surveyors=[surveyor],
            first_day=day,
        )
        # 9:00 and 10:00 overlap the visit of 9:30-10:30.
        assert [when for when, *_rest in planned_rows(homes)] == [at(day, 11), at(day, 12)]

    def test_what_does_not_fit_is_skipped_with_the_reason(
        self, settings, monkeypatch, advised_project, planner, surveyor
    ):
        settings.SURVEY_VISITS_PER_DAY = 2
        monkeypatch.setattr(area, "HORIZON_DAYS", 1)  # look two days ahead only
        homes = [informed(advised_project, "Kastanjelaan", number) for number in range(1, 6)]
        result = plan_area(
            actor=planner,
            project=advised_project,
            streets=["Kastanjelaan"],
            surveyors=[surveyor],
            first_day=monday(),
        )
        assert len(result.planned) == 4
        assert [row[0] for row in result.skipped] == [homes[4].pk]
        assert "No free time" in result.skipped[0][2] or "Geen vrije tijd" in result.skipped[0][2]
        assert Dwelling.objects.get(pk=homes[4].pk).state == "informed"


class TestConfirmation:
    def test_a_dwelling_that_moved_after_the_preview_is_skipped_with_its_reason(
        self, advised_project, planner, surveyor, lead_user
    ):
        homes = [informed(advised_project, "Kastanjelaan", number) for number in (1, 2, 3)]
        day = monday()
        preview = plan_area_preview(
            actor=planner,
            project=advised_project,
            streets=["Kastanjelaan"],
            surveyors=[surveyor],
            first_day=day,
        )
        assert Dwelling.objects.filter(state="survey_planned").count() == 0  # a preview writes nothing
        assert [a.dwelling_id for a in preview.planned] == [h.pk for h in homes]
        # Meanwhile the owner of number 2 declines.
        dwelling_transition(actor=lead_user, dwelling_id=homes[1].pk, transition="decline", reason="Wil niet")
        result = plan_area_execute(
            actor=planner, project=advised_project, assignments=[a.as_row() for a in preview.planned]
        )
        assert [a.dwelling_id for a in result.planned] == [homes[0].pk, homes[2].pk]
        assert [(pk, address) for pk, address, _reason in result.skipped] == [(homes[1].pk, str(homes[1]))]
        assert result.skipped[0][2]  # the reason is given
        assert Dwelling.objects.get(pk=homes[1].pk).state == "declined"

    def test_a_time_taken_after_the_preview_is_skipped(self, advised_project, planner, surveyor):
        homes = [informed(advised_project, "Kastanjelaan", number) for number in (1, 2)]
        day = monday()
        preview = plan_area_preview(
            actor=planner,
            project=advised_project,
            streets=["Kastanjelaan"],
            surveyors=[surveyor],
            first_day=day,
        )
        other = informed(advised_project, "Elzenlaan", 1)
        plan_visit(planner, other.pk, surveyor, at(day, 9))
        result = plan_area_execute(
            actor=planner, project=advised_project, assignments=[a.as_row() for a in preview.planned]
        )
        assert [a.dwelling_id for a in result.planned] == [homes[1].pk]
        assert result.skipped[0][0] == homes[0].pk
        assert "Aarts" in result.skipped[0][2]
        assert Dwelling.objects.get(pk=homes[0].pk).state == "informed"

    def test_running_the_same_plan_twice_plans_once(self, advised_project, planner, surveyor):
        homes = [informed(advised_project, "Kastanjelaan", number) for number in (1, 2)]
        preview = plan_area_preview(
            actor=planner,
            project=advised_project,
            streets=["Kastanjelaan"],
            surveyors=[surveyor],
            first_day=monday(),
        )
        rows = [a.as_row() for a in preview.planned]
        first = plan_area_execute(actor=planner, project=advised_project, assignments=rows)
        second = plan_area_execute(actor=planner, project=advised_project, assignments=rows)
        assert len(first.planned) == 2 and second.planned == []
        assert [row[0] for row in second.skipped] == [h.pk for h in homes]
        assert all("Already planned" in row[2] or "Al gepland" in row[2] for row in second.skipped)
        assert DwellingTransition.objects.filter(transition="plan_survey").count() == 2


class TestRules:
    def test_a_field_worker_cannot_plan(self, advised_project, surveyor):
        informed(advised_project, "Kastanjelaan", 1)
        with pytest.raises(PermissionDenied):
            plan_area(
                actor=surveyor,
                project=advised_project,
                streets=["Kastanjelaan"],
                surveyors=[surveyor],
                first_day=monday(),
            )
        assert Dwelling.objects.filter(state="survey_planned").count() == 0

    def test_another_party_cannot_plan(self, advised_project, lead_user, surveyor):
        informed(advised_project, "Kastanjelaan", 1)
        with pytest.raises(PermissionDenied):
            plan_area(
                actor=lead_user,
                project=advised_project,
                streets=["Kastanjelaan"],
                surveyors=[surveyor],
                first_day=monday(),
            )
        assert Dwelling.objects.filter(state="survey_planned").count() == 0

    def test_surveyors_of_another_organisation_are_refused(self, advised_project, planner, lead_user):
        informed(advised_project, "Kastanjelaan", 1)
        with pytest.raises(ValidationError) as error:
            plan_area_preview(
                actor=planner,
                project=advised_project,
                streets=["Kastanjelaan"],
                surveyors=[lead_user],
                first_day=monday(),
            )
        assert "surveyors" in error.value.message_dict

    def test_bad_choices_are_refused_with_messages(self, advised_project, planner, surveyor):
        with pytest.raises(ValidationError) as error:
            plan_area_preview(
                actor=planner,
                project=advised_project,
                streets=["Kastanjelaan"],
                surveyors=[surveyor],
                first_day=timezone.localdate() - datetime.timedelta(days=1),
                weekdays=[],
                start_time=datetime.time(16, 30),
            )
        assert {"first_day", "weekdays", "end_time"} <= set(error.value.message_dict)


# --- the pages ----------------------------------------------------------------------------------


def page(project):
    return reverse("planning:area", args=[project.slug])


def choices(surveyors, day, **extra):
    return {
        "surveyors": [s.pk for s in surveyors],
        "first_day": day.isoformat(),
        "start_time": "09:00",
        "end_time": "17:00",
        "visit_minutes": "60",
        "weekdays": ["0", "1", "2", "3", "4"],
        **extra,
    }


def payload_of(response) -> str:
    return re.search(r'name="payload" value="([^"]+)"', response.content.decode()).group(1)


class TestPages:
    def test_the_page_shows_waiting_dwellings_by_cluster_and_street(self, client, advised_project, planner):
        informed(advised_project, "Anjerstraat", 1, cluster="Blok A")
        informed(advised_project, "Anjerstraat", 2, cluster="Blok A")
        informed(advised_project, "Beukenlaan", 1, cluster="Blok 10")
        informed(advised_project, "Beukenlaan", 2, cluster="")
        informed(advised_project, "Beukenlaan", 3, cluster="Blok 9")
        DwellingFactory(project=advised_project, state="registered", street="Cederlaan", house_number=1)
        client.force_login(planner)
        response = client.get(page(advised_project))
        assert response.status_code == 200
        groups = response.context["groups"]
        assert groups.clusters == [("Blok 9", 1), ("Blok 10", 1), ("Blok A", 2)]
        assert groups.streets == [("Anjerstraat", 2), ("Beukenlaan", 3)]
        assert groups.without_cluster == 1 and groups.total == 5

    def test_preview_then_confirm_plans_once_even_when_sent_twice(
        self, client, advised_project, planner, surveyor, django_capture_on_commit_callbacks
    ):
        homes = [informed(advised_project, "Kastanjelaan", number, cluster="Blok K") for number in (1, 2, 3)]
        client.force_login(planner)
        data = choices([surveyor], monday(), clusters=["Blok K"], action="preview")
        preview = client.post(page(advised_project), data)
        assert preview.status_code == 200
        assert [a.dwelling_id for a in preview.context["plan"].planned] == [h.pk for h in homes]
        assert Dwelling.objects.filter(state="survey_planned").count() == 0
        confirm = {**data, "action": "confirm", "payload": payload_of(preview)}
        with django_capture_on_commit_callbacks(execute=True):
            first = client.post(page(advised_project), confirm)
        with django_capture_on_commit_callbacks(execute=True):
            second = client.post(page(advised_project), confirm)
        job = Job.objects.get(kind=Job.Kind.AREA_PLANNING)
        job_url = reverse("planning:job", args=[advised_project.slug, job.pk])
        assert first.status_code == 302 and first.url == job_url
        assert second.status_code == 302 and second.url == job_url
        job.refresh_from_db()
        assert job.status == "done" and job.result["moved"] == 3 and job.result["skipped"] == []
        assert Dwelling.objects.filter(state="survey_planned").count() == 3
        assert DwellingTransition.objects.filter(transition="plan_survey").count() == 3
        shown = client.get(job_url)
        assert shown.status_code == 200
        assert "Kastanjelaan 1" in shown.content.decode()
        status = client.get(reverse("planning:job-status", args=[advised_project.slug, job.pk])).json()
        assert status["finished"] and status["percent"] == 100

    def test_a_new_preview_confirmed_after_the_first_skips_what_is_planned(
        self, client, advised_project, planner, surveyor, django_capture_on_commit_callbacks
    ):
        informed(advised_project, "Kastanjelaan", 1)
        client.force_login(planner)
        data = choices([surveyor], monday(), streets=["Kastanjelaan"], action="preview")
        first_payload = payload_of(client.post(page(advised_project), data))
        second_payload = payload_of(client.post(page(advised_project), data))  # another tab, same choices
        with django_capture_on_commit_callbacks(execute=True):
            client.post(page(advised_project), {**data, "action": "confirm", "payload": first_payload})
        with django_capture_on_commit_callbacks(execute=True):
            client.post(page(advised_project), {**data, "action": "confirm", "payload": second_payload})
        first, second = Job.objects.filter(kind=Job.Kind.AREA_PLANNING).order_by("pk")
        assert first.result["moved"] == 1
        assert second.result["moved"] == 0 and len(second.result["skipped"]) == 1
        assert DwellingTransition.objects.filter(transition="plan_survey").count() == 1

    def test_a_tampered_confirmation_plans_nothing(self, client, advised_project, planner, surveyor):
        informed(advised_project, "Kastanjelaan", 1)
        client.force_login(planner)
        data = choices([surveyor], monday(), streets=["Kastanjelaan"], action="preview")
        payload = payload_of(client.post(page(advised_project), data))
        response = client.post(page(advised_project), {**data, "action": "confirm", "payload": payload + "x"})
        assert response.status_code == 200  # a fresh preview, with a warning
        assert "plan" in response.context
        assert not Job.objects.exists()
        assert Dwelling.objects.filter(state="survey_planned").count() == 0

    def test_no_selection_is_refused_with_a_message(self, client, advised_project, planner, surveyor):
        informed(advised_project, "Kastanjelaan", 1)
        client.force_login(planner)
        response = client.post(page(advised_project), choices([surveyor], monday(), action="preview"))
        assert response.status_code == 400
        assert response.context["form"].errors["clusters"]

    @pytest.mark.parametrize("party", ["lead", "cooperative", "installer", "municipality", "outsider"])
    def test_who_cannot_plan_gets_404_and_changes_nothing(
        self, client, advised_project, outsider_project, lead_user, planner, surveyor, party
    ):
        home = informed(advised_project, "Kastanjelaan", 1)
        users = {
            "lead": lead_user,
            "cooperative": member_of(
                advised_project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY
            ),
            "installer": member_of(advised_project, OrganisationKind.INSTALLER, Role.MAIN_CONTRACTOR),
            "municipality": member_of(advised_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY),
            "outsider": UserFactory(organisation=outsider_project.participations.get().organisation),
        }
        client.force_login(users[party])
        assert client.get(page(advised_project)).status_code == 404
        data = choices([surveyor], monday(), streets=["Kastanjelaan"], action="preview")
        assert client.post(page(advised_project), data).status_code == 404
        # Not even a planner's confirmed preview can be replayed by someone else.
        client.force_login(planner)
        payload = payload_of(client.post(page(advised_project), data))
        client.force_login(users[party])
        response = client.post(page(advised_project), {**data, "action": "confirm", "payload": payload})
        assert response.status_code == 404
        assert not Job.objects.exists()
        assert Dwelling.objects.get(pk=home.pk).state == "informed"

    def test_a_field_worker_of_the_survey_party_gets_403(self, client, advised_project, surveyor):
        client.force_login(surveyor)
        response = client.get(page(advised_project))
        assert response.status_code == 403

    def test_the_job_of_another_survey_party_is_404(
        self, client, advised_project, planner, surveyor, django_capture_on_commit_callbacks
    ):
        informed(advised_project, "Kastanjelaan", 1)
        with django_capture_on_commit_callbacks(execute=True):
            job, _created = services.plan_area_job_create(
                actor=planner,
                project=advised_project,
                token="t1",
                assignments=[],
            )
        rival = member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
        client.force_login(rival)
        assert client.get(page(advised_project)).status_code == 200  # a survey party of its own
        assert client.get(reverse("planning:job", args=[advised_project.slug, job.pk])).status_code == 404
        assert (
            client.get(reverse("planning:job-status", args=[advised_project.slug, job.pk])).status_code == 404
        )

    def test_the_page_needs_a_login(self, client, advised_project):
        response = client.get(page(advised_project))
        assert response.status_code == 302 and "/login/" in response.url

    @pytest.mark.parametrize("count", [10, 50])
    def test_the_page_reads_in_a_fixed_number_of_queries(
        self, client, advised_project, planner, surveyor, count, django_assert_num_queries
    ):
        for number in range(count):
            informed(
                advised_project, f"Straat {number % (count // 2)}", number + 1, cluster=f"Blok {number % 5}"
            )
        client.force_login(planner)
        client.get(page(advised_project))  # warm up the session
        with django_assert_num_queries(PAGE_QUERIES):
            response = client.get(page(advised_project))
        assert response.status_code == 200
        assert response.context["groups"].total == count
        assert len(response.context["groups"].streets) == count // 2


# Session, user, project, the organisation's roles, the aggregate, the user's organisation (menu),
# the surveyors, the recent jobs.
PAGE_QUERIES = 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks of PostgreSQL")
def test_the_same_plan_confirmed_twice_at_once_plans_once(advised_project, planner, surveyor):
    from tests.projects.test_concurrency import race

    homes = [informed(advised_project, "Kastanjelaan", number) for number in (1, 2, 3)]
    preview = plan_area_preview(
        actor=planner,
        project=advised_project,
        streets=["Kastanjelaan"],
        surveyors=[surveyor],
        first_day=monday(),
    )
    rows = [a.as_row() for a in preview.planned]

    def run():
        return plan_area_execute(actor=planner, project=advised_project, assignments=rows)

    first, second, overlapped = race(run, run)
    assert overlapped, "the second run never waited for the first one's locks"
    assert len(first.planned) == 3, first
    assert second.planned == [] and [row[0] for row in second.skipped] == [h.pk for h in homes]
    assert DwellingTransition.objects.filter(transition="plan_survey").count() == 3
