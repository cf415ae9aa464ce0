"""Exports as pages: a dashboard's figures (CSV, XLSX) for whoever may open the dashboard, and the
dwellings of a project (CSV streamed, XLSX as a job) for the lead party. Outside these, 404."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from progress import dwelling_exports, exports, scopes
from progress.figures import dashboard
from progress.permissions import can_export_dwellings, can_start_dwelling_export
from projects import selectors, workflow
from projects.jobs import JobKind
from projects.models import Job
from projects.permissions import is_platform_admin
from projects.views import jobs as job_views
from projects.workflow import Link

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCOPE_TITLES = {
    "municipality": gettext_lazy("Progress in the municipality"),
    "programme": gettext_lazy("Programme progress"),
}


def _private(response):
    response["Cache-Control"] = "private, no-store"
    return response


# --- a dashboard's figures ---------------------------------------------------------------------------


def _figures(projects, viewer, *, fmt: str, title: str, name: str, per_project: bool):
    board = dashboard(projects, viewer)
    stem = f"{slugify(_('progress'))}-{name}-{timezone.localdate().isoformat()}"
    if fmt == "csv":
        response = HttpResponse(
            exports.figures_csv(board, per_project=per_project), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return _private(response)
    handle = exports.figures_xlsx_file(board, title=title, per_project=per_project)
    return _private(FileResponse(handle, as_attachment=True, filename=f"{stem}.xlsx", content_type=XLSX))


@require_GET
@login_required
def project_figures(request, slug, fmt):
    projects, viewer = scopes.project_scope(request.user, slug)
    project = projects[0]
    return _figures(projects, viewer, fmt=fmt, title=project.name, name=project.slug, per_project=False)


@require_GET
@login_required
def scope_figures(request, scope, fmt):
    if scope not in scopes.SCOPES:
        raise Http404
    projects, viewer = scopes.SCOPES[scope](request.user)
    return _figures(projects, viewer, fmt=fmt, title=str(SCOPE_TITLES[scope]), name=scope, per_project=True)


# --- the dwellings of a project ----------------------------------------------------------------------


def _export_project(request, slug):
    """The project, if the person's organisation leads it; 404 for anyone else."""
    project = selectors.project_get(user=request.user, slug=slug)
    if not can_export_dwellings(request.user, project):
        raise Http404
    return project


def _recent_jobs(user, project):
    return _export_jobs(user, project).select_related("created_by")[:5]


@require_GET
@login_required
def exports_page(request, slug):
    """What the lead party can take out: the dwellings as CSV now, or as XLSX made in the background."""
    project = _export_project(request, slug)
    return render(
        request,
        "progress/dwelling_exports.html",
        {
            "project": project,
            "count": dwelling_exports.dwellings(request.user, project).count(),
            "jobs": [
                (job, dwelling_exports.downloadable(job)) for job in _recent_jobs(request.user, project)
            ],
            "hours": dwelling_exports.expires_hours(),
            "can_start": can_start_dwelling_export(request.user, project),
        },
    )


@require_GET
@login_required
def dwellings_csv(request, slug):
    """Every visible dwelling of the project as CSV, streamed while it is read."""
    project = _export_project(request, slug)
    language = translation.get_language()

    def lines():
        with translation.override(language):
            yield from dwelling_exports.csv_stream(request.user, project)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{dwelling_exports.filename(project, "csv")}"'
    return _private(response)


@require_POST
@login_required
def dwellings_xlsx(request, slug):
    project = _export_project(request, slug)
    job = dwelling_exports.export_start(actor=request.user, project=project)
    return redirect("progress:export-job", slug=slug, job_id=job.pk)


def _export_jobs(user, project):
    """The exports a person may open: their own, in a project whose dwellings they export."""
    if not can_export_dwellings(user, project):
        return Job.objects.none()
    jobs = Job.objects.filter(project=project, kind=Job.Kind.DWELLING_EXPORT)
    return jobs if is_platform_admin(user) else jobs.filter(created_by=user)


def _download_url(job):
    return reverse("progress:export-download", kwargs={"slug": job.project.slug, "job_id": job.pk})


def _job_context(job) -> dict:
    return {
        "downloadable": dwelling_exports.downloadable(job),
        "expires_at": dwelling_exports.expires_at(job),
        "download_url": _download_url(job),
    }


EXPORT_JOBS = JobKind(
    jobs=_export_jobs,
    template="progress/export_job.html",
    url_name="progress:export-job",
    task="progress.tasks.dwelling_export_task",
    context=_job_context,
    summary=lambda job: {
        "rows": job.result.get("rows", 0),
        "download": _download_url(job) if dwelling_exports.downloadable(job) else "",
    },
)


@login_required
def export_job(request, slug, job_id):
    return job_views.job_page(request, slug, job_id, kind=Job.Kind.DWELLING_EXPORT)


@login_required
def export_job_status(request, slug, job_id):
    return job_views.job_status(request, slug, job_id, kind=Job.Kind.DWELLING_EXPORT)


@require_GET
@login_required
def export_download(request, slug, job_id):
    """The file of a finished export, until its link expires (then 410, and the page says why)."""
    _spec, job = job_views.job_get(request, slug, job_id, Job.Kind.DWELLING_EXPORT)
    if job.status != Job.Status.DONE:
        raise Http404
    if not dwelling_exports.downloadable(job):
        return render(
            request,
            "progress/export_expired.html",
            {"project": job.project, "job": job, "hours": dwelling_exports.expires_hours()},
            status=410,
        )
    response = FileResponse(
        job.output_file.open("rb"),
        as_attachment=True,
        filename=job.result.get("file") or dwelling_exports.filename(job.project, "xlsx"),
        content_type=XLSX,
    )
    return _private(response)


@workflow.project_link
def dwelling_export_link(user, project) -> list[Link]:
    """The lead party's button on the dwelling list."""
    if not can_export_dwellings(user, project):
        return []
    url = reverse("progress:dwelling-exports", args=[project.slug])
    return [Link(_("Export dwellings"), url, "dwelling-export-link", where=("dwellings",))]
