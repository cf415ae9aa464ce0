"""Pages of the connection plans: the download, the button on the dwelling page, the project batch."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import selectors as project_selectors
from projects.jobs import JobKind
from projects.models import Dwelling, Job
from projects.views import jobs as job_views
from surveys.plans import services
from surveys.plans.permissions import can_make_project_plans
from surveys.plans.selectors import plan_get


@login_required
def plan_file(request, pk):
    """The PDF of one version, for a party that may open that version; 404 for anyone else."""
    plan = plan_get(user=request.user, pk=pk)
    response = FileResponse(
        plan.file.open("rb"),
        as_attachment=False,
        filename=services.plan_filename(plan),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def plan_make(request, pk):
    """Have the dwelling's plans made now (lead party, heat company; 403 for the other parties)."""
    dwelling = get_object_or_404(Dwelling.objects.select_related("project"), pk=pk)
    back = reverse("projects:dwelling", kwargs={"slug": dwelling.project.slug, "pk": dwelling.pk}) + "#plans"
    try:
        job = services.plans_request(actor=request.user, dwelling_id=pk)
    except Dwelling.DoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    job.refresh_from_db()
    if job.status == Job.Status.DONE:
        failed = job.result.get("failed")
        if failed:
            messages.error(
                request, _("The connection plan could not be made: %(error)s") % {"error": failed[0][2]}
            )
        elif job.result.get("made"):
            messages.success(request, _("A new version of the connection plan is ready."))
        else:
            messages.success(request, _("Nothing changed since the last version of the connection plan."))
    else:
        messages.info(request, _("The connection plan is being made; it appears here when it is ready."))
    return redirect(back)


def _project_for_batch(request, slug):
    """The project if the user's organisation leads it; 404 outside, 403 for the other parties."""
    project = project_selectors.project_get(user=request.user, slug=slug)
    if not can_make_project_plans(request.user, project):
        raise PermissionDenied(_("Only the lead party has the plans of a whole project made."))
    return project


@login_required
def project_plans(request, slug):
    """Make the plans of every dwelling of the project that has an approved plan, as a job."""
    project = _project_for_batch(request, slug)
    count = services.plans_batch_dwellings(project).count()
    if request.method == "POST":
        try:
            job = services.plans_batch_start(actor=request.user, project=project)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("plans:job", slug=slug, job_id=job.pk)
    jobs = Job.objects.filter(
        project=project, kind=Job.Kind.PLAN_BATCH, params__scope="project"
    ).select_related("created_by")[:5]
    return render(request, "surveys/plans/project.html", {"project": project, "count": count, "jobs": jobs})


def _plan_jobs(user, project):
    """The plan jobs of the project: for the party that has the plans of a whole project made."""
    if not can_make_project_plans(user, project):
        return Job.objects.none()
    return Job.objects.filter(project=project, kind=Job.Kind.PLAN_BATCH).select_related("created_by")


PLAN_JOBS = JobKind(
    jobs=_plan_jobs,
    template="surveys/plans/job.html",
    url_name="plans:job",
    task="surveys.plans.tasks.plans_batch_task",
    summary=lambda job: {
        "made": job.result.get("made", 0),
        "unchanged": job.result.get("unchanged", 0),
        "failed": len(job.result.get("failed", [])),
    },
)


def job_detail(request, slug, job_id):
    return job_views.job_page(request, slug, job_id, kind=Job.Kind.PLAN_BATCH)


def job_status(request, slug, job_id):
    return job_views.job_status(request, slug, job_id, kind=Job.Kind.PLAN_BATCH)
