"""Moving a work package, or part of it, to another installer of the pool.

The lead party takes dwellings out of an accepted package and offers them, as a new package over the
same weeks, to another installer, under the same rules as any offer (agreement, certificates, volume,
capacity). The dwellings stay with the first installer until the new one accepts; then its acceptance
makes the workflow's *reassign* move for them (``package_accept``). Everything recorded (the survey, the
plans, a checklist begun) stays with the dwellings, so the next installer takes over without a new visit.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import PackageDwelling, PackageStatus, WorkPackage
from procurement.permissions import can_manage_packages
from projects.models import User
from projects.states import DwellingState

from .packages import PackageChanged, _bump, _locked, package_offer

# A dwelling can move while its new installer can still take it over.
MOVABLE_STATES = (DwellingState.ASSIGNED, DwellingState.INSTALLATION_PLANNED)


@transaction.atomic
def package_move(
    *,
    actor: User,
    package_id: int,
    installer_id: int,
    dwelling_ids=None,
    expected_version: int | None = None,
) -> WorkPackage:
    """Offer ``dwelling_ids`` of an accepted package (all of its open ones when None) to another installer
    as a new package. Returns the new package (offered). A refused offer changes nothing."""
    package = _locked(package_id, expected_version)
    if not can_manage_packages(actor, package.project):
        raise PermissionDenied(_("Only a coordinator of the lead party moves work to another installer."))
    if package.status != PackageStatus.ACCEPTED:
        raise PackageChanged(
            _("Package #%(number)s is %(status)s; only accepted work moves to another installer.")
            % {"number": package.number, "status": package.get_status_display()}
        )
    if installer_id == package.installer_id:
        raise ValidationError({"installer": _("This installer has the package already: choose another one.")})
    open_ids = set(package.open_dwelling_ids)
    ids = open_ids if dwelling_ids is None else set(dwelling_ids)
    if not ids or not ids <= open_ids:
        raise ValidationError({"dwellings": _("Choose dwellings of this package.")})
    items = list(
        PackageDwelling.objects.filter(package=package, dwelling_id__in=ids, open=True).select_related(
            "dwelling"
        )
    )
    done = [str(item.dwelling) for item in items if item.dwelling.state not in MOVABLE_STATES]
    if done:
        raise ValidationError(
            {
                "dwellings": _("These dwellings are installed or no longer active and stay: %(homes)s.")
                % {"homes": ", ".join(done[:5])}
            }
        )
    PackageDwelling.objects.filter(pk__in=[item.pk for item in items]).update(open=False)
    number = (WorkPackage.objects.filter(project=package.project).aggregate(n=Max("number"))["n"] or 0) + 1
    moved = WorkPackage.objects.create(
        project=package.project,
        number=number,
        name=_("%(name)s (from #%(number)s)") % {"name": package.name, "number": package.number},
        first_week=package.first_week,
        last_week=package.last_week,
        created_by=actor,
    )
    PackageDwelling.objects.bulk_create(
        PackageDwelling(package=moved, dwelling_id=item.dwelling_id) for item in items
    )
    offered = package_offer(actor=actor, package_id=moved.pk, installer_id=installer_id)
    if ids == open_ids:
        _bump(
            package,
            status=PackageStatus.WITHDRAWN,
            reason=_("Moved to package #%(number)s.") % {"number": moved.number},
            decided_at=timezone.now(),
            decided_by=actor,
        )
    else:
        _bump(package)
    return offered
