"""The figures of a dashboard for a set of projects, as one ``Dashboard``: what the pages, the exports,
the monthly report and the API show.

Everything is counted in the database, grouped, in a fixed number of queries whatever the number of
dwellings (``tests/progress/test_queries.py`` pins it); counts go through ``aggregates`` so that someone
who sees aggregates only never sees a small group (``Viewer``). Nothing here reads a person's name,
contact details, notes or photos; prices only for a viewer with ``prices``; the free-text reasons of
declines only for an exact viewer.
"""

from __future__ import annotations

import datetime
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from communication.models import Message, MessageStatus
from portal.models import Question, QuestionStatus
from portal.selectors import WORKING_DAYS_TO_ANSWER, add_working_days
from procurement.models import InstallerProfile
from progress.aggregates import Table, Viewer, coarse, protect_count, protect_value, share
from progress.cells import is_suppressed
from projects.models import Dwelling, DwellingTransition, Ownership, Project
from projects.models.dwellings import DwellingType
from projects.states import MAIN_PATH, DwellingState
from surveys.models import Visit, VisitOutcome

S = DwellingState

# The phases a breakdown shows (the states grouped, so that a table stays readable).
PHASES = [
    ("not_started", _("not yet surveyed")),
    ("surveyed", _("surveyed, no agreement yet")),
    ("agreed", _("agreed, not yet installed")),
    ("installed", _("installed")),
    ("connected", _("connected")),
    ("stopped", _("declined, on hold or withdrawn")),
]
PHASE_OF = {
    S.REGISTERED: "not_started",
    S.INFORMED: "not_started",
    S.SURVEY_PLANNED: "not_started",
    S.SURVEYED: "surveyed",
    S.PLAN_READY: "surveyed",
    S.AGREED: "agreed",
    S.ASSIGNED: "agreed",
    S.INSTALLATION_PLANNED: "agreed",
    S.INSTALLED: "installed",
    S.CONNECTED: "connected",
    S.DECLINED: "stopped",
    S.ON_HOLD: "stopped",
    S.WITHDRAWN: "stopped",
}
AGREED_OR_FURTHER = [state.value for state in MAIN_PATH[MAIN_PATH.index(S.AGREED) :]]
OUT = (S.DECLINED, S.WITHDRAWN)

# The weekly throughput's milestones (the register's dates of each, ``_milestone_days``).
MILESTONES = [
    ("surveyed", _("surveyed")),
    ("agreed", _("agreed")),
    ("installed", _("installed")),
    ("connected", _("connected")),
]
WEEKS = 26  # the weekly chart's window
PACE_WEEKS = 8  # the pace of the forecast: the average of the last weeks

LEAD_TIMES = [
    ("informed_surveyed", _("informed → surveyed"), "informed", "surveyed"),
    ("surveyed_agreed", _("surveyed → agreed"), "surveyed", "agreed"),
    ("agreed_connected", _("agreed → connected"), "agreed", "connected"),
    ("informed_connected", _("informed → connected"), "informed", "connected"),
]

DIMENSIONS = [
    ("cluster", _("cluster")),
    ("street", _("street")),
    ("ownership", _("ownership")),
    ("dwelling_type", _("dwelling type")),
    ("installer", _("installer")),
]
EMPTY = "—"


def _week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def percentile(sorted_values: list[float], fraction: float):
    """Nearest rank: the smallest value with at least ``fraction`` of the values at or below it."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class LeadTime:
    key: str
    label: str
    count: object
    median: object  # days
    p80: object


@dataclass
class Forecast:
    pace: float  # connections per week over the last PACE_WEEKS weeks
    remaining: int
    date: datetime.date | None  # None: no pace yet, or nothing left


@dataclass
class Threshold:
    project: Project
    total: object
    agreed: object
    share: object
    threshold: int
    reached: bool | None
    date: datetime.date | None  # when the threshold is expected at the pace of the last weeks
    target_date: datetime.date | None


@dataclass
class Dashboard:
    projects: list[Project]
    viewer: Viewer
    made_at: datetime.datetime
    total: object = 0
    funnel: Table | None = None
    phases_per_project: Table | None = None
    thresholds: list[Threshold] = field(default_factory=list)
    weekly: Table | None = None
    cumulative: list[tuple[datetime.date, int]] = field(default_factory=list)
    forecast: Forecast | None = None
    lead_times: list[LeadTime] = field(default_factory=list)
    visits: dict = field(default_factory=dict)
    second_visits: Table | None = None
    declines: dict = field(default_factory=dict)
    messages: Table | None = None
    questions: dict = field(default_factory=dict)
    costs: list[dict] | None = None
    rework: Table | None = None
    capacity: list[dict] = field(default_factory=list)
    breakdowns: dict[str, Table] = field(default_factory=dict)

    @property
    def suppressed(self) -> bool:
        return not self.viewer.exact

    @property
    def connected(self):
        return self.funnel_count(S.CONNECTED)

    def funnel_count(self, state):
        for row in self.funnel.rows if self.funnel else []:
            if row.key == state:
                return row.cells["count"]
        return 0


def dashboard(projects: list[Project], viewer: Viewer) -> Dashboard:
    """Every figure of the dashboard of ``projects`` as ``viewer`` may see them."""
    ids = [project.pk for project in projects]
    dwellings = Dwelling.objects.filter(project_id__in=ids)
    today = timezone.localdate()
    board = Dashboard(projects=projects, viewer=viewer, made_at=timezone.now())

    per_project = defaultdict(lambda: defaultdict(int))
    for project_id, state, count in (
        dwellings.order_by()
        .values_list("project_id", "state")
        .annotate(n=Count("pk"))
        .values_list("project_id", "state", "n")
    ):
        per_project[project_id][state] += count
    states: dict[str, int] = defaultdict(int)
    for counts in per_project.values():
        for state, count in counts.items():
            states[state] += count
    exact_total = sum(states.values())

    board.funnel = viewer.table(
        Table.of_counts(
            "funnel",
            _("Dwellings per state"),
            [("count", _("dwellings"))],
            [(state.value, state.label, {"count": states.get(state.value, 0)}) for state in S],
            row_totals=False,
        )
    )
    board.total = board.funnel.grand
    board.phases_per_project = viewer.table(
        Table.of_counts(
            "projects",
            _("Per project"),
            PHASES,
            [(project.slug, project.name, _phases(per_project.get(project.pk, {}))) for project in projects],
        )
    )

    first_week = _week_start(today) - datetime.timedelta(weeks=WEEKS - 1)
    days = _milestone_days(dwellings, first_week)
    weekly, pace = _weekly(days, today, viewer)
    board.weekly = weekly
    board.thresholds = [
        _threshold(
            project, per_project.get(project.pk, {}), pace["agreed"].get(project.pk, 0.0), viewer, today
        )
        for project in projects
    ]
    remaining = exact_total - states.get(S.CONNECTED, 0) - sum(states.get(state, 0) for state in OUT)
    connected_pace = sum(pace["connected"].values())
    board.forecast = Forecast(
        pace=round(connected_pace, 1),
        remaining=remaining,
        date=(
            today + datetime.timedelta(weeks=math.ceil(remaining / connected_pace))
            if connected_pace and remaining > 0
            else None
        ),
    )
    board.cumulative = [(week, coarse(count, viewer)) for week, count in _cumulative(dwellings, days, today)]

    board.lead_times = _lead_times(dwellings, viewer)
    board.visits, board.second_visits = _visits(dwellings, ids, viewer)
    board.declines = _declines(ids, states.get(S.DECLINED, 0), viewer)
    board.messages = _messages(ids, viewer)
    board.questions = _questions(ids, viewer)
    board.rework = _rework(dwellings, ids, viewer)
    board.capacity = _capacity(dwellings, today)
    board.breakdowns = {key: _breakdown(dwellings, key, label, viewer) for key, label in DIMENSIONS}
    if viewer.prices:
        board.costs = _costs(projects)
    return board


def _phases(states: dict[str, int]) -> dict[str, int]:
    phases: dict[str, int] = defaultdict(int)
    for state, count in states.items():
        phases[PHASE_OF.get(state, "not_started")] += count
    return phases


# --- throughput and the forecast ---------------------------------------------------------------------


def _milestone_days(dwellings, first: datetime.date) -> dict[str, list[tuple[int, datetime.date, int]]]:
    """Per milestone, (project id, day, dwellings) from ``first`` on: the day each dwelling reached it
    as the register keeps it (surveyed: the survey's completion; agreed: the signing date; installed,
    connected: their dates). Dates are grouped by the database; the survey's moment is a date and time,
    read as the local day here (a date cast in SQL is a Python function on SQLite, per row)."""
    found: dict[str, list] = {}
    for key, column in (
        ("agreed", "agreement_signed_on"),
        ("installed", "installed_on"),
        ("connected", "connected_on"),
    ):
        found[key] = list(
            dwellings.filter(**{f"{column}__gte": first})
            .order_by()
            .values_list("project_id", column)
            .annotate(n=Count("pk"))
            .values_list("project_id", column, "n")
        )
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    zone = timezone.get_current_timezone()
    surveyed: dict[tuple[int, datetime.date], int] = defaultdict(int)
    for project_id, moment in (
        dwellings.filter(survey_completed_at__gte=since)
        .order_by()
        .values_list("project_id", "survey_completed_at")
        .iterator(chunk_size=5000)
    ):
        surveyed[project_id, moment.astimezone(zone).date()] += 1
    found["surveyed"] = [(project_id, day, n) for (project_id, day), n in surveyed.items()]
    return found


def _weekly(days, today, viewer):
    """The milestones reached per week over the last ``WEEKS`` weeks (this week included), and the
    pace per project of agreements and connections over the last ``PACE_WEEKS`` full weeks."""
    this_week = _week_start(today)
    first = this_week - datetime.timedelta(weeks=WEEKS - 1)
    pace_from = this_week - datetime.timedelta(weeks=PACE_WEEKS)
    counts: dict[datetime.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    pace: dict[str, dict[int, float]] = {"agreed": defaultdict(float), "connected": defaultdict(float)}
    for key, rows in days.items():
        for project_id, day, n in rows:
            week = _week_start(day)
            if not first <= week <= this_week:
                continue
            counts[week][key] += n
            if key in pace and pace_from <= week < this_week:
                pace[key][project_id] += n / PACE_WEEKS
    weeks = [first + datetime.timedelta(weeks=n) for n in range(WEEKS)]
    table = Table.of_counts(
        "weekly",
        _("Milestones per week"),
        [(key, label) for key, label in MILESTONES],
        [(week.isoformat(), _week_label(week, week == first), counts.get(week, {})) for week in weeks],
        row_totals=False,
    )
    return viewer.table(table), pace


def _week_label(week: datetime.date, first: bool) -> str:
    """The Monday of a week, short, in the page's language: "8 jun"; the year with the first week and
    the first week of a year."""
    with_year = first or (week.month == 1 and week.day <= 7)
    return formats.date_format(week, "j M Y" if with_year else "j M")


def _cumulative(dwellings, days, today) -> list[tuple[datetime.date, int]]:
    """Connected dwellings at the end of each week of the window (for the line chart)."""
    first = _week_start(today) - datetime.timedelta(weeks=WEEKS - 1)
    before = dwellings.filter(connected_on__lt=first).count()
    per_week: dict[datetime.date, int] = defaultdict(int)
    for _project_id, day, n in days["connected"]:
        per_week[_week_start(day)] += n
    points, running = [], before
    for n in range(WEEKS):
        week = first + datetime.timedelta(weeks=n)
        running += per_week.get(week, 0)
        points.append((week, running))
    return points


def _threshold(project, states, agreed_pace, viewer, today) -> Threshold:
    total = sum(states.values())
    agreed = sum(states.get(state, 0) for state in AGREED_OR_FURTHER)
    needed = math.ceil(project.signup_threshold * total / 100) if total else 0
    reached = agreed >= needed if total else None
    date = None
    if total and not reached and agreed_pace:
        date = today + datetime.timedelta(weeks=math.ceil((needed - agreed) / agreed_pace))
    shown_total, shown_agreed = protect_count(total, viewer), protect_count(agreed, viewer)
    return Threshold(
        project=project,
        total=shown_total,
        agreed=shown_agreed,
        share=share(shown_agreed, shown_total),
        threshold=project.signup_threshold,
        reached=reached,
        date=date,
        target_date=project.target_date,
    )


# --- lead times, visits, declines --------------------------------------------------------------------


def _lead_times(dwellings, viewer) -> list[LeadTime]:
    """Median and 80th percentile of the days between milestones, over the dwellings that reached
    both: informed (the first *inform* move), surveyed, agreed (the signing date) and connected."""
    informed = (
        DwellingTransition.objects.filter(dwelling=OuterRef("pk"), transition="inform")
        .order_by()
        .values("dwelling")
        .annotate(first=Min("at"))
        .values("first")
    )
    rows = (
        dwellings.filter(Q(survey_completed_at__isnull=False) | Q(connected_on__isnull=False))
        .annotate(informed_at=Subquery(informed))
        .values_list("informed_at", "survey_completed_at", "agreement_signed_on", "connected_on")
    )
    spans: dict[str, list[float]] = {key: [] for key, *_rest in LEAD_TIMES}
    for informed_at, surveyed_at, agreed_on, connected_on in rows.iterator(chunk_size=5000):
        days = {
            "informed": _day(informed_at),
            "surveyed": _day(surveyed_at),
            "agreed": agreed_on,
            "connected": connected_on,
        }
        for key, _label, start, end in LEAD_TIMES:
            if days[start] and days[end] and days[end] >= days[start]:
                spans[key].append((days[end] - days[start]).days)
    result = []
    for key, label, _start, _end in LEAD_TIMES:
        values = sorted(spans[key])
        count = len(values)
        result.append(
            LeadTime(
                key=key,
                label=label,
                count=protect_count(count, viewer),
                median=protect_value(percentile(values, 0.5), count, viewer),
                p80=protect_value(percentile(values, 0.8), count, viewer),
            )
        )
    return result


def _day(moment):
    """The local day of a moment from the database (aware; naive ones are taken as they are)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(timezone.get_current_timezone()).date()


def _visits(dwellings, ids, viewer):
    figures = dwellings.filter(visit_count__gt=0).aggregate(
        visited=Count("pk"),
        surveyed=Count("pk", filter=Q(survey_completed_at__isnull=False)),
        one_visit=Count("pk", filter=Q(survey_completed_at__isnull=False, visit_count=1)),
        more=Count("pk", filter=Q(visit_count__gt=1)),
        visits=Coalesce(Sum("visit_count"), 0),
    )
    visited = figures["visited"]
    table = Table.of_counts(
        "second_visits",
        _("Visits that did not complete the survey, by reason"),
        [("count", _("visits"))],
        [(outcome.value, outcome.label, {"count": n}) for outcome, n in _failed_visits(ids).items()],
        row_totals=False,
    )
    surveyed = protect_count(figures["surveyed"], viewer)
    one_visit = protect_count(figures["one_visit"], viewer)
    return (
        {
            "visited": protect_count(visited, viewer),
            "surveyed": surveyed,
            "one_visit": one_visit,
            "one_visit_share": share(one_visit, surveyed),
            "more_than_one": protect_count(figures["more"], viewer),
            "per_dwelling": protect_value(
                round(figures["visits"] / visited, 2) if visited else None, visited, viewer
            ),
        },
        viewer.table(table),
    )


def _failed_visits(ids) -> dict:
    counts = dict(
        Visit.objects.filter(dwelling__project_id__in=ids)
        .exclude(outcome__in=["", VisitOutcome.COMPLETED])
        .order_by()
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n")
    )
    return {
        outcome: counts.get(outcome.value, 0) for outcome in VisitOutcome if outcome != VisitOutcome.COMPLETED
    }


def _declines(ids, declined: int, viewer) -> dict:
    """The declined dwellings; for an exact viewer also the reasons given, most frequent first (free
    text: never for someone who sees aggregates only)."""
    result = {"count": protect_count(declined, viewer), "reasons": []}
    if viewer.exact:
        result["reasons"] = list(
            DwellingTransition.objects.filter(
                dwelling__project_id__in=ids, transition="decline", dwelling__state=S.DECLINED
            )
            .exclude(reason="")
            .order_by()
            .values_list("reason")
            .annotate(n=Count("pk"))
            .order_by("-n", "reason")
            .values_list("reason", "n")[:10]
        )
    return result


# --- messages, questions, costs ----------------------------------------------------------------------

DELIVERED = (MessageStatus.DELIVERED,)
SENT = (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.UNKNOWN, MessageStatus.BOUNCED)


def _messages(ids, viewer) -> Table:
    """Messages to residents per channel: made, sent (left us) and delivered (the provider said so)."""
    from projects.models import Channel

    rows = (
        Message.objects.filter(project_id__in=ids)
        .order_by()
        .values_list("channel")
        .annotate(
            made=Count("pk"),
            sent=Count("pk", filter=Q(status__in=SENT)),
            delivered=Count("pk", filter=Q(status__in=DELIVERED)),
        )
        .values_list("channel", "made", "sent", "delivered")
    )
    counts = {
        channel: {"made": made, "sent": sent, "delivered": delivered}
        for channel, made, sent, delivered in rows
    }
    table = Table.of_counts(
        "messages",
        _("Messages to residents"),
        [("made", _("made")), ("sent", _("sent")), ("delivered", _("delivered"))],
        [(channel.value, channel.label, counts.get(channel.value, {})) for channel in Channel],
        row_totals=False,
    )
    # "made", "sent" and "delivered" overlap: only the column totals add up, not a row.
    return viewer.table(table)


def _questions(ids, viewer) -> dict:
    questions = Question.objects.filter(project_id__in=ids)
    counts = questions.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=QuestionStatus.OPEN)),
        aftercare=Count("pk", filter=Q(kind="aftercare")),
    )
    answered = list(
        questions.filter(answered_at__isnull=False)
        .order_by("answered_at")
        .values_list("created_at", "answered_at")
    )
    hours = sorted((done - asked).total_seconds() / 3600 for asked, done in answered)
    in_time = sum(1 for asked, done in answered if done <= add_working_days(asked, WORKING_DAYS_TO_ANSWER))
    n = len(answered)
    in_time_shown = protect_count(in_time, viewer)
    answered_shown = protect_count(n, viewer)
    return {
        "total": protect_count(counts["total"], viewer),
        "open": protect_count(counts["open"], viewer),
        "aftercare": protect_count(counts["aftercare"], viewer),
        "answered": answered_shown,
        "median_hours": protect_value(round(percentile(hours, 0.5), 1) if hours else None, n, viewer),
        "within_two_days": share(in_time_shown, answered_shown),
    }


def _costs(projects) -> list[dict]:
    from procurement.costs import project_costs

    rows = []
    for project in projects:
        figures = project_costs(project)
        rows.append(
            {
                "project": project,
                "budget": figures.budget,
                "estimate": figures.estimate,
                "actual": figures.actual,
                "estimate_of_done": figures.estimate_of_done,
                "done": figures.done,
                "over_budget": figures.over_budget,
            }
        )
    return rows


# --- installers --------------------------------------------------------------------------------------


def _rework(dwellings, ids, viewer) -> Table:
    """Per installer: installations reported (installed or connected now) and rejected by the heat
    company (each rejection counts; the dwelling's current installer)."""
    done = dict(
        dwellings.filter(installer__isnull=False, state__in=[S.INSTALLED, S.CONNECTED])
        .order_by()
        .values_list("installer__name")
        .annotate(n=Count("pk"))
        .values_list("installer__name", "n")
    )
    rejected = dict(
        DwellingTransition.objects.filter(
            dwelling__project_id__in=ids, transition="reject_installation", dwelling__installer__isnull=False
        )
        .order_by()
        .values_list("dwelling__installer__name")
        .annotate(n=Count("pk"))
        .values_list("dwelling__installer__name", "n")
    )
    names = sorted(set(done) | set(rejected))
    table = Table.of_counts(
        "rework",
        _("Rework after rejected installations"),
        [("done", _("installed or connected")), ("rejected", _("rejections"))],
        [(name, name, {"done": done.get(name, 0), "rejected": rejected.get(name, 0)}) for name in names],
        row_totals=False,
    )
    return viewer.table(table)


def _capacity(dwellings, today) -> list[dict]:
    """Per installer and week (four weeks back, eight ahead): installations planned against the
    connections per week it stated. Counts of an organisation's work, not of people: not suppressed."""
    first = _week_start(today) - datetime.timedelta(weeks=4)
    last = _week_start(today) + datetime.timedelta(weeks=8)
    planned = (
        dwellings.filter(
            installer__isnull=False,
            installation_planned_on__gte=first,
            installation_planned_on__lt=last + datetime.timedelta(weeks=1),
        )
        .order_by()
        .values_list("installer_id", "installer__name", "installation_planned_on")
        .annotate(n=Count("pk"))
    )
    per: dict[tuple[int, str], dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
    for installer_id, name, day, n in planned:
        per[(installer_id, name)][_week_start(day)] += n
    capacity = dict(
        InstallerProfile.objects.filter(organisation_id__in=[key[0] for key in per]).values_list(
            "organisation_id", "connections_per_week"
        )
    )
    weeks = [first + datetime.timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
    rows = []
    for (installer_id, name), counts in sorted(per.items(), key=lambda item: item[0][1]):
        limit = capacity.get(installer_id)
        rows.append(
            {
                "installer": name,
                "capacity": limit,
                "weeks": [
                    {
                        "week": week,
                        "planned": counts.get(week, 0),
                        "used": round(100 * counts.get(week, 0) / limit) if limit else None,
                    }
                    for week in weeks
                ],
            }
        )
    return rows


# --- breakdowns --------------------------------------------------------------------------------------


def _breakdown(dwellings, key: str, label, viewer) -> Table:
    column = {"installer": "installer__name"}.get(key, key)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for value, state, n in (
        dwellings.order_by()
        .values_list(column, "state")
        .annotate(n=Count("pk"))
        .values_list(column, "state", "n")
    ):
        counts[value or ""][PHASE_OF.get(state, "not_started")] += n
    names = _value_labels(key)
    rows = [
        (value or EMPTY, str(names.get(value, value or EMPTY)), phases)
        for value, phases in sorted(
            counts.items(), key=lambda item: (item[0] == "", natural(str(names.get(item[0], item[0]))))
        )
    ]
    table = Table.of_counts(f"by_{key}", label, PHASES, rows)
    return viewer.table(table)


def natural(text: str) -> list:
    """A sort key that puts "Blok 2" before "Blok 10"."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in re.split(r"(\d+)", text)
    ]


def _value_labels(key: str) -> dict:
    if key == "ownership":
        return dict(Ownership.choices)
    if key == "dwelling_type":
        return dict(DwellingType.choices)
    return {}


def has_hidden(table: Table | None) -> bool:
    if table is None:
        return False
    return any(is_suppressed(v) for row in table.rows for v in [*row.cells.values(), row.total]) or any(
        is_suppressed(v) for v in [*table.totals.values(), table.grand]
    )


__all__ = ["DIMENSIONS", "PHASES", "Dashboard", "dashboard", "has_hidden", "percentile"]
