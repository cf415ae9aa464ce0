"""The resident's page for the day of the work (``/r/<code>/installation/``): choose one of the days the
installer offers, see and change the chosen day, and add it to one's calendar."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.access import resident_page
from portal.grants import installation_deadline, may_change_installation
from portal.services import installation
from portal.views import _context, _error_text, _url
from projects.errors import Conflict
from projects.states import DwellingState as S


@resident_page
def choose(request, code):
    dwelling = request.link.dwelling
    if request.method == "POST":
        try:
            installation.installation_book(
                resident=request.resident, day_id=request.POST.get("day"), seen=request.POST.get("seen", "")
            )
        except (ValidationError, Conflict) as error:
            messages.error(request, _error_text(error) if isinstance(error, ValidationError) else str(error))
            return redirect(_url("installation", code))
        messages.success(request, _("The day of the work is chosen. You will get a confirmation."))
        return redirect(_url("home", code))
    if dwelling.state not in installation.CHOOSING_STATES:
        raise Http404
    planned = dwelling.state == S.INSTALLATION_PLANNED
    may_change = may_change_installation(dwelling) if planned else True
    weeks: dict = {}
    for day in installation.offered_days(dwelling) if may_change else []:
        monday = day.date - datetime.timedelta(days=day.date.weekday())
        weeks.setdefault(monday, []).append(day)
    return render(
        request,
        "portal/installation.html",
        _context(
            request,
            weeks=sorted(weeks.items()),
            seen=installation.seen_value(dwelling),
            planned=planned,
            may_change=may_change,
            deadline=installation_deadline(dwelling) if planned else None,
        ),
    )


@require_GET
@resident_page
def calendar(request, code):
    dwelling = request.link.dwelling
    if dwelling.state != S.INSTALLATION_PLANNED or dwelling.installation_planned_on is None:
        raise Http404
    body = installation.calendar_file(
        dwelling,
        title=_("The installer connects your home to the heat network"),
        place=f"{dwelling.street} {dwelling.house_number_full}, {dwelling.postcode} {dwelling.city}",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="werkdag.ics"'
    return response
