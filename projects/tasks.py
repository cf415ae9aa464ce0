"""Celery tasks: take ids, load, call a service. Idempotent: a finished job is not run again, and a job
whose worker stopped is taken over (projects/jobs.py)."""

from celery import shared_task

from projects.imports.tasks import import_dwellings_task  # noqa: F401 - registered with Celery

# Dwellings per step of a bulk move: a step's moves and the position after it commit together.
BULK_STEP = 200


@shared_task(acks_late=True)
def dwellings_bulk_transition_task(job_id: int) -> None:
    """Run a bulk move, or take over one whose worker stopped and go on after its last step: every
    dwelling is moved once."""
    from projects.jobs import JobLost, job_claim
    from projects.models import Job
    from projects.services import dwellings_bulk_transition

    run = job_claim(job_id=job_id, kind=Job.Kind.BULK_TRANSITION)
    if run is None:
        return  # finished, or another worker has it
    params = dict(run.job.params)
    ids = list(dict.fromkeys(params.pop("dwelling_ids")))
    transition, reason = params.pop("transition"), params.pop("reason", "")

    def move(chunk):
        return dwellings_bulk_transition(
            actor=run.job.created_by,
            dwelling_ids=chunk,
            transition=transition,
            reason=reason,
            chunk_size=len(chunk),
            **params,
        ).as_dict()

    try:
        result = run.steps(ids, BULK_STEP, move)
        run.finish({"moved": 0, "skipped": [], **result})
    except JobLost:
        return  # another run took it over; this one's last step was rolled back
    except Exception as exc:
        run.fail(str(exc))
        raise


@shared_task(acks_late=True)
def jobs_resume_stale_task() -> int:
    """Every five minutes (CELERY_BEAT_SCHEDULE): send the task of every job whose worker stopped again."""
    from projects.jobs import jobs_resume_stale

    return jobs_resume_stale()


@shared_task(acks_late=True)
def import_files_purge_task() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): remove the files of imports older than IMPORT_FILE_RETENTION_DAYS."""
    from projects.imports.retention import import_files_purge

    return import_files_purge()  # idempotent: files already removed are not looked at again
