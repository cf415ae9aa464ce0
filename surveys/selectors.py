"""Reads for the survey pages, scoped and loaded in a fixed number of queries."""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from projects.models import Contact, Dwelling, User
from projects.states import DwellingState, VisitFailure
from surveys.models import Visit, VisitOutcome


def surveyor_day(*, surveyor: User, day: datetime.date) -> QuerySet[Dwelling]:
    """The surveyor's planned visits of one day in route order: by street, then house number."""
    return (
        Dwelling.objects.filter(
            surveyor=surveyor, state=DwellingState.SURVEY_PLANNED, survey_appointment_at__date=day
        )
        .select_related("project", "housing_association")
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("role")))
        .order_by("city", "street", "house_number", "house_letter", "house_number_addition", "pk")
    )


def one_visit_figures(*, project) -> dict:
    """How well the project keeps to one visit per home, in two queries and without personal data.

    A home's ``visit_count`` counts its Visit rows (both are written by the same move); the reasons
    are the outcomes of the visits that did not complete the survey.
    """
    surveyed = Dwelling.objects.filter(project=project, survey_completed_at__isnull=False).aggregate(
        dwellings=Count("pk"), once=Count("pk", filter=Q(visit_count=1)), visits=Sum("visit_count")
    )
    failed = dict(
        Visit.objects.filter(dwelling__project=project)
        .exclude(outcome=VisitOutcome.COMPLETED)
        .values_list("outcome")
        .annotate(count=Count("pk"))
        .order_by()
    )
    dwellings = surveyed["dwellings"] or 0
    once = surveyed["once"] or 0
    return {
        "surveyed": dwellings,
        "once": once,
        "repeat": dwellings - once,
        "once_share": round(100 * once / dwellings) if dwellings else None,
        "visits_per_dwelling": round((surveyed["visits"] or 0) / dwellings, 2) if dwellings else None,
        "failed": sum(failed.values()),
        "reasons": [
            {"outcome": failure.value, "label": failure.label, "count": failed[failure.value]}
            for failure in VisitFailure
            if failed.get(failure.value)
        ],
    }
