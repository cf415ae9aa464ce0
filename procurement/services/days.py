"""The installation days an installer offers for an accepted package; its residents choose one of them in
the resident portal (``portal.services.installation``).

A planner or coordinator of the package's installer offers working days within the package's weeks,
each with a number of places (homes that day). A day has no more places than the installer makes
connections in a week, and the places it offers in a week, over all its packages, stay within that
capacity too. A day that a home has chosen is not withdrawn; offering a day again changes its places,
never below the homes that have chosen it. For anyone else the package does not exist (404).
"""

import datetime
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from procurement.models import InstallationDay, InstallerProfile, PackageStatus, WorkPackage
from procurement.permissions import can_offer_days
from projects.models import Dwelling, Organisation, User
from projects.permissions import is_platform_admin
from projects.states import DwellingState

# A home in these, with its installation on a day, has taken one of the day's places.
BOOKED_STATES = (DwellingState.INSTALLATION_PLANNED, DwellingState.INSTALLED, DwellingState.CONNECTED)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _days_text(days) -> str:
    return ", ".join(date_format(day) for day in sorted(days)[:5])


def places_taken(package_id: int, dates=None) -> dict[datetime.date, int]:
    """Per day: the homes of the package whose installation is planned that day (one query)."""
    rows = Dwelling.objects.filter(
        package_items__package_id=package_id, package_items__open=True, state__in=BOOKED_STATES
    )
    if dates is not None:
        rows = rows.filter(installation_planned_on__in=list(dates))
    else:
        rows = rows.filter(installation_planned_on__isnull=False)
    counted = rows.values("installation_planned_on").annotate(n=Count("pk", distinct=True)).order_by()
    return {row["installation_planned_on"]: row["n"] for row in counted}


def offerable_packages(user: User):
    """The accepted packages whose days the person may offer (an empty queryset for anyone else)."""
    packages = WorkPackage.objects.filter(status=PackageStatus.ACCEPTED)
    if is_platform_admin(user):
        return packages
    if not user.is_authenticated or not user.is_active or user.organisation_id is None or user.in_field_only:
        return packages.none()
    return packages.filter(installer_id=user.organisation_id)


def _package_for(actor: User, package_id: int) -> WorkPackage:
    """The accepted package of the actor's organisation, locked; WorkPackage.DoesNotExist for anyone
    else (a 404), PermissionDenied for its installer's people who do not plan."""
    package = (
        offerable_packages(actor)
        .select_for_update(of=("self",))
        .select_related("project", "installer")
        .get(pk=package_id)
    )
    if not can_offer_days(actor, package):
        raise PermissionDenied(_("Only a planner or coordinator of the installer offers installation days."))
    return package


def _capacity(package: WorkPackage) -> int | None:
    return (
        InstallerProfile.objects.filter(organisation_id=package.installer_id)
        .values_list("connections_per_week", flat=True)
        .first()
    )


@transaction.atomic
def installation_days_offer(
    *, actor: User, package_id: int, days: list[datetime.date], places: int
) -> list[InstallationDay]:
    """Offer ``days`` of the package with ``places`` homes each (a day offered already gets the new
    number of places). Refused with the reason per field, changing nothing."""
    package = _package_for(actor, package_id)
    # Lock the installer: two offers at once cannot both take the last places of its week.
    list(Organisation.objects.select_for_update().filter(pk=package.installer_id).values_list("pk"))
    chosen = sorted(set(days))
    errors: dict[str, list[str]] = defaultdict(list)
    try:
        places = int(places)
    except (TypeError, ValueError):
        places = 0
    if places < 1:
        errors["places"].append(_("Offer at least one place a day."))
    capacity = _capacity(package)
    if not capacity:
        errors["places"].append(
            _("%(installer)s has not stated its capacity (connections per week).")
            % {"installer": package.installer}
        )
    elif places > capacity:
        errors["places"].append(
            _("At most %(capacity)s a day: %(installer)s makes %(capacity)s connections a week.")
            % {"capacity": capacity, "installer": package.installer}
        )
    if not chosen:
        errors["days"].append(_("Choose at least one day."))
    outside = [d for d in chosen if not package.first_week <= d <= package.last_day or d.weekday() >= 5]
    if outside:
        errors["days"].append(
            _(
                "Offer working days (Monday to Friday) within the weeks of the package, %(first)s to "
                "%(last)s; not: %(days)s."
            )
            % {
                "first": date_format(package.first_week),
                "last": date_format(package.last_day),
                "days": _days_text(outside),
            }
        )
    past = [d for d in chosen if d <= timezone.localdate() and d not in outside]
    if past:
        errors["days"].append(_("Offer days after today; not: %(days)s.") % {"days": _days_text(past)})
    if errors:
        raise ValidationError(dict(errors))

    taken = places_taken(package.pk, chosen)
    fuller = [d for d in chosen if taken.get(d, 0) > places]
    if fuller:
        raise ValidationError(
            {
                "places": _(
                    "More homes than that have chosen these days already: %(days)s. Offer at least as "
                    "many places as they took."
                )
                % {"days": _days_text(fuller)}
            }
        )
    for monday in sorted({_monday(d) for d in chosen}):
        sunday = monday + datetime.timedelta(days=6)
        new = places * sum(1 for d in chosen if _monday(d) == monday)
        offered = (
            InstallationDay.objects.filter(
                package__installer_id=package.installer_id,
                package__status=PackageStatus.ACCEPTED,
                date__range=(monday, sunday),
            )
            .exclude(package=package, date__in=chosen)
            .aggregate(total=Sum("places"))["total"]
            or 0
        )
        if offered + new > capacity:
            raise ValidationError(
                {
                    "places": _(
                        "The week of %(week)s would have %(total)s places, over all your packages; you "
                        "make %(capacity)s connections a week."
                    )
                    % {"week": date_format(monday), "total": offered + new, "capacity": capacity}
                }
            )

    existing = {day.date: day for day in InstallationDay.objects.filter(package=package, date__in=chosen)}
    result = []
    for date in chosen:
        day = existing.get(date)
        if day is None:
            day = InstallationDay.objects.create(package=package, date=date, places=places, created_by=actor)
        elif day.places != places:
            day.places = places
            day.save(update_fields=["places"])
        result.append(day)
    return result


@transaction.atomic
def installation_days_withdraw(*, actor: User, package_id: int, days: list[datetime.date]) -> int:
    """Withdraw offered days that no home has chosen; a day a home has chosen stays (refused by name)."""
    package = _package_for(actor, package_id)
    chosen = sorted(set(days))
    rows = list(
        InstallationDay.objects.select_for_update().filter(package=package, date__in=chosen).order_by("date")
    )
    if not chosen or len(rows) != len(chosen):
        raise InstallationDay.DoesNotExist
    taken = places_taken(package.pk, chosen)
    booked = [d for d in chosen if taken.get(d)]
    if booked:
        raise ValidationError(
            ngettext(
                "A home has chosen this day already: %(days)s. Plan it on another day first.",
                "Homes have chosen these days already: %(days)s. Plan them on another day first.",
                len(booked),
            )
            % {"days": _days_text(booked)}
        )
    InstallationDay.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)
