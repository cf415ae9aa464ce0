from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        # Timeline providers register themselves on import.
        from projects import history
        from surveys import (
            pages,  # noqa: F401 - the survey's sections and buttons on the base's pages
            timeline,  # noqa: F401
            workflow,  # noqa: F401 - the survey's validators, writers and subscribers
        )
        from surveys.plans import timeline as plan_timeline  # noqa: F401
        from surveys.schema import describe_answer

        # The history names the survey's questions and answers as the form does.
        history.FIELD_DESCRIBERS["surveys.survey"] = describe_answer

        # The survey app's kinds of job and their pages (projects/jobs.py).
        from projects import jobs
        from projects.models import Job
        from surveys.planning.views import PLANNING_JOBS
        from surveys.plans.views import PLAN_JOBS

        jobs.register(Job.Kind.PLAN_BATCH, PLAN_JOBS)
        jobs.register(Job.Kind.AREA_PLANNING, PLANNING_JOBS)
