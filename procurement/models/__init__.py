"""Procurement: installers and their certificates, framework agreements with their unit rates, pools of
installers that projects choose from, and the work packages the lead party offers to an installer."""

from .agreements import AgreementScope, AgreementStatus, FrameworkAgreement, RateUnit, UnitRate
from .installers import Certificate, CertificateKind, InstallerProfile
from .packages import PackageDwelling, PackageStatus, WorkPackage
from .pools import Pool, ProjectProcurement

__all__ = [
    "AgreementScope",
    "AgreementStatus",
    "Certificate",
    "CertificateKind",
    "FrameworkAgreement",
    "InstallerProfile",
    "PackageDwelling",
    "PackageStatus",
    "Pool",
    "ProjectProcurement",
    "RateUnit",
    "UnitRate",
    "WorkPackage",
]
