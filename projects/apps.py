from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from auditlog.registry import auditlog

        from projects.models import Governance, Participation, SubTeam

        # Governance changes are logged field by field: who, when, old value, new value.
        auditlog.register(Governance, exclude_fields=["updated_at", "version"])
        auditlog.register(Participation)
        auditlog.register(SubTeam, m2m_fields={"members"})
