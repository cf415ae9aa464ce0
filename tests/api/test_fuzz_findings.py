"""What the fuzz run (tests/api/test_fuzz.py) found, each pinned by a plain request: it stays fixed even if
the fuzz run's examples change. The schema's part is in tests/api/test_schema.py."""

import datetime
import json
import uuid

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone
from rest_framework.test import APIClient

from surveys.models import Survey, Visit
from tests.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings) -> World:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return build_world()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_empty_relation_is_null(world):
    body = client_for(world.people["coordinator"]).get(f"/api/v1/dwellings/{world.dwellings['informed'].pk}/")
    assert body.status_code == 200
    assert body.json()["installer"] is None
    assert body.json()["technician"] is None
    assert body.json()["housing_association"] is None


def test_having_plans_made_again_answers_the_versions(world):
    """It failed (500) whenever the home had plans already: the versions were serialized twice."""
    home = world.dwellings["plan_ready"]
    response = client_for(world.people["coordinator"]).post(f"/api/v1/plans/dwellings/{home.pk}/render/")
    assert response.status_code == 202
    plans = response.json()["plans"]
    assert plans
    assert all(plan["file"].startswith("http://testserver/api/v1/plans/") for plan in plans)


def test_answers_sent_as_a_form_are_read_as_the_form_says(world):
    """The answers as one form field (not an object) failed (500): the view read the raw field instead of
    what the serializer made of it. A form field without keys is no answers: nothing changes."""
    home = world.dwellings["survey_planned"]
    before = Survey.objects.get(dwelling=home).answers
    body = encode_multipart(BOUNDARY, {"answers": json.dumps({"dwelling_scan.boiler_age": 7})})
    response = client_for(world.people["surveyor"]).generic(
        "PATCH", f"/api/v1/surveys/{home.pk}/answers/", body, content_type=MULTIPART_CONTENT
    )
    assert response.status_code < 500
    assert Survey.objects.get(dwelling=home).answers == before


@pytest.mark.parametrize("moment", ["started_at", "finished_at"])
def test_a_visit_from_a_clock_far_behind_is_refused(world, moment):
    """A visit that started in 1344 was recorded, and its time came back in the local mean time of
    Amsterdam then (+00:19:32), which is no date-time of the schema."""
    home = world.dwellings["survey_planned"]
    visit = {
        "outcome": "not_home",
        "client_id": str(uuid.uuid4()),
        moment: "1344-12-02T06:23:14Z",
    }
    before = Visit.objects.filter(dwelling=home).count()
    response = client_for(world.people["surveyor"]).post(
        f"/api/v1/surveys/{home.pk}/visits/", visit, format="json"
    )
    assert response.status_code == 400
    assert moment in response.json()
    assert Visit.objects.filter(dwelling=home).count() == before
    home.refresh_from_db()
    assert home.state == "survey_planned"


def test_a_visit_sent_weeks_later_is_still_recorded(world):
    home = world.dwellings["survey_planned"]
    ended = timezone.now() - datetime.timedelta(days=50)
    visit = {
        "outcome": "not_home",
        "client_id": str(uuid.uuid4()),
        "started_at": (ended - datetime.timedelta(hours=1)).isoformat(),
        "finished_at": ended.isoformat(),
    }
    response = client_for(world.people["surveyor"]).post(
        f"/api/v1/surveys/{home.pk}/visits/", visit, format="json"
    )
    assert response.status_code == 201
    assert Visit.objects.get(client_id=visit["client_id"]).finished_at == ended
