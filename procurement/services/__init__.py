"""What procurement does: every change goes through here (pages, API, admin, tasks)."""

from .agreements import agreements_expire
from .packages import (
    PackageChanged,
    package_accept,
    package_create,
    package_decline,
    package_hand,
    package_offer,
    package_withdraw,
)
from .setup import (
    agreement_save,
    certificate_save,
    installer_profile_save,
    pool_save,
    project_procurement_set,
    rate_save,
)

__all__ = [
    "PackageChanged",
    "agreement_save",
    "agreements_expire",
    "certificate_save",
    "installer_profile_save",
    "package_accept",
    "package_create",
    "package_decline",
    "package_hand",
    "package_offer",
    "package_withdraw",
    "pool_save",
    "project_procurement_set",
    "rate_save",
]
