"""The page and the status JSON of a job, for every kind of job (projects/jobs.py: ``JOB_KINDS``).

Each app's URLs keep their own names and call these views with the kind; the kind decides who may open
which jobs. A project outside the user's scope, a job of another project or kind, and a job the kind
does not show the user all answer 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from projects import selectors
from projects.jobs import JOB_KINDS, JobKind
from projects.models import Job


def job_get(request, slug: str, job_id: int, kind: str) -> tuple[JobKind, "Job"]:
    """The job of this kind, if the user may open it; 404 otherwise (or the kind's 403)."""
    spec = JOB_KINDS[kind]
    project = selectors.project_get(user=request.user, slug=slug)
    job = get_object_or_404(spec.jobs(request.user, project).filter(kind=kind), pk=job_id, project=project)
    job.project = project
    return spec, job


def job_status_data(spec: JobKind, job: Job) -> dict:
    """What the progress bar polls; the same keys for every kind (the result's figures differ)."""
    kwargs = {"slug": job.project.slug, "job_id": job.pk}
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "status_label": job.get_status_display(),
        "processed": job.processed,
        "total": job.total,
        "percent": job.percent,
        "finished": job.finished,
        "taken_over": job.takeovers,
        "error": job.error if job.status == Job.Status.FAILED else "",
        "result": spec.summary(job),
        "url": reverse(spec.url_name, kwargs=kwargs),
    }


@login_required
def job_page(request, slug, job_id, *, kind: str):
    spec, job = job_get(request, slug, job_id, kind)
    status_url = reverse(f"{spec.url_name}-status", kwargs={"slug": slug, "job_id": job.pk})
    context = {"project": job.project, "job": job, "status_url": status_url, **spec.context(job)}
    return render(request, spec.template, context)


@login_required
def job_status(request, slug, job_id, *, kind: str):
    spec, job = job_get(request, slug, job_id, kind)
    return JsonResponse(job_status_data(spec, job))
