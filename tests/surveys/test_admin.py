"""The survey admin shows the kitchen-table talk to platform superusers only, and changes nothing: the
answers, photos and visits are written by the survey services."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from surveys.models import Photo, Survey, Visit
from tests.factories import DwellingFactory, UserFactory, fill_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(advised_project, lead_user):
    dwelling = DwellingFactory(project=advised_project)
    return fill_survey(dwelling, by=lead_user)


@pytest.fixture
def visit(survey, lead_user):
    return Visit.objects.create(
        dwelling=survey.dwelling, surveyor=lead_user, started_at=timezone.now(), note="Keukentafel"
    )


@pytest.fixture
def superuser():
    return UserFactory(organisation=None, is_superuser=True, is_staff=True, work_roles=[])


def test_a_superuser_reads_surveys_and_visits_but_changes_nothing(client, superuser, survey, visit):
    client.force_login(superuser)
    answers = dict(survey.answers)
    survey_url = reverse("admin:surveys_survey_change", args=[survey.pk])
    assert client.get(survey_url).status_code == 200
    assert client.post(survey_url, {"answers": "{}", "completed_at_0": "2026-01-01"}).status_code == 403
    survey.refresh_from_db()
    assert survey.answers == answers

    visit_url = reverse("admin:surveys_visit_change", args=[visit.pk])
    assert client.get(visit_url).status_code == 200
    assert client.post(visit_url, {"note": "Anders", "outcome": "completed"}).status_code == 403
    visit.refresh_from_db()
    assert visit.note == "Keukentafel"

    for name, obj in (("survey", survey), ("visit", visit)):
        url = reverse(f"admin:surveys_{name}_delete", args=[obj.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:surveys_visit_add")).status_code == 403
    assert Survey.objects.filter(pk=survey.pk).exists()
    assert Visit.objects.filter(pk=visit.pk).exists()
    assert Photo.objects.filter(survey=survey).exists()


def test_organisation_staff_do_not_see_surveys_in_the_admin(client, lead_user, survey, visit):
    lead_user.is_staff = True
    lead_user.save()
    lead_user.user_permissions.set(Permission.objects.filter(content_type__app_label="surveys"))
    client.force_login(lead_user)
    assert client.get(reverse("admin:surveys_survey_changelist")).status_code == 403
    assert client.get(reverse("admin:surveys_survey_change", args=[survey.pk])).status_code == 403
    assert client.get(reverse("admin:surveys_visit_change", args=[visit.pk])).status_code == 403
