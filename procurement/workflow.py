"""How procurement takes part in the dwelling's way (``projects.workflow``).

- An installer's coordinator sees the dwellings of a package offered to it (their addresses, to weigh
  the offer; not the residents), and a subcontractor the dwellings its main contractor handed to it.
- The installer takes the work: accepting its package makes the *assign* move for the package's
  dwellings, which the base lets it make (a grant). In a project that works from a pool, *assign* goes
  only through a package, to the installer it was offered to.
- Where a project has a commissioning checklist, *report installed* needs every required item of it; the
  heat company's *confirm connection* puts the delivery set in its register, and *reject installation*
  keeps the reasons per item as the installer's rework.
- An installation is planned within its package's weeks and its installer's capacity per week.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from procurement.models import (
    InstallationDay,
    InstallerProfile,
    PackageDwelling,
    PackageStatus,
    ProjectProcurement,
)
from procurement.models.packages import LOADING_STATUSES
from procurement.services import completion, review
from projects import workflow
from projects.models import Dwelling, Role
from projects.permissions import COORDINATING, PLANNING, does
from projects.states import DwellingState


def _package_dwellings(user) -> dict[int, str]:
    """The dwellings in the open offered or accepted packages of the user's organisation, with the
    package's status; read once per user object (``forget`` after a change)."""
    cached = getattr(user, "_procurement_dwellings", None)
    if cached is None:
        cached = {}
        if user.is_authenticated and user.organisation_id:
            rows = PackageDwelling.objects.filter(
                open=True, package__installer_id=user.organisation_id, package__status__in=LOADING_STATUSES
            ).values_list("dwelling_id", "package__status")
            cached = dict(rows)
        user._procurement_dwellings = cached
    return cached


def forget(user) -> None:
    user.__dict__.pop("_procurement_dwellings", None)


def _offered(user) -> Q:
    return Q(
        pk__in=PackageDwelling.objects.filter(
            open=True, package__installer_id=user.organisation_id, package__status=PackageStatus.OFFERED
        ).values("dwelling_id")
    )


@workflow.scope("offered_package", condition=_offered)
def sees_offered(user, dwelling) -> bool:
    return _package_dwellings(user).get(dwelling.pk) == PackageStatus.OFFERED


def _handed(user) -> Q:
    return Q(pk__in=PackageDwelling.objects.filter(_handed_rows(user)).values("dwelling_id"))


@workflow.scope(Role.SUBCONTRACTOR, condition=_handed)
def sees_handed(user, dwelling) -> bool:
    handed = getattr(user, "_procurement_handed", None)
    if handed is None:
        handed = set()
        if user.is_authenticated and user.organisation_id:
            handed = set(
                PackageDwelling.objects.filter(_handed_rows(user)).values_list("dwelling_id", flat=True)
            )
        user._procurement_handed = handed
    return dwelling.pk in handed


def _handed_rows(user) -> Q:
    return Q(open=True, subcontractor_id=user.organisation_id, package__status=PackageStatus.ACCEPTED)


@workflow.grant("plan_installation", "report_installed")
def subcontractor_does_the_work(user, dwelling) -> bool:
    """A planner or coordinator of the subcontractor the main contractor handed the dwelling to."""
    # The person's roles first: a resident choosing their day (``portal``) has none, nor a cache to fill.
    return not user.in_field_only and does(user, PLANNING) and sees_handed(user, dwelling)


@workflow.grant("assign", "reassign")
def installer_takes_the_work(user, dwelling) -> bool:
    """A coordinator of the installer a package with this dwelling is offered to."""
    return dwelling.pk in _package_dwellings(user) and not user.in_field_only and does(user, COORDINATING)


@workflow.validator("assign", "reassign", bulk_safe=True)
def through_a_package(attempt) -> None:
    """Where the project works from a pool, a dwelling goes to the installer its package went to."""
    package = attempt.params.get("package")
    installer = attempt.kwargs.get("installer")
    if package is not None:
        if attempt.dwelling.pk not in package.open_dwelling_ids or installer != package.installer:
            raise ValidationError(_("This dwelling is not in the package offered to this installer."))
        return
    dwelling = attempt.dwelling
    in_a_package = PackageDwelling.objects.filter(dwelling=dwelling, open=True).exists()
    if (
        in_a_package
        or ProjectProcurement.objects.filter(project_id=dwelling.project_id, pool__isnull=False).exists()
    ):
        if attempt.move.name == "reassign":
            raise ValidationError(
                _(
                    "This project works with installers from a pool: move the dwelling from its work "
                    "package to another installer; that installer takes the work over when it accepts."
                )
            )
        raise ValidationError(
            _(
                "This project works with installers from a pool: bundle the dwelling into a work package "
                "and offer it to an installer; the installer takes the work when it accepts."
            )
        )


# Completion with evidence and the heat company's review (``services/completion.py``, ``services/review.py``).
workflow.validator("report_installed")(completion.require_evidence)
workflow.writer("report_installed")(completion.record_report)
workflow.validator("confirm_connection")(review.delivery_set_problem)
workflow.writer("confirm_connection")(review.register_delivery_set)
workflow.writer("reject_installation")(review.record_rejection)


@workflow.validator("plan_installation", "reschedule_installation")
def within_package_and_capacity(attempt) -> None:
    """An installation is planned within the weeks of its work package, and within its installer's
    capacity: connections per week, counted over all its projects."""
    day = attempt.kwargs["planned_on"]
    dwelling = attempt.dwelling
    item = (
        PackageDwelling.objects.filter(dwelling=dwelling, open=True, package__status=PackageStatus.ACCEPTED)
        .select_related("package")
        .first()
    )
    if item is not None:
        # A day the installer offered to residents is locked, as a resident's booking locks it: whoever
        # comes second counts the places after the first one's choice, so no day is overfilled.
        InstallationDay.objects.select_for_update().filter(package_id=item.package_id, date=day).exists()
    if item is not None and not item.package.first_week <= day <= item.package.last_day:
        raise ValidationError(
            {
                "planned_on": _(
                    "Plan it within the weeks of work package %(package)s: %(first)s to %(last)s."
                )
                % {
                    "package": item.package,
                    "first": date_format(item.package.first_week),
                    "last": date_format(item.package.last_day),
                }
            }
        )
    capacity = (
        InstallerProfile.objects.filter(organisation_id=dwelling.installer_id)
        .values_list("connections_per_week", flat=True)
        .first()
    )
    if not capacity:
        return
    monday = day - datetime.timedelta(days=day.weekday())
    planned = (
        Dwelling.objects.filter(
            installer_id=dwelling.installer_id,
            state=DwellingState.INSTALLATION_PLANNED,
            installation_planned_on__range=(monday, monday + datetime.timedelta(days=6)),
        )
        .exclude(pk=dwelling.pk)
        .count()
    )
    if planned >= capacity:
        raise ValidationError(
            {
                "planned_on": _(
                    "The week of %(week)s is full: %(installer)s makes %(capacity)s connections a week "
                    "and has %(planned)s planned then, in all its projects."
                )
                % {
                    "week": date_format(monday),
                    "installer": dwelling.installer,
                    "capacity": capacity,
                    "planned": planned,
                }
            }
        )
