"""The import pages of the lead party: upload, the job with its progress, result and change list, the
rejects file and the CSV file of all changes."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from projects import selectors
from projects.jobs import JobKind
from projects.models import Job
from projects.permissions import can_manage_register
from projects.views import jobs as job_views

from . import changes, services
from .forms import ImportForm
from .parsing import COLUMNS, REQUIRED_COLUMNS

RECENT_IMPORTS = 10


def _project(request, slug):
    """The project for its lead party; 404 outside the user's scope, 403 for the other parties."""
    project = selectors.project_get(user=request.user, slug=slug)
    if not can_manage_register(request.user, project):
        raise PermissionDenied(_("Only a coordinator of the lead party keeps the dwelling register."))
    return project


def _import_jobs(user, project):
    """The imports of the project: for whoever keeps the register (403 for the project's other parties)."""
    if not can_manage_register(user, project):
        raise PermissionDenied(_("Only a coordinator of the lead party keeps the dwelling register."))
    return Job.objects.filter(project=project, kind=Job.Kind.IMPORT).select_related("created_by")


def _job(request, slug, job_id):
    return job_views.job_get(request, slug, job_id, Job.Kind.IMPORT)[1]


@login_required
def import_upload(request, slug):
    project = _project(request, slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job, created = services.import_job_create(
            actor=request.user,
            project=project,
            upload=form.cleaned_data["file"],
            skip_invalid=form.cleaned_data["skip_invalid"],
            update_agreed=form.cleaned_data["update_agreed"],
            submission=form.cleaned_data["submission"] or "",
            total=form.estimated_rows,
        )
        if not created:
            messages.info(request, _("This file was already sent; here is its import."))
        return redirect("projects:imports:job", slug=slug, job_id=job.pk)
    recent = Job.objects.filter(project=project, kind=Job.Kind.IMPORT).select_related("created_by")
    return render(
        request,
        "projects/imports/upload.html",
        {
            "project": project,
            "form": form,
            "recent": recent[:RECENT_IMPORTS],
            "columns": [(name, aliases, name in REQUIRED_COLUMNS) for name, aliases in COLUMNS.items()],
        },
        status=400 if form.is_bound else 200,
    )


def _import_context(job: Job) -> dict:
    result = job.result or {}
    homes = [(home, changes.home_lines(home)) for home in result.get("changes", [])]
    return {
        "result": result,
        "errors": result.get("errors", []),
        "more_errors": result.get("error_count", 0) - len(result.get("errors", [])),
        "homes": homes,
        "more_homes": result.get("updated", 0) - len(homes),
        "skip_invalid": job.params.get("skip_invalid", False),
        "update_agreed": job.params.get("update_agreed", False),
        "filename": job.params.get("filename", ""),
    }


IMPORT_JOBS = JobKind(
    jobs=_import_jobs,
    template="projects/imports/job.html",
    url_name="projects:imports:job",
    task="projects.imports.tasks.import_dwellings_task",
    context=_import_context,
    summary=lambda job: {
        name: (job.result or {}).get(name) for name in ("created", "updated", "unchanged", "rejected")
    },
)


def import_job(request, slug, job_id):
    return job_views.job_page(request, slug, job_id, kind=Job.Kind.IMPORT)


def import_job_status(request, slug, job_id):
    return job_views.job_status(request, slug, job_id, kind=Job.Kind.IMPORT)


@login_required
def import_job_rejects(request, slug, job_id):
    job = _job(request, slug, job_id)
    if not job.output_file:
        raise Http404
    stem = Path(job.params.get("filename") or "import").stem or "import"
    return FileResponse(
        job.output_file.open("rb"),
        as_attachment=True,
        filename=_("%(name)s-rejected.csv") % {"name": stem},
        content_type="text/csv; charset=utf-8",
    )


@login_required
def import_job_changes(request, slug, job_id):
    """Every home the import changed, one line per changed value, read back from the history."""
    job = _job(request, slug, job_id)
    result = job.result or {}
    if job.status != Job.Status.DONE or not result.get("imported") or not result.get("updated"):
        raise Http404
    stem = Path(job.params.get("filename") or "import").stem or "import"
    response = StreamingHttpResponse(
        _in_language(
            translation.get_language(),
            changes.changes_csv(changes.homes_from_history(job_id=job.pk, since=job.created_at)),
        ),
        content_type="text/csv; charset=utf-8",
    )
    filename = _("%(name)s-changes.csv") % {"name": stem}
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _in_language(language, pieces):
    # A streamed response is read after the view returns: keep the reader's language for the labels.
    with translation.override(language):
        yield from pieces
