"""Reads for the survey pages, scoped and loaded in a fixed number of queries."""

import datetime

from django.db.models import Prefetch, QuerySet

from projects.models import Contact, Dwelling, User
from projects.states import DwellingState


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
    """How well the project keeps to one visit per home, in two queries and without personal data."""
    from django.conf import settings
    from django.db.models import Count, Q, Sum
    from django.utils import translation

    from projects.models import DwellingTransition
    from projects.states import VisitFailure

    surveyed = Dwelling.objects.filter(project=project, survey_completed_at__isnull=False).aggregate(
        dwellings=Count("pk"), once=Count("pk", filter=Q(visit_count=1)), visits=Sum("visit_count")
    )
    # Failed visits are logged in the project's language as "<outcome>: <note>".
    with translation.override(settings.LANGUAGE_CODE):
        prefixes = {failure: str(failure.label) for failure in VisitFailure}
    failed = DwellingTransition.objects.filter(
        dwelling__project=project, transition="visit_failed"
    ).aggregate(
        total=Count("pk"),
        **{
            failure.value: Count("pk", filter=Q(reason__startswith=prefix))
            for failure, prefix in prefixes.items()
        },
    )
    dwellings = surveyed["dwellings"] or 0
    return {
        "surveyed": dwellings,
        "once": surveyed["once"] or 0,
        "repeat": dwellings - (surveyed["once"] or 0),
        "once_share": round(100 * (surveyed["once"] or 0) / dwellings) if dwellings else None,
        "visits_per_dwelling": round((surveyed["visits"] or 0) / dwellings, 2) if dwellings else None,
        "failed": failed["total"],
        "reasons": [
            {"label": failure.label, "count": failed[failure.value]}
            for failure in VisitFailure
            if failed[failure.value]
        ],
    }
