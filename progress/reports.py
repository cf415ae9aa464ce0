"""The monthly progress report: a PDF per project, per programme and per municipality, made for one
organisation and kept per month (``MonthlyReport``).

It shows what the organisation's people see on the dashboard: the same ``Dashboard`` through the same
viewer rules (``organisation_viewer``: what ``scopes.viewer_for`` gives any of its people who may open
the dashboard), so a municipality's report holds aggregates only, with small groups hidden by the
aggregation service. Besides the figures and charts (``presentation.draw``, the page's SVG) it holds
each project's governance advisories (``projects.advisories``) and what changed since the last report:
each report keeps its key figures as shown (``figures``) and the next compares with them.

Made by ``reports_monthly`` on the first of the month (``CELERY_BEAT_SCHEDULE``): a project report for
each lead party of every project, a programme report for every lead party or heat company, a
municipality report for every municipality taking part in a project; and on demand from the dashboard
(``report_request``). One row per scope and month: asking again while it is being made changes
nothing, asking again later makes the month's report anew in the same row.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import dateformat, timezone, translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.permissions import COST_ROLES
from progress import presentation
from progress.aggregates import Viewer
from progress.cells import HIDDEN, Suppressed
from progress.exports import sheets
from progress.figures import Dashboard, dashboard
from progress.models import MonthlyReport
from progress.permissions import can_make_reports
from progress.scopes import PROGRAMME_ROLES
from projects.advisories import advise
from projects.models import Organisation, Participation, Project, Role, SubTeam, User
from projects.permissions import FULL_VIEW_ROLES
from surveys.plans.pdf import html_to_pdf

logger = logging.getLogger(__name__)

Kind = MonthlyReport.Kind
ROLES_OF_KIND = {Kind.PROGRAMME: PROGRAMME_ROLES, Kind.MUNICIPALITY: {Role.MUNICIPALITY}}
READ_ONLY = gettext_lazy("Your account reads only: a colleague who works in the project makes a report now.")
# A request still being made after this long lost its task: asking again sends it again.
PENDING_FOR = datetime.timedelta(minutes=15)

# The key figures a report keeps and compares with the last report's.
KEY_FIGURES = [
    ("total", gettext_lazy("dwellings in the register")),
    ("not_started", gettext_lazy("not yet surveyed")),
    ("surveyed", gettext_lazy("surveyed, no agreement yet")),
    ("agreed", gettext_lazy("agreed, not yet installed")),
    ("installed", gettext_lazy("installed")),
    ("connected", gettext_lazy("connected")),
    ("stopped", gettext_lazy("declined, on hold or withdrawn")),
    ("pace", gettext_lazy("connections a week (last 8 weeks)")),
    ("forecast", gettext_lazy("last connection at this pace")),
    ("one_visit_share", gettext_lazy("surveyed in one visit (%)")),
    ("open_questions", gettext_lazy("residents' questions still open")),
]


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


# --- scope and viewer ------------------------------------------------------------------------------------


def report_projects(kind: str, organisation: Organisation, project: Project | None = None) -> list[Project]:
    """The projects a report covers."""
    if kind == Kind.PROJECT:
        return [project]
    ids = Participation.objects.filter(organisation=organisation, role__in=ROLES_OF_KIND[kind]).values(
        "project_id"
    )
    return list(Project.objects.filter(pk__in=ids).order_by("name", "pk"))


def organisation_viewer(organisation: Organisation, projects: list[Project]) -> Viewer:
    """How the organisation's people see these projects (``scopes.viewer_for`` for any of them who may
    open the dashboard): exact where it sees every dwelling of every project, prices where it is the
    lead party or the heat company of every one."""
    roles: dict[int, set[str]] = {}
    for project_id, role in Participation.objects.filter(
        organisation=organisation, project__in=projects
    ).values_list("project_id", "role"):
        roles.setdefault(project_id, set()).add(role)
    exact = bool(projects) and all(roles.get(p.pk, set()) & FULL_VIEW_ROLES for p in projects)
    prices = bool(projects) and all(roles.get(p.pk, set()) & COST_ROLES for p in projects)
    return Viewer(exact=exact, prices=prices, below=settings.PROGRESS_SMALL_CELL)


# --- key figures and what changed ------------------------------------------------------------------------


def _stored(value):
    """A figure as JSON: a hidden value as its label ("< 10", "x"), a date as ISO, an amount as a number."""
    if isinstance(value, Suppressed):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def key_figures(board: Dashboard) -> dict:
    phases = board.phases_per_project.totals if board.phases_per_project else {}
    forecast = board.forecast
    values = {
        "total": board.total,
        **{key: phases.get(key) for key in ("not_started", "surveyed", "agreed", "installed", "stopped")},
        "connected": board.connected,
        "pace": forecast.pace if forecast else None,
        "forecast": forecast.date if forecast else None,
        "one_visit_share": board.visits.get("one_visit_share"),
        "open_questions": board.questions.get("open"),
    }
    return {key: _stored(values.get(key)) for key, _label in KEY_FIGURES}


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def changes(current: dict, previous: dict | None, viewer: Viewer) -> list[dict]:
    """Each key figure now and at the last report, with the difference where both are numbers. For
    someone who sees aggregates only a difference of fewer than the threshold is hidden as well."""
    rows = []
    for key, label in KEY_FIGURES:
        now, then = current.get(key), (previous or {}).get(key)
        difference = None
        if previous is not None and _number(now) and _number(then):
            difference = now - then
            if isinstance(difference, float):
                difference = round(difference, 1)
            if not viewer.exact and isinstance(difference, int) and 0 < abs(difference) < viewer.below:
                difference = Suppressed(viewer.below)
        rows.append(
            {
                "key": key,
                "label": label,
                "now": _shown(key, now),
                "then": _shown(key, then) if previous is not None else None,
                "difference": difference,
            }
        )
    return rows


def _shown(key: str, value):
    """A stored figure as the report shows it."""
    if isinstance(value, str) and value.startswith("<"):
        return Suppressed(int(value.lstrip("< ")))
    if value == HIDDEN:
        return Suppressed(settings.PROGRESS_SMALL_CELL, small=False)
    if key == "forecast" and isinstance(value, str):
        return date_format(datetime.date.fromisoformat(value), "F Y")
    return value


# --- asking for a report ---------------------------------------------------------------------------------


def _enqueue(report_id: int) -> None:
    from progress.tasks import report_make_task

    report_make_task.delay(report_id)


def report_request(*, actor: User, kind: str, project: Project | None = None) -> MonthlyReport:
    """Have this month's report made now, for the person's organisation (the caller checked that the
    person may open the dashboard). A request while the report is being made returns it unchanged;
    a request after it was made makes it anew, in the same row."""
    organisation = actor.organisation
    if organisation is None:
        raise ValidationError(_("A report is made for an organisation, and your account belongs to none."))
    if not can_make_reports(actor):
        raise PermissionDenied(READ_ONLY)
    month = month_of(timezone.localdate())
    now = timezone.now()
    with transaction.atomic():
        report, created = MonthlyReport.objects.get_or_create(
            kind=kind,
            project=project if kind == Kind.PROJECT else None,
            organisation=organisation,
            month=month,
            defaults={"requested_by": actor, "requested_at": now},
        )
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        on_its_way = report.status == MonthlyReport.Status.PENDING and (
            report.requested_at is not None and report.requested_at > now - PENDING_FOR
        )
        if on_its_way and not created:
            return report
        report.status, report.requested_by, report.requested_at, report.error = (
            MonthlyReport.Status.PENDING,
            actor,
            now,
            "",
        )
        report.save(update_fields=["status", "requested_by", "requested_at", "error"])
        transaction.on_commit(lambda: _enqueue(report.pk))
    return report


def _wanted() -> list[tuple[str, Project | None, int]]:
    """Every report the first of the month makes: (kind, project, organisation id)."""
    found = []
    leads = (
        Participation.objects.filter(role=Role.LEAD)
        .select_related("project")
        .order_by("project__name", "project_id", "organisation_id")
    )
    seen = set()
    for participation in leads:
        key = (participation.project_id, participation.organisation_id)
        if key not in seen:
            seen.add(key)
            found.append((Kind.PROJECT, participation.project, participation.organisation_id))
    for kind, roles in ROLES_OF_KIND.items():
        organisations = (
            Participation.objects.filter(role__in=roles)
            .order_by("organisation_id")
            .values_list("organisation_id", flat=True)
            .distinct()
        )
        found += [(kind, None, organisation_id) for organisation_id in organisations]
    return found


def reports_monthly(day: datetime.date | None = None) -> list[int]:
    """Make the month's reports that are not made yet (the first of the month); the ids sent to be
    made. Run twice, it sends nothing new: each scope has one row per month."""
    month = month_of(day or timezone.localdate())
    now = timezone.now()
    sent = []
    for kind, project, organisation_id in _wanted():
        report, created = MonthlyReport.objects.get_or_create(
            kind=kind,
            project=project,
            organisation_id=organisation_id,
            month=month,
            defaults={"requested_at": now},
        )
        stale = report.status != MonthlyReport.Status.DONE and (
            report.requested_at is None or report.requested_at <= now - PENDING_FOR
        )
        if created or stale:
            if not created:
                MonthlyReport.objects.filter(pk=report.pk).update(
                    status=MonthlyReport.Status.PENDING, requested_at=now, error=""
                )
            sent.append(report.pk)
    for report_id in sent:
        _enqueue(report_id)
    return sent


# --- making it -------------------------------------------------------------------------------------------


def _with_governance(projects: list[Project]) -> list[Project]:
    """The projects with what the health check reads, in a fixed number of queries."""
    return list(
        Project.objects.filter(pk__in=[project.pk for project in projects])
        .select_related("governance")
        .prefetch_related(
            Prefetch("participations", queryset=Participation.objects.select_related("organisation")),
            Prefetch("subteams", queryset=SubTeam.objects.prefetch_related("members")),
        )
        .order_by("name", "pk")
    )


def _css_string(text: str) -> str:
    """A CSS string literal; nothing in ``text`` can end it or the style element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return '"' + " ".join(escaped.split()) + '"'


def report_title(report: MonthlyReport) -> str:
    if report.kind == Kind.PROJECT:
        return _("Progress of %(name)s") % {"name": report.project.name}
    if report.kind == Kind.MUNICIPALITY:
        return _("Progress in the municipality")
    return _("Programme progress")


def report_html(
    report: MonthlyReport, board: Dashboard, figures: dict, previous: MonthlyReport | None
) -> str:
    title = report_title(report)
    month = date_format(report.month, "F Y")
    made = dateformat.format(timezone.localtime(board.made_at), "j F Y H:i")
    page = _css_string(_("page {page} of {pages}"))
    footer = {
        "left": _css_string(
            _("%(title)s · %(month)s · made on %(made)s") % {"title": title, "month": month, "made": made}
        ),
        "page": page.replace("{page}", '" counter(page) "').replace("{pages}", '" counter(pages) "'),
    }
    per_project = report.kind != Kind.PROJECT
    found = {sheet.key: sheet for sheet in sheets(board, per_project=per_project)}
    return render_to_string(
        "progress/report.html",
        {
            "report": report,
            "title": title,
            "month": month,
            "made": made,
            "organisation": report.organisation,
            "board": board,
            "per_project": per_project,
            "charts": presentation.draw(board, prefix="report"),
            "changes": changes(figures, previous.figures if previous else None, board.viewer),
            "previous": previous,
            "previous_month": date_format(previous.month, "F Y") if previous else "",
            "advisories": [(project, advise(project)) for project in _with_governance(board.projects)],
            "key_figures": found["key_figures"],
            "footer": footer,
            "language": translation.get_language(),
        },
    )


def report_filename(report: MonthlyReport) -> str:
    scope = report.project.slug if report.project_id else f"{report.kind}-{slugify(report.organisation.name)}"
    return f"{slugify(_('progress report'))}-{scope}-{report.month:%Y-%m}.pdf"


def report_make(report_id: int) -> MonthlyReport | None:
    """Make the report's PDF and keep its key figures; the file it replaces goes once this commits."""
    report = MonthlyReport.objects.select_related("project", "organisation").filter(pk=report_id).first()
    if report is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        projects = report_projects(report.kind, report.organisation, report.project)
        if not projects:
            MonthlyReport.objects.filter(pk=report.pk).update(
                status=MonthlyReport.Status.FAILED,
                error=_("The organisation takes part in no project of this kind any more."),
            )
            return None
        board = dashboard(projects, organisation_viewer(report.organisation, projects))
        figures = key_figures(board)
        previous = (
            MonthlyReport.objects.filter(
                kind=report.kind,
                project=report.project,
                organisation=report.organisation,
                month__lt=report.month,
                status=MonthlyReport.Status.DONE,
            )
            .order_by("-month")
            .first()
        )
        pdf = html_to_pdf(report_html(report, board, figures, previous))
        name = report.file.storage.save(
            report.file.field.generate_filename(report, report_filename(report)), ContentFile(pdf)
        )
    try:
        with transaction.atomic():
            locked = MonthlyReport.objects.select_for_update().get(pk=report.pk)
            old = locked.file.name
            locked.file.name = name
            locked.figures = figures
            locked.status = MonthlyReport.Status.DONE
            locked.made_at = board.made_at
            locked.error = ""
            locked.save(update_fields=["file", "figures", "status", "made_at", "error"])
            if old and old != name:
                storage = locked.file.storage
                transaction.on_commit(lambda: storage.delete(old))
    except Exception:
        report.file.storage.delete(name)
        raise
    return locked


def report_failed(report_id: int, error: str) -> None:
    MonthlyReport.objects.filter(pk=report_id).update(status=MonthlyReport.Status.FAILED, error=error)
