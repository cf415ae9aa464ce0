"""The connection plan (aansluitplan) of a dwelling: what goes into it, its PDF, its versions, and when
it is made.

A plan is made from the survey, the works and the planning, in two versions (see
``surveys.plans.permissions``). What goes into a version is gathered by ``plan_context`` as plain data;
its fingerprint (``source_hash``, a SHA-256 of that data as canonical JSON, never of the PDF, which
carries the date it was made) decides whether a new version is needed: the same content returns the
stored version, any change makes version n+1 and keeps the older ones.

Plans are made in a Celery task, after the lead party approves the plan (``surveys/workflow.py``
follows the move), on demand from the dwelling page, and for a whole project as a job with progress.

The modules: ``content`` (loading what a plan reads and turning it into data), ``rendering`` (the HTML,
the PDF and the stored version), ``refresh`` (making plans again after a change), ``batches`` (plans
made on request as a job). Import the public names from here.
"""

from .batches import (
    BATCH_CHUNK,
    PLAN_READY_OR_LATER,
    UNFINISHED,
    plans_batch_chunk,
    plans_batch_chunks,
    plans_batch_dwellings,
    plans_batch_start,
    plans_pending,
    plans_request,
)
from .content import (
    IMAGE_KINDS,
    LAYOUT_VERSION,
    NO_SURVEY,
    PLAN_SECTIONS,
    VARIANT_TITLES,
    plan_context,
    plan_source_hash,
)
from .refresh import plans_follow_register, plans_refresh, plans_render_current
from .rendering import plan_filename, plan_html, plan_render, plans_render

__all__ = [
    "BATCH_CHUNK",
    "IMAGE_KINDS",
    "LAYOUT_VERSION",
    "NO_SURVEY",
    "PLAN_READY_OR_LATER",
    "PLAN_SECTIONS",
    "UNFINISHED",
    "VARIANT_TITLES",
    "plan_context",
    "plan_filename",
    "plan_html",
    "plan_render",
    "plan_source_hash",
    "plans_batch_chunk",
    "plans_batch_chunks",
    "plans_batch_dwellings",
    "plans_batch_start",
    "plans_follow_register",
    "plans_pending",
    "plans_refresh",
    "plans_render",
    "plans_render_current",
    "plans_request",
]
