from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Procurement")

    def ready(self):
        from auditlog.registry import auditlog

        from procurement import (
            pages,  # noqa: F401 - the button to the work packages
            workflow,  # noqa: F401 - scope, the installer's grant and the assign rule
        )
        from procurement.models import (
            Certificate,
            FrameworkAgreement,
            InstallerProfile,
            Pool,
            ProjectProcurement,
            UnitRate,
            WorkPackage,
        )

        # Who changed an agreement, a rate, a pool or a package, and when: the governance log's way.
        auditlog.register(FrameworkAgreement, exclude_fields=["updated_at"])
        auditlog.register(UnitRate)
        auditlog.register(Pool, m2m_fields={"agreements"})
        auditlog.register(ProjectProcurement, exclude_fields=["updated_at"])
        auditlog.register(InstallerProfile)
        auditlog.register(Certificate)
        auditlog.register(WorkPackage, exclude_fields=["version"])
