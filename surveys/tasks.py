"""Celery finds the tasks of the surveys app here (``autodiscover_tasks`` imports ``surveys.tasks``)."""

from surveys.planning.tasks import *  # noqa: F403
from surveys.plans.tasks import *  # noqa: F403
