"""Area planning as a job: a confirmed proposal is stored as a ``Job`` (once per confirmation) and run
in the background with progress (``plan_area_run``).
"""

import uuid
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from projects.jobs import JobLost, job_claim
from projects.models import Job, Project, User

from .area import PROGRESS_EVERY, plan_area_execute
from .checks import SURVEY_VISIT_MINUTES, _require_planner


def plan_area_token() -> str:
    """A fresh token for one preview; confirming it twice starts one job."""
    return uuid.uuid4().hex


@transaction.atomic
def plan_area_job_create(
    *,
    actor: User,
    project: Project,
    token: str,
    assignments: list[list],
    visit_minutes: int = SURVEY_VISIT_MINUTES,
) -> tuple[Job, bool]:
    """Store a confirmed preview as a planning job and start it on commit; (job, created).

    The same ``token`` twice (a double click, a browser resending the form) gives the first job back.
    """
    from surveys.planning.tasks import plan_area_task

    _require_planner(actor, project)
    if not token:
        raise ValidationError(_("This confirmation is incomplete; make a new preview."))
    list(Project.objects.select_for_update(no_key=True).filter(pk=project.pk).values_list("pk"))
    earlier = Job.objects.filter(project=project, kind=Job.Kind.AREA_PLANNING, params__token=token).first()
    if earlier is not None:
        return earlier, False
    job = Job.objects.create(
        project=project,
        kind=Job.Kind.AREA_PLANNING,
        created_by=actor,
        total=len(assignments),
        params={
            "token": token,
            "assignments": [list(row) for row in assignments],
            "visit_minutes": int(visit_minutes),
            "language": translation.get_language() or "",
        },
    )
    transaction.on_commit(partial(plan_area_task.delay, job.pk))
    return job, True


def plan_area_run(*, job_id: int) -> None:
    """Run a planning job once: claim it, plan its confirmed preview, keep the result.

    Does nothing for a finished job or one that another worker runs. A job whose worker stopped is
    taken over and goes on after the last step that committed: each dwelling is planned once.
    """
    run = job_claim(job_id=job_id, kind=Job.Kind.AREA_PLANNING)
    if run is None:
        return
    job = run.job
    language = job.params.get("language") or settings.LANGUAGE_CODE

    def plan(assignments):
        return plan_area_execute(
            actor=job.created_by,
            project=job.project,
            assignments=assignments,
            visit_minutes=job.params.get("visit_minutes", SURVEY_VISIT_MINUTES),
        ).as_dict()

    with translation.override(language):
        try:
            result = run.steps(job.params.get("assignments", []), PROGRESS_EVERY, plan)
            run.finish({"moved": 0, "planned": [], "skipped": [], **result})
        except JobLost:
            return  # another run took it over; this one's last step was rolled back
        except PermissionDenied as exc:
            run.fail(str(exc))
        except Exception:
            run.fail(_("The planning stopped on an unexpected error; what was planned is kept."))
            raise
