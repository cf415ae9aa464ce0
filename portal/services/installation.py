"""The resident chooses the day of the work from the days the installer offers for their home's work
package (``procurement.models.InstallationDay``), and may change it until ``PORTAL_CHANGE_HOURS`` before
that day starts.

The first choice is the workflow's ``plan_installation``, a change ``reschedule_installation``, both made
by the resident and checked by the same rules as the installer's planning (the package's weeks, the
installer's capacity per week). A day's places are counted under a lock on the day's row, so two residents
cannot both take its last place: the second hears that the day is full and sees the days still free. The
form carries the date the resident saw: if it changed meanwhile, nothing happens. A day of another package
changes nothing. Every choice and change is confirmed on the person's channel.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from communication.models import TemplateKey
from communication.services.personal import message_person
from portal.grants import may_change_installation
from procurement.models import InstallationDay, PackageDwelling, PackageStatus, WorkPackage
from procurement.services.days import BOOKED_STATES, places_taken
from projects.errors import Conflict
from projects.models import Contact, Dwelling
from projects.residents import Resident
from projects.services import dwelling_transition
from projects.states import DwellingState

# The states in which the page is there: to choose, or to see and change the chosen day.
CHOOSING_STATES = (DwellingState.ASSIGNED, DwellingState.INSTALLATION_PLANNED)


class InstallationChanged(Conflict):
    """The date of the work is not the one the resident saw (changed in another tab or by the installer)."""


class DayFull(Conflict):
    """Other homes took the day's last place meanwhile."""


@dataclass(frozen=True)
class OfferedDay:
    pk: int
    date: datetime.date
    free: int


def _package_items(dwelling):
    """The home's place in the accepted package of its installer (one row, or none)."""
    return PackageDwelling.objects.filter(
        dwelling_id=dwelling.pk,
        open=True,
        package__status=PackageStatus.ACCEPTED,
        package__installer_id=dwelling.installer_id,
    )


def package_of(dwelling) -> WorkPackage | None:
    """The accepted package that holds the home, of the home's installer; None without one."""
    if dwelling.installer_id is None:
        return None
    item = _package_items(dwelling).select_related("package").first()
    return item.package if item else None


def first_day() -> datetime.date:
    """The first day that may still be chosen: it starts more than ``PORTAL_CHANGE_HOURS`` from now."""
    soonest = timezone.localtime(timezone.now() + datetime.timedelta(hours=settings.PORTAL_CHANGE_HOURS))
    return soonest.date() + datetime.timedelta(days=1)


def offered_days(dwelling, package: WorkPackage | None = None) -> list[OfferedDay]:
    """The days of the home's package with a free place, far enough ahead, not the home's own (one
    query: the overview asks it too). A day's places taken are counted as ``places_taken`` counts them."""
    if package is not None:
        days = InstallationDay.objects.filter(package=package)
    elif dwelling.installer_id is None:
        return []
    else:
        days = InstallationDay.objects.filter(
            package_id=Subquery(_package_items(dwelling).order_by("pk").values("package_id")[:1])
        )
    taken = (
        Dwelling.objects.filter(
            package_items__package_id=OuterRef("package_id"),
            package_items__open=True,
            state__in=BOOKED_STATES,
            installation_planned_on=OuterRef("date"),
        )
        .order_by()
        .values("installation_planned_on")
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    rows = (
        days.filter(date__gte=first_day())
        .exclude(date=dwelling.installation_planned_on)
        .annotate(taken=Coalesce(Subquery(taken), Value(0)))
        .filter(places__gt=F("taken"))
        .order_by("date")
        .values_list("pk", "date", "places", "taken")
    )
    return [OfferedDay(pk, date, places - taken) for pk, date, places, taken in rows]


def has_days(dwelling) -> bool:
    """Whether the home may choose a day now: assigned, in a package with a free day (for the overview)."""
    return dwelling.state == DwellingState.ASSIGNED and bool(offered_days(dwelling))


def seen_value(dwelling) -> str:
    """What the form remembers of the date the resident saw."""
    day = dwelling.installation_planned_on
    return day.isoformat() if day and dwelling.state == DwellingState.INSTALLATION_PLANNED else "none"


def _remaining(dwelling, package) -> str:
    days = offered_days(dwelling, package)
    if not days:
        return _("There are no other days free now. Please call us.")
    return _("Still free: %(days)s.") % {
        "days": ", ".join(date_format(day.date, "l j F") for day in days[:6])
    }


@transaction.atomic
def installation_book(*, resident: Resident, day_id, seen: str) -> InstallationDay:
    """Choose the day for the resident's home, or move the chosen day to it."""
    dwelling = Dwelling.objects.select_for_update(of=("self",)).get(pk=resident.dwelling_id)
    if seen != seen_value(dwelling):
        raise InstallationChanged(
            _("The date of the work changed meanwhile. Look at it below and choose again if you want.")
        )
    if dwelling.state == DwellingState.ASSIGNED:
        move = "plan_installation"
    elif dwelling.state == DwellingState.INSTALLATION_PLANNED:
        if not may_change_installation(dwelling):
            raise ValidationError(_("The work is too close to change the day here. Please call us."))
        move = "reschedule_installation"
    else:
        raise ValidationError(_("A day for the work cannot be chosen for your home now."))
    package = package_of(dwelling)
    try:
        if package is None:
            raise InstallationDay.DoesNotExist
        # The lock on the day: whoever comes second counts the places after the first one's choice.
        day = InstallationDay.objects.select_for_update().get(pk=int(day_id), package=package)
    except (InstallationDay.DoesNotExist, TypeError, ValueError):
        raise ValidationError(_("This day is not offered (any more). Choose another day.")) from None
    if day.date == dwelling.installation_planned_on:
        return day  # the same choice sent twice
    if day.date < first_day():
        raise ValidationError(_("This day is too soon to choose here. Choose a later day."))
    if places_taken(package.pk, [day.date]).get(day.date, 0) >= day.places:
        raise DayFull(
            _("Other homes just took the last place on this day. %(remaining)s")
            % {"remaining": _remaining(dwelling, package)}
        )
    try:
        dwelling_transition(
            actor=resident,
            dwelling_id=dwelling.pk,
            transition=move,
            expected_state=dwelling.state,
            planned_on=day.date,
        )
    except ValidationError:
        # The installer's week is full (its planning elsewhere counts too).
        raise DayFull(
            _("This day cannot be chosen any more. %(remaining)s")
            % {"remaining": _remaining(dwelling, package)}
        ) from None
    # Read again: the confirmation says the new date.
    contact = Contact.objects.select_related("dwelling__project").get(pk=resident.contact.pk)
    log_id = dwelling.transitions.order_by("-pk").values_list("pk", flat=True).first()
    message_person(
        contact=contact,
        template_key=TemplateKey.INSTALLATION_DATE,
        # The move's log row too: choosing a day again after a change is confirmed again.
        trigger=f"portal:installation:{dwelling.pk}:{day.date}:{log_id}",
    )
    return day


def calendar_file(dwelling, *, title: str, place: str) -> bytes:
    """The day of the work as an iCalendar file (a whole-day event) to add to one's own calendar."""
    import icalendar

    day = dwelling.installation_planned_on
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//De laatste meter//Bewonersportaal//NL")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    host = settings.PUBLIC_URL.split("//")[-1].split("/")[0]
    event.add("uid", f"installation-{dwelling.pk}-{day:%Y%m%d}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", title)
    event.add("location", place)
    calendar.add_component(event)
    return calendar.to_ical()
