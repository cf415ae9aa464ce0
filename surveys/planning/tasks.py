"""Celery tasks of survey planning: take ids, the service does the work (once)."""

from celery import shared_task

__all__ = ["plan_area_task"]


@shared_task(acks_late=True)
def plan_area_task(job_id: int) -> None:
    from surveys.planning.services import plan_area_run

    plan_area_run(job_id=job_id)  # idempotent: a finished or running job is left alone
