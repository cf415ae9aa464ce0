"""Celery tasks of the progress app: take ids, call a service. Safe to run twice: an export job is
claimed once (``projects.jobs``), a month's report is one row per scope."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)

__all__ = ["dwelling_export_task", "export_files_purge_task", "report_make_task", "reports_monthly_task"]


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


@shared_task(acks_late=True)
def reports_monthly_task() -> list[int]:
    """On the first of the month (CELERY_BEAT_SCHEDULE): the month's report of every project, programme
    and municipality; each is made by a task of its own."""
    from progress.reports import reports_monthly

    return reports_monthly()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def report_make_task(report_id: int) -> None:
    """Make one month's report (again). A report that cannot be made says so on the list of reports."""
    from progress.reports import report_failed, report_make

    try:
        report_make(report_id)
    except OSError:
        raise  # the storage or a font could not be read: try again
    except Exception as exc:
        logger.exception("Monthly report %s could not be made", report_id)
        report_failed(report_id, str(exc))
