"""Celery tasks: take ids, load, call a service. Idempotent: a finished job is not run again."""

from celery import shared_task

from projects.imports.tasks import import_dwellings_task  # noqa: F401 - registered with Celery


@shared_task(acks_late=True)
def dwellings_bulk_transition_task(job_id: int) -> None:
    from projects.models import Job
    from projects.services.dwellings import dwellings_bulk_transition

    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.finished or job.status == Job.Status.RUNNING:
        return
    params = dict(job.params)
    ids = params.pop("dwelling_ids")
    job.start(total=len(ids))
    try:
        result = dwellings_bulk_transition(
            actor=job.created_by,
            dwelling_ids=ids,
            transition=params.pop("transition"),
            reason=params.pop("reason", ""),
            progress=job.advance,
            **params,
        )
    except Exception as exc:
        job.fail(str(exc))
        raise
    job.finish(result.as_dict())


@shared_task(acks_late=True)
def import_files_purge_task() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): remove the files of imports older than IMPORT_FILE_RETENTION_DAYS."""
    from projects.imports.retention import import_files_purge

    return import_files_purge()  # idempotent: files already removed are not looked at again
