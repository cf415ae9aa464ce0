from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from auditlog.registry import auditlog

        from projects.models import Governance, Participation, Project, SubTeam, User
        from projects.services.governance import PROJECT_UPDATE_FIELDS

        # Governance changes are logged field by field: who, when, old value, new value.
        auditlog.register(Governance, exclude_fields=["updated_at", "version"])
        auditlog.register(Project, include_fields=list(PROJECT_UPDATE_FIELDS))
        auditlog.register(Participation)
        auditlog.register(SubTeam, m2m_fields={"members"})
        # Who gave whom which roles, and who blocked or renamed whom (never the password).
        auditlog.register(
            User,
            include_fields=[
                "email",
                "first_name",
                "last_name",
                "organisation",
                "work_roles",
                "visits_per_day",
                "is_active",
                "is_staff",
                "is_superuser",
            ],
        )

        # The base's kinds of job and their pages (projects/jobs.py); the survey app adds its own.
        from projects import jobs
        from projects.imports.views import IMPORT_JOBS
        from projects.models import Job
        from projects.views.dwellings import BULK_JOBS

        jobs.register(Job.Kind.IMPORT, IMPORT_JOBS)
        jobs.register(Job.Kind.BULK_TRANSITION, BULK_JOBS)
