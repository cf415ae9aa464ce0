"""Celery tasks of the connection plans: take ids, call a service. Safe to run twice: a plan with the
same content is not made again, and a job's chunk is counted once."""

from celery import shared_task

__all__ = ["plans_batch_chunk_task", "plans_batch_task", "render_plans", "render_plans_chunk"]


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def render_plans(
    dwelling_id: int, made_by_id: int | None = None, survey_version: int | None = None
) -> list[int]:
    """Make both versions of a dwelling's connection plan; the ids of the plans (new or stored).
    With ``survey_version``: nothing when the survey has changed since (a later task follows)."""
    from projects.models import Dwelling, User
    from surveys.plans.services import plans_render_current

    made_by = User.objects.filter(pk=made_by_id).first() if made_by_id else None
    try:
        results = plans_render_current(
            dwelling_id=dwelling_id, made_by=made_by, survey_version=survey_version
        )
    except Dwelling.DoesNotExist:
        return []  # removed meanwhile
    return [plan.pk for plan, _new in results]


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def render_plans_chunk(dwelling_ids: list[int], made_by_id: int | None = None) -> None:
    """Make the plans of a few dwellings again (after the register changed); each one as ``render_plans``."""
    for dwelling_id in dwelling_ids:
        render_plans(dwelling_id, made_by_id)


@shared_task(acks_late=True)
def plans_batch_task(job_id: int) -> None:
    """Start a plan job, or take over one whose worker stopped: one task per chunk of dwellings, so
    that several workers share the work."""
    from projects.models import Job
    from surveys.plans.services import plans_batch_chunks

    for index, dwelling_ids in enumerate(plans_batch_chunks(Job.objects.get(pk=job_id))):
        plans_batch_chunk_task.delay(job_id, index, dwelling_ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def plans_batch_chunk_task(job_id: int, chunk: int, dwelling_ids: list[int]) -> None:
    from surveys.plans.services import plans_batch_chunk

    plans_batch_chunk(job_id=job_id, chunk=chunk, dwelling_ids=dwelling_ids)
