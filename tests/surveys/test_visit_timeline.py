"""A visit is in the dwelling's timeline once, with its outcome, and the resident may read it."""

import datetime
import uuid

import pytest
from django.utils import timezone

from projects.models import Role
from projects.services import dwelling_transition
from projects.timeline import timeline
from projects.workflow import MOVES
from surveys.services import visit_record
from tests.factories import DwellingFactory, ParticipationFactory, UserFactory, fill_survey

pytestmark = pytest.mark.django_db


def test_each_visit_is_told_once_with_its_outcome_and_reason(advised_project, lead_user, heat_company):
    ParticipationFactory(project=advised_project, organisation=heat_company, role=Role.SURVEY_PARTY)
    surveyor = UserFactory(organisation=heat_company, field_worker=True)
    home = DwellingFactory(project=advised_project, state="informed")
    fill_survey(home, by=surveyor)

    def plan(hours):
        dwelling_transition(
            actor=lead_user,
            dwelling_id=home.pk,
            transition="plan_survey",
            surveyor=surveyor,
            appointment_at=timezone.now() + datetime.timedelta(days=1, hours=hours),
        )

    plan(0)
    visit_record(actor=surveyor, dwelling_id=home.pk, outcome="not_home", client_id=uuid.uuid4())
    plan(3)
    visit_record(
        actor=surveyor,
        dwelling_id=home.pk,
        outcome="completed",
        client_id=uuid.uuid4(),
        second_visit_reason="Eerder niemand thuis.",
    )
    entries = timeline(home, lead_user)
    kinds = [(entry.kind, entry.title) for entry in entries]
    assert [kind for kind, _title in kinds].count("visit") == 2
    told_twice = {str(MOVES[name].done) for name in ("record_survey", "visit_failed")}
    assert not [title for kind, title in kinds if kind == "transition" and title in told_twice]
    assert [title for kind, title in kinds if kind == "transition"].count(str(MOVES["plan_survey"].done)) == 2
    public = timeline(home, lead_user, public_only=True)
    visits = [entry for entry in public if entry.kind == "visit"]
    assert len(visits) == 2
    assert "Eerder niemand thuis." in visits[0].body  # newest first: the second visit
