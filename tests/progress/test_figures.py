"""The dashboard's figures against the data they count: the lead party sees exact counts, the
municipality the same figures with small groups hidden, and another party's project counts nowhere."""

import pytest

from progress import scopes
from progress.cells import Suppressed, is_suppressed
from progress.figures import dashboard
from projects.models import Dwelling

pytestmark = pytest.mark.django_db


def cells(table):
    return {row.key: dict(row.cells, total=row.total) for row in table.rows}


def test_the_lead_sees_exact_counts_of_its_projects(programme):
    projects, viewer = scopes.programme_scope(programme["lead"])
    assert [p.slug for p in projects] == ["beukenhof", "lindehof"]
    assert viewer.exact and viewer.prices
    board = dashboard(projects, viewer)
    ours = Dwelling.objects.filter(project__in=projects)
    assert board.total == ours.count() == 180
    funnel = {row.key: row.cells["count"] for row in board.funnel.rows}
    assert funnel["connected"] == ours.filter(state="connected").count() > 0
    assert sum(funnel.values()) == 180
    # The street of three is there, exact, for the lead.
    streets = cells(board.breakdowns["street"])
    assert streets["Kastanjelaan"]["total"] == 3
    # Milestones per week add up to the dwellings that reached them in the window.
    weekly_connected = sum(row.cells["connected"] for row in board.weekly.rows)
    first_week = min(row.key for row in board.weekly.rows)
    assert weekly_connected == ours.filter(connected_on__gte=first_week).count() > 0
    weekly_agreed = sum(row.cells["agreed"] for row in board.weekly.rows)
    assert weekly_agreed == ours.filter(agreement_signed_on__gte=first_week).count() > 0
    # The line of connected dwellings ends at all connected dwellings.
    assert board.cumulative[-1][1] == ours.filter(connected_on__isnull=False).count()
    # Lead times: a median between the 50th and the 80th percentile, in days.
    informed_connected = {row.key: row for row in board.lead_times}["informed_connected"]
    assert informed_connected.count == ours.filter(state="connected").count()
    assert 0 < informed_connected.median <= informed_connected.p80
    assert board.declines["reasons"] and board.costs is not None


def test_the_municipality_sees_the_same_with_small_groups_hidden(programme):
    projects, viewer = scopes.municipality_scope(programme["municipality"])
    assert not viewer.exact and not viewer.prices
    board = dashboard(projects, viewer)
    streets = cells(board.breakdowns["street"])
    assert all(is_suppressed(v) or v == 0 for v in streets["Kastanjelaan"].values())
    assert is_suppressed(streets["Kastanjelaan"]["total"])
    # No free text, no prices.
    assert board.declines["reasons"] == [] and board.costs is None
    # Every shown count is true: equal to the lead's, or hidden.
    exact = dashboard(projects, scopes.viewer_for(programme["lead"], projects))
    for key, table in board.breakdowns.items():
        truth = cells(exact.breakdowns[key])
        for row_key, row in cells(table).items():
            for column, value in row.items():
                assert is_suppressed(value) or value == truth[row_key][column], (key, row_key, column)
    assert str(Suppressed(10)) == "< 10"


def test_another_partys_project_counts_nowhere(programme):
    outsider = programme["outsider"]
    projects, viewer = scopes.programme_scope(outsider)
    assert [p.slug for p in projects] == ["elders"]
    assert dashboard(projects, viewer).total == 30
    from django.http import Http404

    with pytest.raises(Http404):
        scopes.municipality_scope(outsider)
    with pytest.raises(Http404):
        scopes.project_scope(outsider, "lindehof")
    # The installer sees its project, in aggregate only.
    projects, viewer = scopes.project_scope(programme["installer"], "lindehof")
    assert not viewer.exact and not viewer.prices
