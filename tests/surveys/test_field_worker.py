"""A surveyor in the field sees only the homes planned for them, even in the lead party's own projects."""

import datetime
import uuid
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Dwelling, Role
from projects.services import dwelling_transition
from surveys.models import Visit
from surveys.services import visit_record
from tests.factories import DwellingFactory, ParticipationFactory, UserFactory, fill_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(advised_project, lead_user, heat_company):
    """The heat company leads and surveys; two of its surveyors work in the field, one home each."""
    ParticipationFactory(project=advised_project, organisation=heat_company, role=Role.SURVEY_PARTY)
    joris = UserFactory(organisation=heat_company, field_worker=True)
    anna = UserFactory(organisation=heat_company, field_worker=True)
    homes = {}
    for hour, surveyor in ((9, joris), (11, anna)):
        home = DwellingFactory(project=advised_project, state="informed")
        dwelling_transition(
            actor=lead_user,
            dwelling_id=home.pk,
            transition="plan_survey",
            surveyor=surveyor,
            appointment_at=timezone.now().replace(hour=hour, minute=0) + datetime.timedelta(days=1),
        )
        fill_survey(home, by=surveyor)
        homes[surveyor] = home
    unplanned = DwellingFactory(project=advised_project, state="informed")
    return SimpleNamespace(
        project=advised_project, lead=lead_user, joris=joris, anna=anna, homes=homes, unplanned=unplanned
    )


def test_a_field_worker_sees_only_the_homes_planned_for_them(client, world):
    w = world
    client.force_login(w.joris)
    mine = client.get(reverse("projects:dwelling", args=[w.project.slug, w.homes[w.joris].pk]))
    assert mine.status_code == 200
    for other in (w.homes[w.anna], w.unplanned):
        assert client.get(reverse("projects:dwelling", args=[w.project.slug, other.pk])).status_code == 404
    listed = client.get("/api/v1/dwellings/", {"project": w.project.slug}).json()
    assert [row["id"] for row in listed["results"]] == [w.homes[w.joris].pk]
    # The planner of the same organisation still sees all of them.
    client.force_login(w.lead)
    listed = client.get("/api/v1/dwellings/", {"project": w.project.slug}).json()
    assert {row["id"] for row in listed["results"]} == {
        w.homes[w.joris].pk,
        w.homes[w.anna].pk,
        w.unplanned.pk,
    }


def test_a_field_worker_cannot_record_a_colleagues_visit(world):
    w = world
    with pytest.raises(Dwelling.DoesNotExist):
        visit_record(
            actor=w.joris, dwelling_id=w.homes[w.anna].pk, outcome="completed", client_id=uuid.uuid4()
        )
    assert Dwelling.objects.get(pk=w.homes[w.anna].pk).state == "survey_planned"
    assert not Visit.objects.exists()


def test_a_double_submitted_visit_is_recorded_once(world):
    w = world
    client_id = uuid.uuid4()
    first = visit_record(
        actor=w.joris, dwelling_id=w.homes[w.joris].pk, outcome="completed", client_id=client_id
    )
    again = visit_record(
        actor=w.joris, dwelling_id=w.homes[w.joris].pk, outcome="completed", client_id=client_id
    )
    assert first.pk == again.pk
    assert Visit.objects.count() == 1
    home = Dwelling.objects.get(pk=w.homes[w.joris].pk)
    assert (home.state, home.visit_count) == ("surveyed", 1)


def test_a_visit_id_of_another_home_is_refused(world):
    from django.core.exceptions import ValidationError

    w = world
    client_id = uuid.uuid4()
    visit_record(actor=w.joris, dwelling_id=w.homes[w.joris].pk, outcome="not_home", client_id=client_id)
    with pytest.raises(ValidationError):
        visit_record(actor=w.anna, dwelling_id=w.homes[w.anna].pk, outcome="completed", client_id=client_id)
    assert Dwelling.objects.get(pk=w.homes[w.anna].pk).state == "survey_planned"
