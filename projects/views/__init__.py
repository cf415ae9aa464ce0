from .dwellings import (
    dwelling_bulk,
    dwelling_detail,
    dwelling_list,
    dwelling_move,
    job_detail,
    job_status,
)
from .governance import (
    governance_document,
    governance_edit,
    governance_log,
    participation_add,
    participation_remove,
    project_create,
    project_detail,
    project_list,
    subteam_delete,
    subteam_edit,
)

__all__ = [
    "dwelling_bulk",
    "dwelling_detail",
    "dwelling_list",
    "dwelling_move",
    "governance_document",
    "governance_edit",
    "governance_log",
    "job_detail",
    "job_status",
    "participation_add",
    "participation_remove",
    "project_create",
    "project_detail",
    "project_list",
    "subteam_delete",
    "subteam_edit",
]
