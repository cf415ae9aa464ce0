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

__all__ = [
    "PackageChanged",
    "agreements_expire",
    "package_accept",
    "package_create",
    "package_decline",
    "package_hand",
    "package_offer",
    "package_withdraw",
]
