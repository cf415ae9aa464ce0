"""Approving the plan has both versions of the connection plan made, once the approval is committed."""

import pytest
from django.utils import timezone

from projects.services import TransitionRefused, dwelling_transition
from surveys.models import ConnectionPlan
from tests.factories import DwellingFactory, fill_survey

pytestmark = pytest.mark.django_db


def test_approving_the_plan_makes_both_versions(
    advised_project, lead_user, django_capture_on_commit_callbacks
):
    home = DwellingFactory(project=advised_project, state="surveyed", survey_completed_at=timezone.now())
    fill_survey(home, by=lead_user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dwelling_transition(actor=lead_user, dwelling_id=home.pk, transition="approve_plan")
        assert not ConnectionPlan.objects.exists()  # nothing before the approval is committed
    assert len(callbacks) == 1
    plans = ConnectionPlan.objects.filter(dwelling=home)
    assert sorted(plans.values_list("variant", "version")) == [("full", 1), ("installer", 1)]
    assert all(plan.file.read(4) == b"%PDF" for plan in plans)


def test_a_refused_approval_makes_no_plan(advised_project, lead_user, django_capture_on_commit_callbacks):
    home = DwellingFactory(project=advised_project, state="survey_planned")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionRefused):
        dwelling_transition(actor=lead_user, dwelling_id=home.pk, transition="approve_plan")
    assert not ConnectionPlan.objects.exists()
