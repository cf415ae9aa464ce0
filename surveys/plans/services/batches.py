"""Plans made on request, as a ``Job`` with progress: one dwelling (the button on the dwelling page)
or every dwelling of a project with an approved plan, in chunks of ``BATCH_CHUNK`` per task.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from projects.jobs import job_add_chunk, job_claim
from projects.models import Dwelling, Job, Project, User
from projects.permissions import can_view_dwelling
from projects.states import MAIN_PATH, DwellingState
from surveys.plans.permissions import can_make_plans, can_make_project_plans

from .content import NO_SURVEY
from .rendering import plans_render

logger = logging.getLogger(__name__)

# The states in which a dwelling has an approved plan; the project batch makes plans for these.
PLAN_READY_OR_LATER = tuple(MAIN_PATH[MAIN_PATH.index(DwellingState.PLAN_READY) :])

# Dwellings per task of a project batch: small enough that two workers share the work evenly.
BATCH_CHUNK = 10


def _enqueue(job: Job) -> None:
    from surveys.plans.tasks import plans_batch_task

    transaction.on_commit(lambda: plans_batch_task.delay(job.pk))


# An unfinished job is still on its way, however old: a job whose worker stopped, or whose task was
# lost, is sent again by the sweep (``projects.jobs.jobs_resume_stale``) and taken over, so asking
# again returns it rather than starting a second one that would make every plan twice.
UNFINISHED = (Job.Status.PENDING, Job.Status.RUNNING)


def plans_pending(dwelling: Dwelling) -> Job | None:
    """The unfinished job that is making this dwelling's plans, if any."""
    return (
        Job.objects.filter(
            project_id=dwelling.project_id,
            kind=Job.Kind.PLAN_BATCH,
            status__in=UNFINISHED,
        )
        .filter(Q(params__dwelling_id=dwelling.pk) | Q(params__scope="project"))
        .order_by("-created_at")
        .first()
    )


def plans_request(*, actor: User, dwelling_id: int) -> Job:
    """Have the plans of one dwelling made now (the button on the dwelling page). A request while one
    is still waiting returns that one. Raises Dwelling.DoesNotExist outside scope, PermissionDenied
    for a party that does not make plans, ValidationError before the survey is recorded."""
    with transaction.atomic():
        dwelling = (
            Dwelling.objects.select_for_update(of=("self",)).select_related("project").get(pk=dwelling_id)
        )
        if not can_view_dwelling(actor, dwelling):
            raise Dwelling.DoesNotExist
        if not can_make_plans(actor, dwelling):
            raise PermissionDenied(_("Only the lead party and the heat company have connection plans made."))
        if dwelling.survey_completed_at is None:
            raise ValidationError(NO_SURVEY)
        pending = plans_pending(dwelling)
        if pending is not None and pending.params.get("dwelling_id") == dwelling.pk:
            return pending
        job = Job.objects.create(
            project=dwelling.project,
            kind=Job.Kind.PLAN_BATCH,
            created_by=actor,
            total=1,
            params={"dwelling_id": dwelling.pk, "dwelling_ids": [dwelling.pk]},
        )
        _enqueue(job)
    job.refresh_from_db()
    return job


def plans_batch_dwellings(project: Project):
    return Dwelling.objects.filter(project=project, state__in=PLAN_READY_OR_LATER)


def plans_batch_start(*, actor: User, project: Project) -> Job:
    """Make the plans of every dwelling of the project that is plan_ready or further, as a job with
    progress. A second start while one runs returns the running one."""
    if not can_make_project_plans(actor, project):
        raise PermissionDenied(_("Only the lead party has the plans of a whole project made."))
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).exists()
        running = Job.objects.filter(
            project=project,
            kind=Job.Kind.PLAN_BATCH,
            status__in=UNFINISHED,
            params__scope="project",
        ).first()
        if running is not None:
            return running
        ids = list(plans_batch_dwellings(project).order_by("pk").values_list("pk", flat=True))
        if not ids:
            raise ValidationError(_("No dwelling of this project has an approved connection plan yet."))
        job = Job.objects.create(
            project=project,
            kind=Job.Kind.PLAN_BATCH,
            created_by=actor,
            total=len(ids),
            params={"scope": "project", "dwelling_ids": ids},
        )
        _enqueue(job)
    job.refresh_from_db()
    return job


def plans_batch_chunks(job: Job) -> list[list[int]]:
    """Start a plan job, or take over one whose worker stopped: its dwellings in chunks, one task each
    (a chunk counted before is not counted again). Empty when there is nothing to start."""
    run = job_claim(job_id=job.pk, kind=Job.Kind.PLAN_BATCH)
    if run is None:
        return []
    ids = list(run.job.params.get("dwelling_ids", []))
    if not ids:
        run.finish({"made": 0, "unchanged": 0, "failed": []})
        return []
    return [ids[start : start + BATCH_CHUNK] for start in range(0, len(ids), BATCH_CHUNK)]


def plans_batch_chunk(*, job_id: int, chunk: int, dwelling_ids: list[int]) -> None:
    """Make the plans of one chunk of a job and add it to the job's progress (once per chunk, so a
    task that runs twice counts once); the last chunk finishes the job."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.finished or chunk in job.result.get("chunks", []):
        return
    made = unchanged = 0
    failed = []
    for dwelling_id in dwelling_ids:
        try:
            for _plan, new in plans_render(dwelling_id=dwelling_id, made_by=job.created_by):
                made += new
                unchanged += not new
        except Dwelling.DoesNotExist:
            continue  # removed meanwhile
        except Exception as exc:  # one dwelling's failure must not stop the others
            logger.exception("Connection plan of dwelling %s failed", dwelling_id)
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            address = Dwelling.objects.filter(pk=dwelling_id).first()
            failed.append([dwelling_id, str(address or dwelling_id), reason or _("unknown error")])
    job_add_chunk(
        job_id=job_id,
        chunk=chunk,
        processed=len(dwelling_ids),
        result={"made": made, "unchanged": unchanged, "failed": failed},
    )
