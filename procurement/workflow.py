"""How procurement takes part in the dwelling's way (``projects.workflow``).

- An installer's coordinator sees the dwellings of a package offered to it (their addresses, to weigh
  the offer; not the residents), and a subcontractor the dwellings its main contractor handed to it.
- The installer takes the work: accepting its package makes the *assign* move for the package's
  dwellings, which the base lets it make (a grant). In a project that works from a pool, *assign* goes
  only through a package, to the installer it was offered to.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from procurement.models import PackageDwelling, PackageStatus, ProjectProcurement
from procurement.models.packages import LOADING_STATUSES
from projects import workflow
from projects.models import Role
from projects.permissions import COORDINATING, PLANNING, does


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
    return sees_handed(user, dwelling) and not user.in_field_only and does(user, PLANNING)


@workflow.grant("assign")
def installer_takes_the_work(user, dwelling) -> bool:
    """A coordinator of the installer a package with this dwelling is offered to."""
    return dwelling.pk in _package_dwellings(user) and not user.in_field_only and does(user, COORDINATING)


@workflow.validator("assign", bulk_safe=True)
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
        raise ValidationError(
            _(
                "This project works with installers from a pool: bundle the dwelling into a work package "
                "and offer it to an installer; the installer takes the work when it accepts."
            )
        )
