"""What procurement does: every change goes through here (pages, API, admin, tasks)."""

from .agreements import agreements_expire
from .completion import (
    EvidenceMissing,
    completion_gaps,
    completion_photo_add,
    completion_photo_remove,
    completion_report,
    completion_save_answers,
)
from .days import installation_days_offer, installation_days_withdraw
from .moving import package_move
from .packages import (
    PackageChanged,
    package_accept,
    package_create,
    package_decline,
    package_hand,
    package_offer,
    package_withdraw,
)
from .review import extra_work_approve, installation_confirm, installation_reject
from .setup import (
    agreement_save,
    certificate_save,
    checklist_save,
    installer_profile_save,
    pool_save,
    project_budget_set,
    project_procurement_set,
    rate_save,
)
from .tenders import TenderClosed, bid_submit, tender_award, tender_create

__all__ = [
    "EvidenceMissing",
    "PackageChanged",
    "TenderClosed",
    "agreement_save",
    "agreements_expire",
    "bid_submit",
    "certificate_save",
    "checklist_save",
    "completion_gaps",
    "completion_photo_add",
    "completion_photo_remove",
    "completion_report",
    "completion_save_answers",
    "extra_work_approve",
    "installation_confirm",
    "installation_days_offer",
    "installation_days_withdraw",
    "installation_reject",
    "installer_profile_save",
    "package_accept",
    "package_create",
    "package_decline",
    "package_hand",
    "package_move",
    "package_offer",
    "package_withdraw",
    "pool_save",
    "project_budget_set",
    "project_procurement_set",
    "rate_save",
    "tender_award",
    "tender_create",
]
