"""Work packages: bundled, offered, declined, withdrawn. Each change locks the package row and checks the
version the user saw, so a double submit or a stale form changes nothing and says why."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import PackageDwelling, PackageStatus, WorkPackage
from procurement.permissions import can_decide_package, can_manage_packages
from procurement.rules import offer_refusal
from projects.errors import Conflict
from projects.models import Dwelling, Organisation, Project, Role, User
from projects.permissions import dwellings_visible_to
from projects.services import dwellings_bulk_transition
from projects.states import DwellingState


class PackageChanged(Conflict):
    """The package is no longer as the user saw it (a double submit, a stale form, a withdrawn offer)."""


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@transaction.atomic
def package_create(
    *,
    actor: User,
    project: Project,
    name: str,
    dwelling_ids,
    first_week: datetime.date,
    last_week: datetime.date,
) -> WorkPackage:
    """Bundle agreed dwellings of the project into a draft package. Dwellings outside the actor's scope do
    not exist for it; one that is not agreed, or is in another open package, is refused by name."""
    if not can_manage_packages(actor, project):
        raise PermissionDenied(_("Only a coordinator of the lead party bundles work packages."))
    first, last = _monday(first_week), _monday(last_week)
    if last < first:
        raise ValidationError({"last_week": _("The last week cannot come before the first.")})
    ids = list(dict.fromkeys(dwelling_ids))
    if not ids:
        raise ValidationError(_("Choose the dwellings of the package."))
    dwellings = list(
        dwellings_visible_to(actor)
        .filter(project=project, pk__in=ids)
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if len(dwellings) != len(ids):
        raise Dwelling.DoesNotExist
    not_agreed = [d for d in dwellings if d.state != DwellingState.AGREED]
    if not_agreed:
        raise ValidationError(
            _("Only agreed dwellings go into a package; not: %(homes)s.")
            % {"homes": ", ".join(str(d) for d in not_agreed[:5])}
        )
    taken = set(
        PackageDwelling.objects.filter(dwelling__in=dwellings, open=True).values_list(
            "dwelling_id", flat=True
        )
    )
    if taken:
        homes = [str(d) for d in dwellings if d.pk in taken][:5]
        raise ValidationError(
            _("These dwellings are in another package already: %(homes)s.") % {"homes": ", ".join(homes)}
        )
    number = (WorkPackage.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0) + 1
    package = WorkPackage.objects.create(
        project=project, number=number, name=name, first_week=first, last_week=last, created_by=actor
    )
    try:
        with transaction.atomic():
            PackageDwelling.objects.bulk_create(
                PackageDwelling(package=package, dwelling=d) for d in dwellings
            )
    except IntegrityError as exc:  # another package took one of them meanwhile
        raise PackageChanged(_("Another package took some of these dwellings meanwhile.")) from exc
    return package


def _locked(package_id: int, expected_version: int | None) -> WorkPackage:
    packages = WorkPackage.objects.select_for_update(of=("self",)).select_related("project")
    package = packages.get(pk=package_id)
    if expected_version is not None and package.version != expected_version:
        raise PackageChanged(
            _("Package #%(number)s changed while you were looking at it; look again.")
            % {"number": package.number}
        )
    return package


def _bump(package: WorkPackage, **fields) -> None:
    for name, value in fields.items():
        setattr(package, name, value)
    package.version = F("version") + 1
    package.save(update_fields=[*fields, "version"])
    package.refresh_from_db(fields=["version"])


@transaction.atomic
def package_offer(
    *, actor: User, package_id: int, installer_id: int, expected_version: int | None = None
) -> WorkPackage:
    """Offer a draft (or declined) package to an installer of the project. Refused, with the reason, when
    the installer's agreement, certificates, the agreement's volume or the installer's capacity say no."""
    package = _locked(package_id, expected_version)
    if not can_manage_packages(actor, package.project):
        raise PermissionDenied(_("Only a coordinator of the lead party offers work packages."))
    if package.status not in OFFERABLE:
        raise PackageChanged(
            _(
                "Package #%(number)s is %(status)s; "
                "only a draft, declined or withdrawn package can be offered."
            )
            % {"number": package.number, "status": package.get_status_display()}
        )
    installer = Organisation.objects.filter(
        pk=installer_id, participations__project=package.project, participations__role__in=INSTALLING_ROLES
    ).first()
    if installer is None:
        raise ValidationError({"installer": _("Choose an installer that takes part in this project.")})
    # Lock the installer's profile: two offers at once cannot both take its last free capacity.
    list(Organisation.objects.select_for_update().filter(pk=installer.pk).values_list("pk"))
    size = package.items.filter(open=True).count()
    refusal, agreement = offer_refusal(package, installer, size=size)
    if refusal:
        raise ValidationError({"installer": refusal})
    _bump(
        package,
        status=PackageStatus.OFFERED,
        installer=installer,
        agreement=agreement,
        offered_at=timezone.now(),
        offered_by=actor,
        reason="",
    )
    return package


INSTALLING_ROLES = (Role.MAIN_CONTRACTOR, Role.INSTALLER)
OFFERABLE = (PackageStatus.DRAFT, PackageStatus.DECLINED, PackageStatus.WITHDRAWN)


@transaction.atomic
def package_withdraw(*, actor: User, package_id: int, reason: str, expected_version: int | None = None):
    """Take an offer back before the installer accepted it; the dwellings stay in the package, which can
    be offered again (to the same installer or another), and the installer reads that it was withdrawn."""
    package = _locked(package_id, expected_version)
    if not can_manage_packages(actor, package.project):
        raise PermissionDenied(_("Only a coordinator of the lead party withdraws an offer."))
    if package.status != PackageStatus.OFFERED:
        raise PackageChanged(
            _("Package #%(number)s is %(status)s; only an open offer can be withdrawn.")
            % {"number": package.number, "status": package.get_status_display()}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the offer is withdrawn.")})
    _bump(
        package,
        status=PackageStatus.WITHDRAWN,
        reason=reason.strip(),
        decided_at=timezone.now(),
        decided_by=actor,
    )
    return package


@transaction.atomic
def package_decline(*, actor: User, package_id: int, reason: str, expected_version: int | None = None):
    """The installer declines an offer with its reason; the package returns to the lead party."""
    package = _locked(package_id, expected_version)
    if package.installer_id != actor.organisation_id:
        raise WorkPackage.DoesNotExist
    if not can_decide_package(actor, package):
        raise PermissionDenied(_("Only a coordinator of the installer accepts or declines an offer."))
    if package.status != PackageStatus.OFFERED:
        raise PackageChanged(
            _("Package #%(number)s is %(status)s; there is no open offer to decline.")
            % {"number": package.number, "status": package.get_status_display()}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you decline the package.")})
    _bump(
        package,
        status=PackageStatus.DECLINED,
        reason=reason.strip(),
        decided_at=timezone.now(),
        decided_by=actor,
    )
    return package


@transaction.atomic
def package_accept(*, actor: User, package_id: int, expected_version: int | None = None):
    """The installer accepts an offer: its dwellings move to *assigned* through the workflow, in bulk,
    one log row each. A dwelling that can no longer move (withdrawn meanwhile) is skipped with its
    reason and leaves the package. Returns the package and the bulk result."""
    from procurement import workflow as procurement_workflow

    package = _locked(package_id, expected_version)
    if package.installer_id != actor.organisation_id:
        raise WorkPackage.DoesNotExist
    if not can_decide_package(actor, package):
        raise PermissionDenied(_("Only a coordinator of the installer accepts or declines an offer."))
    if package.status != PackageStatus.OFFERED:
        raise PackageChanged(
            _("Package #%(number)s is %(status)s; there is no open offer to accept.")
            % {"number": package.number, "status": package.get_status_display()}
        )
    procurement_workflow.forget(actor)
    # Agreed homes are assigned; homes another installer had (a moved package) are taken over.
    taken_over = set(
        Dwelling.objects.filter(pk__in=package.open_dwelling_ids)
        .exclude(state=DwellingState.AGREED)
        .values_list("pk", flat=True)
    )
    reason = _("Package #%(number)s accepted") % {"number": package.number}
    result = dwellings_bulk_transition(
        actor=actor,
        dwelling_ids=sorted(package.open_dwelling_ids - taken_over),
        transition="assign",
        installer=package.installer,
        package=package,
        reason=reason,
    )
    if taken_over:
        more = dwellings_bulk_transition(
            actor=actor,
            dwelling_ids=sorted(taken_over),
            transition="reassign",
            installer=package.installer,
            package=package,
            reason=reason,
        )
        result.moved += more.moved
        result.skipped += more.skipped
    if result.skipped:
        PackageDwelling.objects.filter(
            package=package, dwelling_id__in=[row[0] for row in result.skipped]
        ).update(open=False)
    _bump(package, status=PackageStatus.ACCEPTED, decided_at=timezone.now(), decided_by=actor, reason="")
    procurement_workflow.forget(actor)
    return package, result


@transaction.atomic
def package_hand(*, actor: User, package_id: int, dwelling_ids, subcontractor_id: int | None):
    """The main contractor hands dwellings of its accepted package to one of its subcontractors in the
    project (or takes them back: ``subcontractor_id`` None). The subcontractor then sees those only."""
    package = _locked(package_id, None)
    if package.installer_id != actor.organisation_id or package.status != PackageStatus.ACCEPTED:
        raise WorkPackage.DoesNotExist
    if not can_decide_package(actor, package):
        raise PermissionDenied(_("Only a coordinator of the main contractor hands out dwellings."))
    subcontractor = None
    if subcontractor_id is not None:
        subcontractor = Organisation.objects.filter(
            pk=subcontractor_id,
            participations__project=package.project,
            participations__role=Role.SUBCONTRACTOR,
        ).first()
        if subcontractor is None:
            raise ValidationError(
                {"subcontractor": _("Choose a subcontractor that takes part in this project.")}
            )
    ids = set(dwelling_ids)
    if not ids or not ids <= package.open_dwelling_ids:
        raise ValidationError({"dwellings": _("Choose dwellings of this package.")})
    return PackageDwelling.objects.filter(package=package, dwelling_id__in=ids, open=True).update(
        subcontractor=subcontractor
    )
