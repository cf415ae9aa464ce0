"""The monthly reports as pages: the kept reports of a dashboard's scope with their PDFs, and the button
that makes this month's now. Scoped like the dashboard (404 outside it); a person sees the reports made
for their own organisation (a platform administrator every organisation's)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from progress import reports, scopes
from progress.export_views import SCOPE_TITLES
from progress.models import MonthlyReport
from progress.permissions import can_make_reports
from projects.permissions import is_platform_admin

Kind = MonthlyReport.Kind


def _scope(user, kind: str, slug: str | None = None):
    """The dashboard's projects for this person, or 404: (projects, project or None)."""
    if kind == Kind.PROJECT:
        projects, _viewer = scopes.project_scope(user, slug)
        return projects, projects[0]
    if kind not in scopes.SCOPES:
        raise Http404
    projects, _viewer = scopes.SCOPES[kind](user)
    return projects, None


def _reports(user, kind: str, project):
    found = MonthlyReport.objects.filter(kind=kind, project=project).select_related("organisation")
    if not is_platform_admin(user):
        found = found.filter(organisation_id=user.organisation_id)
    return found.order_by("-month", "organisation__name")


def _list(request, kind: str, slug: str | None = None):
    _projects, project = _scope(request.user, kind, slug)
    if project is not None:
        title = _("Monthly reports of %(name)s") % {"name": project.name}
        make_url = reverse("progress:project-report-make", args=[project.slug])
        dashboard_url = reverse("progress:project", args=[project.slug])
    else:
        title = _("Monthly reports: %(scope)s") % {"scope": SCOPE_TITLES[kind]}
        make_url = reverse("progress:scope-report-make", args=[kind])
        dashboard_url = reverse("progress:scope", args=[kind])
    return render(
        request,
        "progress/reports.html",
        {
            "title": title,
            "project": project,
            "kind": kind,
            "reports": _reports(request.user, kind, project),
            "make_url": make_url,
            "dashboard_url": dashboard_url,
            "can_make": can_make_reports(request.user),
            "admin": is_platform_admin(request.user),
        },
    )


def _make(request, kind: str, slug: str | None = None):
    _projects, project = _scope(request.user, kind, slug)
    back = (
        reverse("progress:project-reports", args=[project.slug])
        if project is not None
        else reverse("progress:scope-reports", args=[kind])
    )
    try:
        report = reports.report_request(actor=request.user, kind=kind, project=project)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    report.refresh_from_db()
    if report.status == MonthlyReport.Status.DONE:
        messages.success(request, _("This month's report is ready."))
    elif report.status == MonthlyReport.Status.FAILED:
        messages.error(request, _("The report could not be made: %(error)s") % {"error": report.error})
    else:
        messages.info(request, _("This month's report is being made; it appears here when it is ready."))
    return redirect(back)


@require_GET
@login_required
def project_reports(request, slug):
    return _list(request, Kind.PROJECT, slug)


@require_POST
@login_required
def project_report_make(request, slug):
    return _make(request, Kind.PROJECT, slug)


@require_GET
@login_required
def scope_reports(request, scope):
    if scope not in scopes.SCOPES:
        raise Http404
    return _list(request, scope)


@require_POST
@login_required
def scope_report_make(request, scope):
    if scope not in scopes.SCOPES:
        raise Http404
    return _make(request, scope)


@require_GET
@login_required
def report_file(request, pk):
    """A kept report's PDF: for the organisation it was made for, while its people may open the
    dashboard it comes from; 404 for anyone else."""
    report = get_object_or_404(MonthlyReport.objects.select_related("project", "organisation"), pk=pk)
    if not is_platform_admin(request.user) and report.organisation_id != request.user.organisation_id:
        raise Http404
    _scope(request.user, report.kind, report.project.slug if report.project_id else None)
    if not report.file or not report.file.storage.exists(report.file.name):
        raise Http404
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=False,
        filename=reports.report_filename(report),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
