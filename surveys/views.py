"""The surveyor's pages, made for a tablet."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from surveys.selectors import surveyor_day


@login_required
def my_day(request):
    """Today's visits (or another day's, ``?date=2026-12-01``) in route order."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    visits = list(surveyor_day(surveyor=request.user, day=day))
    for dwelling in visits:
        contacts = list(dwelling.contacts.all())
        resident = [c for c in contacts if c.role == "resident"] or [c for c in contacts if c.role == "owner"]
        dwelling.access_contact = resident[0] if resident else None
    return render(
        request,
        "surveys/my_day.html",
        {
            "day": day,
            "visits": visits,
            "previous": day - datetime.timedelta(days=1),
            "next": day + datetime.timedelta(days=1),
            "is_today": day == timezone.localdate(),
        },
    )
