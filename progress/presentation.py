"""The dashboard's charts, drawn once from a ``Dashboard`` for the page and the PDF alike
(``progress.charts``: server-side SVG; each chart's table is on the page beside it)."""

from django.utils.translation import gettext as _

from progress import charts
from progress.aggregates import share
from progress.cells import number
from progress.figures import Dashboard


def draw(board: Dashboard, prefix: str = "chart") -> dict:
    """Every chart of the dashboard by name; ``prefix`` keeps the ids unique in one document."""
    funnel = board.funnel
    drawn = {
        "funnel": charts.bars(
            [(row.label, row.cells["count"]) for row in funnel.rows],
            id=f"{prefix}-funnel",
            title=_("Dwellings per state"),
            description=_("The number of dwellings in each state; the table beside it has the same figures."),
        ),
        "weekly": charts.columns(
            [(row.label, dict(row.cells)) for row in board.weekly.rows],
            [(key, str(label)) for key, label in board.weekly.columns],
            id=f"{prefix}-weekly",
            stacked=True,
            title=_("Milestones per week"),
            description=_(
                "Dwellings surveyed, agreed, installed and connected in each of the last 26 weeks."
            ),
        ),
        "second_visits": charts.bars(
            [(row.label, row.cells["count"]) for row in board.second_visits.rows],
            id=f"{prefix}-second-visits",
            title=_("Visits that did not complete the survey, by reason"),
            description=_("How often a visit ended without a complete survey, per reason."),
        ),
        "thresholds": {
            row.project.slug: charts.progress(
                row.agreed,
                row.total,
                threshold=row.threshold,
                id=f"{prefix}-threshold-{row.project.slug}",
                title=_("%(project)s: share of dwellings agreed against the threshold")
                % {"project": row.project.name},
            )
            for row in board.thresholds
        },
    }
    drawn["cumulative"] = charts.line(
        board.cumulative,
        id=f"{prefix}-cumulative",
        title=_("Connected dwellings"),
        description=_(
            "Dwellings connected, counted at the end of each week, with the forecast at the pace of "
            "the last weeks."
        ),
        forecast=(board.forecast.date, number(board.total))
        if board.forecast and board.forecast.date
        else None,
        target=(_("dwellings in the register"), board.total) if number(board.total) else None,
    )
    clusters = board.breakdowns.get("cluster")
    if clusters is not None and clusters.rows:
        drawn["clusters"] = charts.tiles(
            [(row.label, row.total, _share_connected(row)) for row in clusters.rows],
            id=f"{prefix}-clusters",
            title=_("Clusters: share connected"),
            description=_("Each tile is a cluster with its number of dwellings and the share connected."),
        )
    return drawn


def _share_connected(row):
    return share(row.cells.get("connected"), row.total)
