"""Every write goes through a service: governance and parties, the register, moves of dwellings, people."""

from .dwellings import (
    DwellingChanged,
    TransitionRefused,
    dwelling_transition,
    dwellings_bulk_transition,
)
from .governance import (
    GOVERNANCE_FIELDS,
    PROJECT_FIELDS,
    PROJECT_UPDATE_FIELDS,
    StaleObjectError,
    governance_update,
    participation_add,
    participation_remove,
    project_create,
    project_update,
    subteam_delete,
    subteam_save,
)
from .register import REGISTER_FIELDS, dwelling_save

__all__ = [
    "GOVERNANCE_FIELDS",
    "PROJECT_FIELDS",
    "PROJECT_UPDATE_FIELDS",
    "REGISTER_FIELDS",
    "DwellingChanged",
    "StaleObjectError",
    "TransitionRefused",
    "dwelling_save",
    "dwelling_transition",
    "dwellings_bulk_transition",
    "governance_update",
    "participation_add",
    "participation_remove",
    "project_create",
    "project_update",
    "subteam_delete",
    "subteam_save",
]
