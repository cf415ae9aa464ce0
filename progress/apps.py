from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = _("Progress")

    def ready(self):
        from progress import pages  # noqa: F401 - the dashboard's button on the project page

        # The dwelling export's kind of job and its button on the dwelling list (progress/export_views.py).
        from progress.export_views import EXPORT_JOBS
        from projects import jobs
        from projects.models import Job

        jobs.register(Job.Kind.DWELLING_EXPORT, EXPORT_JOBS)
