"""Planning survey visits ahead, by cluster or street, and open slots that residents can book.

Area planning works in two steps. ``plan_area_preview`` proposes which dwelling gets which surveyor
and time: the selected informed dwellings in route order (cluster first when clusters were chosen,
then street, house number, letter, addition), filling each chosen weekday surveyor by surveyor up to
their daily capacity (``User.survey_capacity``), around the visits and open slots the surveyors already
have. Nothing is written. ``plan_area_execute`` then makes each proposed move through ``dwelling_transition``
(checked and logged like any other move); a dwelling that moved meanwhile, or a time taken meanwhile,
is skipped with its reason, never an error. From the page the confirmed preview runs as a Job with
progress (``plan_area_job_create``, ``plan_area_run``); the same confirmation twice gives the first
job back, and a second run would find the dwellings planned and skip them. ``plan_area`` does both
steps at once.

Slots are times a surveyor keeps free for a visit. The survey party makes them in bulk
(``slots_create``: duplicates, clashes and days beyond capacity are refused as a whole), publishes
them per project and deletes open ones. ``slot_book`` books one for an informed dwelling by planning
the survey at the slot's time with the slot's surveyor.

The modules: ``checks`` (the defaults and the shared checks of times, surveyors and capacity),
``area`` (proposals and planning them), ``area_jobs`` (a confirmed proposal as a job), ``slots``.
Import the public names from here.
"""

from .area import (
    HORIZON_DAYS,
    PROGRESS_EVERY,
    AreaPlan,
    Assignment,
    plan_area,
    plan_area_execute,
    plan_area_preview,
)
from .area_jobs import plan_area_job_create, plan_area_run, plan_area_token
from .checks import (
    DAY_END,
    DAY_START,
    MAX_VISIT_MINUTES,
    MIN_VISIT_MINUTES,
    SLOT_RANGE_MAX_DAYS,
    SURVEY_VISIT_MINUTES,
    WORKING_DAYS,
    appointment_refusal,
    when_text,
)
from .slots import SlotTaken, slot_book, slots_create, slots_delete, slots_publish

__all__ = [
    "DAY_END",
    "DAY_START",
    "HORIZON_DAYS",
    "MAX_VISIT_MINUTES",
    "MIN_VISIT_MINUTES",
    "PROGRESS_EVERY",
    "SLOT_RANGE_MAX_DAYS",
    "SURVEY_VISIT_MINUTES",
    "WORKING_DAYS",
    "AreaPlan",
    "Assignment",
    "SlotTaken",
    "appointment_refusal",
    "plan_area",
    "plan_area_execute",
    "plan_area_job_create",
    "plan_area_preview",
    "plan_area_run",
    "plan_area_token",
    "slot_book",
    "slots_create",
    "slots_delete",
    "slots_publish",
    "when_text",
]
