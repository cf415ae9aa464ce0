"""Procurement: installers and their certificates, framework agreements with their unit rates, pools of
installers that projects choose from, and the work packages the lead party offers to an installer."""

from .agreements import AgreementScope, AgreementStatus, FrameworkAgreement, RateUnit, UnitRate
from .completion import (
    CommissioningChecklist,
    Completion,
    CompletionPhoto,
    DeliverySet,
    ExtraWork,
    InstallationReview,
    ReviewDecision,
)
from .days import InstallationDay
from .installers import Certificate, CertificateKind, InstallerProfile
from .packages import PackageDwelling, PackageStatus, WorkPackage
from .pools import Pool, ProjectProcurement
from .tenders import Bid, Tender, TenderStatus

__all__ = [
    "AgreementScope",
    "AgreementStatus",
    "Bid",
    "Certificate",
    "CertificateKind",
    "CommissioningChecklist",
    "Completion",
    "CompletionPhoto",
    "DeliverySet",
    "ExtraWork",
    "FrameworkAgreement",
    "InstallationDay",
    "InstallationReview",
    "InstallerProfile",
    "PackageDwelling",
    "PackageStatus",
    "Pool",
    "ProjectProcurement",
    "RateUnit",
    "ReviewDecision",
    "Tender",
    "TenderStatus",
    "UnitRate",
    "WorkPackage",
]
