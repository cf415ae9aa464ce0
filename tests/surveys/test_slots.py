"""Open slots: made in bulk by the survey party (no duplicates, no clashes, within capacity),
published per project, deleted while open, booked for an informed dwelling once; page and API scope."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from projects.models import Dwelling, DwellingTransition, OrganisationKind, Role
from projects.services import dwelling_transition
from surveys.models import SurveySlot, Visit
from surveys.planning.services import SlotTaken, slot_book, slots_create, slots_delete, slots_publish
from tests.conftest import member_of, plan_visit
from tests.factories import DwellingFactory, UserFactory

pytestmark = pytest.mark.django_db


def monday(weeks_ahead=1) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=7 * weeks_ahead)
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


def at(day, hour, minute=0):
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


@pytest.fixture
def cooperative(advised_project):
    return member_of(advised_project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY)


@pytest.fixture
def home(advised_project):
    return DwellingFactory(project=advised_project, state="informed", street="Kastanjelaan", house_number=1)


def make(planner, project, surveyors, day, **kwargs):
    options = {
        "start_time": datetime.time(9),
        "end_time": datetime.time(12),
        "visit_minutes": 60,
        "weekdays": [0, 1, 2, 3, 4],
        "last_day": day,
        **kwargs,
    }
    return slots_create(actor=planner, project=project, surveyors=surveyors, first_day=day, **options)


class TestCreate:
    def test_slots_for_each_surveyor_weekday_and_time(self, advised_project, planner, surveyor, colleague):
        mon = monday()
        made = make(
            planner, advised_project, [surveyor, colleague], mon, last_day=mon + datetime.timedelta(days=6)
        )
        # Monday to Friday, 9, 10 and 11 o'clock, two surveyors; not on the weekend.
        assert len(made) == 5 * 3 * 2
        slots = SurveySlot.objects.filter(project=advised_project)
        assert slots.count() == 30
        assert {timezone.localtime(s.starts_at).weekday() for s in slots} == {0, 1, 2, 3, 4}
        assert {timezone.localtime(s.starts_at).hour for s in slots} == {9, 10, 11}
        assert not slots.filter(published=True).exists()
        assert set(slots.values_list("created_by", flat=True)) == {planner.pk}

    def test_duplicates_are_refused_and_nothing_is_made(self, advised_project, planner, surveyor, colleague):
        mon = monday()
        make(planner, advised_project, [surveyor], mon)
        with pytest.raises(ValidationError) as error:
            make(planner, advised_project, [colleague, surveyor], mon)
        assert "already has slots" in str(error.value) or "al schouwmomenten" in str(error.value)
        assert SurveySlot.objects.count() == 3  # not even the colleague's slots

    def test_a_clash_with_a_planned_visit_is_refused(self, advised_project, planner, surveyor, home):
        mon = monday()
        plan_visit(planner, home.pk, surveyor, at(mon, 10))
        with pytest.raises(ValidationError) as error:
            make(planner, advised_project, [surveyor], mon)
        assert "10:00" in str(error.value)
        assert not SurveySlot.objects.exists()

    def test_beyond_capacity_is_refused(self, settings, advised_project, planner, surveyor, home):
        settings.SURVEY_VISITS_PER_DAY = 3
        mon = monday()
        with pytest.raises(ValidationError) as error:
            make(planner, advised_project, [surveyor], mon, end_time=datetime.time(17))
        assert "at most 3" in str(error.value) or "maximaal 3" in str(error.value)
        # A planned visit that day counts as well: three slots and one visit is one too many.
        plan_visit(planner, home.pk, surveyor, at(mon, 15))
        with pytest.raises(ValidationError):
            make(planner, advised_project, [surveyor], mon)
        assert not SurveySlot.objects.exists()
        make(planner, advised_project, [surveyor], mon, end_time=datetime.time(11))  # two slots fit
        assert SurveySlot.objects.count() == 2

    def test_bad_choices_are_refused(self, advised_project, planner, surveyor, lead_user):
        mon = monday()
        with pytest.raises(ValidationError) as error:
            make(
                planner,
                advised_project,
                [surveyor],
                mon,
                last_day=mon - datetime.timedelta(days=1),
                weekdays=[],
            )
        assert {"last_day", "weekdays"} <= set(error.value.message_dict)
        with pytest.raises(ValidationError) as error:
            make(planner, advised_project, [lead_user], mon)
        assert "surveyors" in error.value.message_dict
        assert not SurveySlot.objects.exists()

    def test_only_the_survey_partys_planners_make_slots(
        self, advised_project, surveyor, lead_user, cooperative
    ):
        for actor in (surveyor, lead_user, cooperative):
            with pytest.raises(PermissionDenied):
                make(actor, advised_project, [surveyor], monday())
        assert not SurveySlot.objects.exists()


class TestPublishAndDelete:
    def test_publish_unpublish_and_delete_open_ones(self, advised_project, planner, surveyor, home):
        slots = make(planner, advised_project, [surveyor], monday())
        ids = [s.pk for s in slots]
        assert slots_publish(actor=planner, project=advised_project, slot_ids=ids) == 3
        assert SurveySlot.objects.filter(published=True).count() == 3
        assert slots_publish(actor=planner, project=advised_project, slot_ids=ids[:1], published=False) == 1
        slot_book(actor=planner, slot_id=ids[1], dwelling_id=home.pk)
        deleted, kept = slots_delete(actor=planner, project=advised_project, slot_ids=ids)
        assert (deleted, kept) == (2, 1)
        assert list(SurveySlot.objects.values_list("pk", flat=True)) == [ids[1]]

    def test_another_survey_party_cannot_touch_them(self, advised_project, planner, surveyor):
        slots = make(planner, advised_project, [surveyor], monday())
        rival = member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
        ids = [s.pk for s in slots]
        assert slots_publish(actor=rival, project=advised_project, slot_ids=ids) == 0
        assert slots_delete(actor=rival, project=advised_project, slot_ids=ids) == (0, 0)
        assert SurveySlot.objects.filter(published=False).count() == 3


class TestBook:
    def test_booking_plans_the_survey_at_the_slots_time(self, advised_project, planner, surveyor, home):
        slot = make(planner, advised_project, [surveyor], monday())[1]
        booked = slot_book(actor=planner, slot_id=slot.pk, dwelling_id=home.pk)
        assert booked.dwelling_id == home.pk
        home.refresh_from_db()
        assert home.state == "survey_planned"
        assert home.surveyor_id == surveyor.pk and home.survey_appointment_at == slot.starts_at
        assert DwellingTransition.objects.get(dwelling=home).transition == "plan_survey"

    def test_a_taken_slot_is_refused_and_nothing_changes(self, advised_project, planner, surveyor, home):
        slot = make(planner, advised_project, [surveyor], monday())[0]
        slot_book(actor=planner, slot_id=slot.pk, dwelling_id=home.pk)
        neighbour = DwellingFactory(
            project=advised_project, state="informed", street="Kastanjelaan", house_number=3
        )
        with pytest.raises(SlotTaken):
            slot_book(actor=planner, slot_id=slot.pk, dwelling_id=neighbour.pk)
        assert Dwelling.objects.get(pk=neighbour.pk).state == "informed"
        assert SurveySlot.objects.get(pk=slot.pk).dwelling_id == home.pk
        # The same booking again (a double submit) changes nothing and is not an error.
        slot_book(actor=planner, slot_id=slot.pk, dwelling_id=home.pk)
        assert DwellingTransition.objects.filter(transition="plan_survey").count() == 1

    def test_a_dwelling_that_does_not_wait_cannot_book(self, advised_project, planner, surveyor):
        slot = make(planner, advised_project, [surveyor], monday())[0]
        registered = DwellingFactory(project=advised_project, state="registered")
        with pytest.raises(ValidationError):
            slot_book(actor=planner, slot_id=slot.pk, dwelling_id=registered.pk)
        assert SurveySlot.objects.get(pk=slot.pk).dwelling_id is None

    def test_a_visit_planned_at_a_slots_time_takes_the_slot(self, advised_project, planner, surveyor, home):
        mon = monday()
        slot = make(planner, advised_project, [surveyor], mon, published=True)[0]
        other = DwellingFactory(project=advised_project, state="informed")
        plan_visit(planner, other.pk, surveyor, at(mon, 9))
        # No longer offered: a resident cannot book it for another home.
        assert SurveySlot.objects.get(pk=slot.pk).dwelling_id == other.pk
        with pytest.raises(SlotTaken):
            slot_book(actor=planner, slot_id=slot.pk, dwelling_id=home.pk)
        assert Dwelling.objects.get(pk=home.pk).state == "informed"

    def test_a_visit_that_overlaps_an_open_slot_is_refused(self, advised_project, planner, surveyor, home):
        mon = monday()
        slot = make(planner, advised_project, [surveyor], mon, published=True)[0]
        with pytest.raises(ValidationError) as refused:
            plan_visit(planner, home.pk, surveyor, at(mon, 9, 30))
        assert "09:00" in str(refused.value) and "open" in str(refused.value).lower()
        assert Dwelling.objects.get(pk=home.pk).state == "informed"
        assert SurveySlot.objects.get(pk=slot.pk).is_open

    def test_open_slots_count_against_the_days_capacity(
        self, advised_project, planner, surveyor, home, settings
    ):
        settings.SURVEY_VISITS_PER_DAY = 3
        mon = monday()
        make(planner, advised_project, [surveyor], mon)  # 9, 10 and 11: the day is full
        with pytest.raises(ValidationError, match="3"):
            plan_visit(planner, home.pk, surveyor, at(mon, 14))
        # In one of the slots it fits: the visit takes that slot.
        plan_visit(planner, home.pk, surveyor, at(mon, 10))
        assert SurveySlot.objects.get(starts_at=at(mon, 10)).dwelling_id == home.pk

    def test_after_a_failed_visit_the_home_books_a_new_slot(self, advised_project, planner, surveyor, home):
        first, second = make(planner, advised_project, [surveyor], monday())[:2]
        slot_book(actor=planner, slot_id=first.pk, dwelling_id=home.pk)
        dwelling_transition(
            actor=surveyor, dwelling_id=home.pk, transition="visit_failed", failure="not_home"
        )
        assert Visit.objects.filter(dwelling=home).count() == 1
        slot_book(actor=planner, slot_id=second.pk, dwelling_id=home.pk)
        assert SurveySlot.objects.get(pk=second.pk).dwelling_id == home.pk
        assert SurveySlot.objects.get(pk=first.pk).dwelling_id is None

    def test_the_communicating_party_sees_published_slots_but_may_not_plan_yet(
        self, advised_project, planner, surveyor, cooperative, home
    ):
        slot = make(planner, advised_project, [surveyor], monday(), published=True)[0]
        with pytest.raises(PermissionDenied):
            slot_book(actor=cooperative, slot_id=slot.pk, dwelling_id=home.pk)
        assert Dwelling.objects.get(pk=home.pk).state == "informed"
        assert SurveySlot.objects.get(pk=slot.pk).dwelling_id is None

    def test_an_unpublished_slot_does_not_exist_for_the_communicating_party(
        self, advised_project, planner, surveyor, cooperative, home
    ):
        slot = make(planner, advised_project, [surveyor], monday())[0]
        with pytest.raises(SurveySlot.DoesNotExist):
            slot_book(actor=cooperative, slot_id=slot.pk, dwelling_id=home.pk)


# --- API ----------------------------------------------------------------------------------------


def api_list(client, **params):
    return client.get(reverse("planning_api:slot-list"), params)


def api_book(client, slot, dwelling):
    return client.post(reverse("planning_api:slot-book", args=[slot.pk]), {"dwelling": dwelling.pk})


@pytest.fixture
def offered(advised_project, planner, surveyor, home):
    """Three slots: 9:00 published and booked, 10:00 published and open, 11:00 not published."""
    slots = make(planner, advised_project, [surveyor], monday())
    slots_publish(actor=planner, project=advised_project, slot_ids=[s.pk for s in slots[:2]])
    slot_book(actor=planner, slot_id=slots[0].pk, dwelling_id=home.pk)
    return slots


class TestApi:
    def test_the_survey_party_sees_its_own_slots(self, client, advised_project, planner, offered):
        client.force_login(planner)
        data = api_list(client, project=advised_project.slug).json()
        assert [row["id"] for row in data["results"]] == [s.pk for s in offered]
        first = data["results"][0]
        assert first["project"] == advised_project.slug and first["open"] is False
        assert first["surveyor"]["name"] == str(offered[0].surveyor)
        filtered = api_list(client, project=advised_project.slug, published=1, open=1).json()
        assert [row["id"] for row in filtered["results"]] == [offered[1].pk]

    @pytest.mark.parametrize("party", ["lead", "cooperative"])
    def test_lead_and_communicating_party_see_published_ones(
        self, client, advised_project, lead_user, cooperative, offered, party
    ):
        client.force_login({"lead": lead_user, "cooperative": cooperative}[party])
        data = api_list(client, project=advised_project.slug).json()
        assert [row["id"] for row in data["results"]] == [offered[0].pk, offered[1].pk]
        data = api_list(client, project=advised_project.slug, open=1).json()
        assert [row["id"] for row in data["results"]] == [offered[1].pk]

    @pytest.mark.parametrize("party", ["municipality", "installer", "rival", "field_worker", "outsider"])
    def test_others_see_nothing_and_cannot_book(
        self, client, advised_project, outsider_project, planner, offered, party
    ):
        users = {
            "municipality": member_of(advised_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY),
            "installer": UserFactory(
                organisation=advised_project.participations.get(role=Role.MAIN_CONTRACTOR).organisation
            ),
            "rival": member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY),
            "field_worker": UserFactory(organisation=planner.organisation, field_worker=True),
            "outsider": UserFactory(organisation=outsider_project.participations.get().organisation),
        }
        client.force_login(users[party])
        assert api_list(client).json()["results"] == []
        other = DwellingFactory(project=advised_project, state="informed")
        response = api_book(client, offered[1], other)
        assert response.status_code == 404
        assert SurveySlot.objects.get(pk=offered[1].pk).dwelling_id is None
        assert Dwelling.objects.get(pk=other.pk).state == "informed"

    def test_booking_through_the_api(self, client, advised_project, planner, offered):
        client.force_login(planner)
        neighbour = DwellingFactory(project=advised_project, state="informed")
        response = api_book(client, offered[1], neighbour)
        assert response.status_code == 200, response.content
        assert response.json()["dwelling"] == neighbour.pk and response.json()["open"] is False
        assert Dwelling.objects.get(pk=neighbour.pk).state == "survey_planned"
        # Taken: 409 with a clear message, and nothing changes.
        third = DwellingFactory(project=advised_project, state="informed")
        taken = api_book(client, offered[1], third)
        assert taken.status_code == 409
        assert "another home" in taken.json()["detail"] or "andere woning" in taken.json()["detail"]
        assert Dwelling.objects.get(pk=third.pk).state == "informed"
        # A dwelling that does not wait for a visit: 400.
        registered = DwellingFactory(project=advised_project, state="registered")
        assert api_book(client, offered[2], registered).status_code == 400
        assert SurveySlot.objects.get(pk=offered[2].pk).dwelling_id is None

    def test_the_communicating_party_gets_403_when_booking(
        self, client, advised_project, cooperative, offered
    ):
        client.force_login(cooperative)
        other = DwellingFactory(project=advised_project, state="informed")
        response = api_book(client, offered[1], other)
        assert response.status_code == 403
        assert Dwelling.objects.get(pk=other.pk).state == "informed"

    @pytest.mark.parametrize("days", [1, 5])
    def test_the_list_reads_in_a_fixed_number_of_queries(
        self, client, advised_project, planner, surveyor, days, django_assert_num_queries
    ):
        mon = monday()
        make(planner, advised_project, [surveyor], mon, last_day=mon + datetime.timedelta(days=days - 1))
        client.force_login(planner)
        api_list(client)
        # Session, user, the organisation's roles, count, page.
        with django_assert_num_queries(5):
            response = api_list(client, project=advised_project.slug)
        assert response.json()["count"] == 3 * days


# --- the page -----------------------------------------------------------------------------------


def slots_page(project):
    return reverse("planning:slots", args=[project.slug])


def create_data(surveyors, day, **extra):
    return {
        "action": "create",
        "new-surveyors": [s.pk for s in surveyors],
        "new-first_day": day.isoformat(),
        "new-last_day": day.isoformat(),
        "new-start_time": "09:00",
        "new-end_time": "12:00",
        "new-visit_minutes": "60",
        "new-weekdays": ["0", "1", "2", "3", "4"],
        **extra,
    }


class TestPage:
    def test_the_planner_makes_slots_once_even_when_sent_twice(
        self, client, advised_project, planner, surveyor
    ):
        client.force_login(planner)
        data = create_data([surveyor], monday(), **{"new-published": "on"})
        first = client.post(slots_page(advised_project), data)
        assert first.status_code == 302
        second = client.post(slots_page(advised_project), data)
        assert second.status_code == 400
        page = second.content.decode()
        assert "already has slots" in page or "al schouwmomenten" in page
        assert SurveySlot.objects.filter(published=True).count() == 3

    def test_publish_delete_and_book_through_the_page(self, client, advised_project, planner, surveyor, home):
        slots = make(planner, advised_project, [surveyor], monday())
        client.force_login(planner)
        ids = [s.pk for s in slots]
        client.post(slots_page(advised_project), {"action": "publish", "slot": ids})
        assert SurveySlot.objects.filter(published=True).count() == 3
        response = client.post(
            slots_page(advised_project), {"action": "book", "book-slot": ids[0], "book-dwelling": home.pk}
        )
        assert response.status_code == 302
        assert Dwelling.objects.get(pk=home.pk).state == "survey_planned"
        client.post(slots_page(advised_project), {"action": "delete", "slot": ids})
        assert list(SurveySlot.objects.values_list("pk", flat=True)) == [ids[0]]
        page = client.get(slots_page(advised_project))
        assert str(home) in page.content.decode()

    def test_lead_sees_published_slots_read_only(self, client, advised_project, lead_user, offered):
        client.force_login(lead_user)
        response = client.get(slots_page(advised_project))
        assert response.status_code == 200
        assert not response.context["manage"]
        assert [s.pk for s in response.context["page"]] == [offered[0].pk, offered[1].pk]
        refused = client.post(slots_page(advised_project), {"action": "delete", "slot": [offered[1].pk]})
        assert refused.status_code == 403
        assert SurveySlot.objects.count() == 3

    @pytest.mark.parametrize("party", ["municipality", "installer", "outsider"])
    def test_other_parties_get_404(self, client, advised_project, outsider_project, surveyor, offered, party):
        users = {
            "municipality": member_of(advised_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY),
            "installer": UserFactory(
                organisation=advised_project.participations.get(role=Role.MAIN_CONTRACTOR).organisation
            ),
            "outsider": UserFactory(organisation=outsider_project.participations.get().organisation),
        }
        client.force_login(users[party])
        assert client.get(slots_page(advised_project)).status_code == 404
        response = client.post(slots_page(advised_project), create_data([surveyor], monday(2)))
        assert response.status_code == 404
        assert SurveySlot.objects.count() == 3

    def test_a_field_worker_gets_403(self, client, advised_project, surveyor):
        client.force_login(surveyor)
        assert client.get(slots_page(advised_project)).status_code == 403

    @pytest.mark.parametrize("days", [1, 5])
    def test_the_page_reads_in_a_fixed_number_of_queries(
        self, client, advised_project, planner, surveyor, days, django_assert_num_queries
    ):
        mon = monday()
        slots = make(
            planner, advised_project, [surveyor], mon, last_day=mon + datetime.timedelta(days=days - 1)
        )
        for number, slot in enumerate(slots[::2]):
            dwelling = DwellingFactory(project=advised_project, state="informed", house_number=number + 1)
            slot_book(actor=planner, slot_id=slot.pk, dwelling_id=dwelling.pk)
        DwellingFactory.create_batch(days, project=advised_project, state="informed")
        client.force_login(planner)
        client.get(slots_page(advised_project))
        with django_assert_num_queries(SLOTS_PAGE_QUERIES):
            response = client.get(slots_page(advised_project))
        assert len(response.context["page"]) == 3 * days


# Session, user, project, roles, the user's organisation (menu), surveyors, open slots and waiting
# dwellings of the booking form, the slot count and page.
SLOTS_PAGE_QUERIES = 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks of PostgreSQL")
def test_two_bookings_of_one_slot_at_once_book_it_once(advised_project, planner, surveyor):
    from tests.projects.test_concurrency import race

    other_planner = UserFactory(organisation=planner.organisation)
    slot = make(planner, advised_project, [surveyor], monday(), published=True)[0]
    first_home, second_home = DwellingFactory.create_batch(2, project=advised_project, state="informed")
    first, second, overlapped = race(
        lambda: slot_book(actor=planner, slot_id=slot.pk, dwelling_id=first_home.pk),
        lambda: slot_book(actor=other_planner, slot_id=slot.pk, dwelling_id=second_home.pk),
    )
    assert overlapped, "the second booking never waited for the first one's lock"
    assert isinstance(first, SurveySlot), first
    assert isinstance(second, SlotTaken), second
    assert SurveySlot.objects.get(pk=slot.pk).dwelling_id == first_home.pk
    assert Dwelling.objects.get(pk=second_home.pk).state == "informed"
    assert DwellingTransition.objects.filter(transition="plan_survey").count() == 1
