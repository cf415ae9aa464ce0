"""Celery task of the import: takes the job id, the service does the work (once)."""

from celery import shared_task


@shared_task(acks_late=True)
def import_dwellings_task(job_id: int) -> None:
    from projects.imports.services import import_job_run

    import_job_run(job_id=job_id)  # idempotent: a finished or running job is left alone
