"""Progress figures through the API: the same figures as the page, scoped the same, hidden the same."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from progress import scopes
from progress.figures import dashboard
from tests.progress import data

pytestmark = pytest.mark.django_db


def get(user, path):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/progress/{path}")


def table(body, key):
    (found,) = [t for t in body["tables"] if t["key"] == key]
    return {row["key"]: row for row in found["rows"]}


def test_the_lead_gets_exact_figures_with_costs(programme):
    answer = get(programme["lead"], "programme/")
    assert answer.status_code == 200
    body = answer.json()
    projects, viewer = scopes.programme_scope(programme["lead"])
    board = dashboard(projects, viewer)
    assert body["exact"] is True and body["total"] == board.total == 180
    assert {row["project"] for row in body["costs"]} == {"lindehof", "beukenhof"}
    assert table(body, "by_street")["Kastanjelaan"]["total"] == 3


def test_the_municipality_gets_hidden_small_groups_and_no_prices(programme):
    body = get(programme["municipality"], "municipality/").json()
    assert body["exact"] is False and body["suppressed_below"] == 10 and "costs" not in body
    assert table(body, "by_street")["Kastanjelaan"]["total"] == "< 10"
    # A project dashboard of the municipality's: the same rules.
    assert get(programme["municipality"], "projects/lindehof/").json()["exact"] is False


def test_outside_the_scope_nothing_exists(programme):
    outsider = programme["outsider"]
    assert get(outsider, "projects/lindehof/").status_code == 404
    assert get(outsider, "municipality/").status_code == 404
    assert get(outsider, "elsewhere/").status_code == 404
    assert APIClient().get("/api/v1/progress/programme/").status_code in (401, 403)


def test_the_same_queries_for_few_and_many(programme):
    client = APIClient()

    def count():
        # A fresh user object each time, as each request of a real client loads one.
        client.force_authenticate(
            type(programme["municipality"]).objects.get(pk=programme["municipality"].pk)
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/progress/municipality/").status_code == 200
        return len(queries)

    few = count()
    data.build(programme["lindehof"], 1500, installer=programme["installer_org"], seed=9)
    assert count() == few
