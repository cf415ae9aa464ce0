"""The installer offers the days its residents choose from: a page of an accepted work package
(``projects/<slug>/packages/<number>/days/``) for a planner or coordinator of its installer. For anyone
else the page does not exist (404); the installer's people who do not plan get 403."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from procurement import services
from procurement.models import InstallationDay, InstallerProfile
from procurement.permissions import can_offer_days
from procurement.services.days import offerable_packages, places_taken
from projects import selectors as project_selectors


def _package(request, slug, number):
    project = project_selectors.project_get(user=request.user, slug=slug)
    package = get_object_or_404(offerable_packages(request.user).filter(project=project), number=number)
    if not can_offer_days(request.user, package):
        raise PermissionDenied(_("Only a planner or coordinator of the installer offers installation days."))
    return project, package


def _dates(values) -> list[datetime.date] | None:
    try:
        return [datetime.date.fromisoformat(value) for value in values]
    except ValueError:
        return None


def _weeks(package, offered: dict) -> list[tuple[datetime.date, list[dict]]]:
    """The package's working days after today, per week, with what is offered on each."""
    today = timezone.localdate()
    weeks = []
    for monday in package.weeks:
        days = [monday + datetime.timedelta(days=n) for n in range(5)]
        rows = [{"date": day, "offered": offered.get(day)} for day in days if day > today]
        if rows:
            weeks.append((monday, rows))
    return weeks


@login_required
def days(request, slug, number):
    """The days on offer (with the homes that chose each) and a form to offer more."""
    project, package = _package(request, slug, number)
    errors: dict = {}
    chosen: list = []
    places_value = request.POST.get("places", "")
    if request.method == "POST":
        chosen = _dates(request.POST.getlist("days"))
        if chosen is None:
            errors = {"days": [_("Choose days of the package.")]}
        else:
            try:
                made = services.installation_days_offer(
                    actor=request.user, package_id=package.pk, days=chosen, places=places_value
                )
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"form": exc.messages}
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s day is offered to the residents.",
                        "%(count)s days are offered to the residents.",
                        len(made),
                    )
                    % {"count": len(made)},
                )
                return redirect("packages:days", slug=slug, number=number)
    offered = list(InstallationDay.objects.filter(package=package).order_by("date"))
    taken = places_taken(package.pk)
    rows = [{"day": day, "taken": taken.get(day.date, 0)} for day in offered]
    capacity = (
        InstallerProfile.objects.filter(organisation_id=package.installer_id)
        .values_list("connections_per_week", flat=True)
        .first()
    )
    return render(
        request,
        "procurement/installation_days.html",
        {
            "project": project,
            "package": package,
            "rows": rows,
            "weeks": _weeks(package, {row["day"].date: row for row in rows}),
            "errors": errors,
            "chosen": set(chosen or []),
            "places": places_value or (max(1, capacity // 5) if capacity else 1),
            "capacity": capacity,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def day_withdraw(request, slug, number):
    """Withdraw one offered day that no home has chosen."""
    _project, package = _package(request, slug, number)
    chosen = _dates(request.POST.getlist("days"))
    if not chosen:
        raise Http404
    try:
        services.installation_days_withdraw(actor=request.user, package_id=package.pk, days=chosen)
    except InstallationDay.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The day is withdrawn."))
    return redirect("packages:days", slug=slug, number=number)
