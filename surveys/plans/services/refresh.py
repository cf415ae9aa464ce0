"""When plans are made again: after a change of the register (``plans_follow_register``, which the
workflow's *register data changed* calls) or the survey (``plans_refresh``), on commit, through the
Celery tasks of ``surveys.plans.tasks``; a version whose content did not change is not made again. The
moves that change a plan (the approval, the installer, the installation date) are followed in
``surveys/workflow.py``.
"""

from django.conf import settings
from django.db import transaction

from projects.models import Dwelling, User
from surveys.models import ConnectionPlan, Survey

from .batches import BATCH_CHUNK
from .rendering import plans_render


def plans_refresh(
    dwelling: Dwelling, *, actor: User | None = None, after_survey_version: int | None = None
) -> None:
    """Have the dwelling's plans made again once the current transaction commits; a version whose
    content did not change is not made again. For what the plan shows of the planning (the installer,
    the installation date) and of the register, at once.

    ``after_survey_version``: a correction to the survey. A surveyor corrects by typing, and every
    pause sends a change, so the plans are made ``CONNECTION_PLAN_DELAY`` seconds later, and only if
    the survey is still at that version; a later change has its own turn. One correction makes one
    new version, not one per pause.
    """
    from surveys.plans.tasks import render_plans

    dwelling_id, made_by_id = dwelling.pk, actor.pk if actor else None
    if after_survey_version is None:
        transaction.on_commit(lambda: render_plans.delay(dwelling_id, made_by_id), robust=True)
        return
    transaction.on_commit(
        lambda: render_plans.apply_async(
            args=[dwelling_id, made_by_id],
            kwargs={"survey_version": after_survey_version},
            countdown=settings.CONNECTION_PLAN_DELAY,
        ),
        robust=True,
    )


def plans_follow_register(*, actor_id: int | None, dwelling_ids) -> int:
    """After the register changed for these dwellings (the edit page, the admin, an import): have the
    plans of those with an approved plan made again once the change is committed, in chunks of
    ``BATCH_CHUNK`` per task; a plan whose content did not change is not made again. The number of
    dwellings whose plans follow."""
    from surveys.plans.tasks import render_plans_chunk
    from surveys.services import PLANNED_STATES

    ids: list[int] = []
    for start in range(0, len(dwelling_ids), 1000):  # SQLite takes a limited number of parameters
        chunk = dwelling_ids[start : start + 1000]
        ids += Dwelling.objects.filter(pk__in=chunk, state__in=PLANNED_STATES).values_list("pk", flat=True)
    ids.sort()
    for start in range(0, len(ids), BATCH_CHUNK):
        chunk = ids[start : start + BATCH_CHUNK]
        transaction.on_commit(lambda chunk=chunk: render_plans_chunk.delay(chunk, actor_id), robust=True)
    return len(ids)


def plans_render_current(
    *, dwelling_id: int, made_by: User | None = None, survey_version: int | None = None
) -> list[tuple[ConnectionPlan, bool]]:
    """``plans_render``, unless the survey moved past ``survey_version`` meanwhile: then nothing
    (the later change scheduled its own turn)."""
    if (
        survey_version is not None
        and not Survey.objects.filter(dwelling_id=dwelling_id, version=survey_version).exists()
    ):
        return []
    return plans_render(dwelling_id=dwelling_id, made_by=made_by)
