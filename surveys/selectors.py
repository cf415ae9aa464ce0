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
