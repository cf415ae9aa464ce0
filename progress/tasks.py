"""Celery tasks of the progress app: take ids, call a service. Safe to run twice: an export job is
claimed once (``projects.jobs``)."""

from celery import shared_task

__all__ = ["dwelling_export_task", "export_files_purge_task"]


@shared_task(acks_late=True)
def dwelling_export_task(job_id: int) -> None:
    """Write a dwelling export's XLSX file, or take over one whose worker stopped."""
    from progress.dwelling_exports import export_run

    export_run(job_id)


@shared_task(acks_late=True)
def export_files_purge_task() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): remove the files of exports whose link has expired."""
    from progress.dwelling_exports import export_files_purge

    return export_files_purge()
