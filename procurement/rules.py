"""Whether a package may be offered to an installer: the research's conditions for who takes the work,
each a reason in words when it does not hold.

An installer may be offered a package when its agreement is usable in the project (in the project's pool
under framework agreements, awarded to the project after an ad hoc tender), active and covering
installation for every week of the package; when every certificate the agreement requires is valid up to
the package's last day; when the agreement's maximum volume leaves room; and when the package does not
take the installer past its capacity in any of its weeks, counting its packages in every project.
"""

import datetime
import math
from collections import defaultdict

from django.db.models import Count, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from projects.models import Governance, Organisation, Procurement

from .models import (
    AgreementStatus,
    Certificate,
    FrameworkAgreement,
    InstallerProfile,
    PackageDwelling,
    WorkPackage,
)
from .models.packages import LOADING_STATUSES, OPEN_STATUSES


def weekly_load(package: WorkPackage, size: int) -> int:
    """The connections a package asks of its installer per week: its dwellings spread evenly."""
    return math.ceil(size / len(package.weeks))


def agreements_for(package: WorkPackage, installer: Organisation):
    """The installer's agreements that the package's project may use, by its procurement route."""
    project = package.project
    agreements = FrameworkAgreement.objects.filter(installer=installer).usable_in(project)
    route = route_of(project)
    if route == Procurement.AD_HOC:
        agreements = agreements.filter(project=project)
    elif route == Procurement.FRAMEWORK:
        agreements = agreements.filter(pools__projects__project=project)
    return agreements.distinct()


def route_of(project) -> str:
    """How the project's governance procures its installers (``Procurement``), "" before it chose."""
    try:
        return project.governance.procurement
    except Governance.DoesNotExist:
        return ""


def offer_refusal(package: WorkPackage, installer: Organisation, *, size: int) -> tuple[str | None, object]:
    """Why ``package`` (of ``size`` dwellings) may not be offered to ``installer``, or None; and the
    agreement it would be offered under."""
    first, last = package.first_week, package.last_day
    agreements = list(agreements_for(package, installer).order_by("-ends_on"))
    if not agreements:
        if route_of(package.project) == Procurement.AD_HOC:
            return _(
                "This project tenders ad hoc: a package goes only to the installer awarded the tender, "
                "and %(installer)s has no award for this project."
            ) % {"installer": installer}, None
        return _("%(installer)s has no framework agreement in this project's pool.") % {
            "installer": installer
        }, None
    covering = [a for a in agreements if a.covers_installation]
    if not covering:
        return _("The agreement with %(installer)s does not cover installation.") % {
            "installer": installer
        }, None
    active = [a for a in covering if a.effective_status == AgreementStatus.ACTIVE]
    if not active:
        latest = covering[0]
        return _("The agreement %(reference)s with %(installer)s is %(status)s.") % {
            "reference": latest.reference,
            "installer": installer,
            "status": AgreementStatus(latest.effective_status).label,
        }, None
    agreement = next((a for a in active if a.starts_on <= first and a.ends_on >= last), None)
    if agreement is None:
        latest = active[0]
        return _(
            "The agreement %(reference)s with %(installer)s runs from %(start)s to %(end)s, "
            "not over every week of this package."
        ) % {
            "reference": latest.reference,
            "installer": installer,
            "start": date_format(latest.starts_on),
            "end": date_format(latest.ends_on),
        }, None

    refusal = _certificate_refusal(agreement, installer, last)
    if refusal is None:
        refusal = _volume_refusal(agreement, package, size)
    if refusal is None:
        refusal = _capacity_refusal(installer, package, size)
    return refusal, (agreement if refusal is None else None)


def _certificate_refusal(agreement, installer, last_day: datetime.date) -> str | None:
    for kind in agreement.required_certificates:
        latest = (
            Certificate.objects.filter(organisation=installer, kind=kind).order_by("-valid_until").first()
        )
        if latest is None:
            label = dict(Certificate._meta.get_field("kind").choices).get(kind, kind)
            return _("%(installer)s has no certificate “%(kind)s”, which the agreement requires.") % {
                "installer": installer,
                "kind": label,
            }
        if latest.valid_until < last_day:
            return _(
                "The certificate “%(kind)s” of %(installer)s is valid until %(until)s, "
                "before the package's last week ends (%(last)s)."
            ) % {
                "kind": latest.get_kind_display(),
                "installer": installer,
                "until": date_format(latest.valid_until),
                "last": date_format(last_day),
            }
    return None


def _volume_refusal(agreement, package, size: int) -> str | None:
    if agreement.max_volume is None:
        return None
    used = (
        PackageDwelling.objects.filter(
            package__agreement=agreement, package__status__in=LOADING_STATUSES, open=True
        )
        .exclude(package=package)
        .count()
    )
    if used + size > agreement.max_volume:
        return _(
            "The agreement %(reference)s allows %(max)s dwellings; %(used)s are in packages already, "
            "so %(size)s more would pass its maximum."
        ) % {"reference": agreement.reference, "max": agreement.max_volume, "used": used, "size": size}
    return None


def installer_load(installer: Organisation, weeks: list[datetime.date], *, exclude=None) -> dict:
    """Connections per week (by Monday) that the installer's offered and accepted packages ask, over
    every project."""
    packages = (
        WorkPackage.objects.filter(
            installer=installer,
            status__in=LOADING_STATUSES,
            first_week__lte=weeks[-1],
            last_week__gte=weeks[0],
        )
        .annotate(size=Count("items", filter=Q(items__open=True)))
        .only("first_week", "last_week")
    )
    if exclude is not None:
        packages = packages.exclude(pk=exclude.pk)
    load = defaultdict(int)
    wanted = set(weeks)
    for other in packages:
        per_week = weekly_load(other, other.size) if other.size else 0
        for week in other.weeks:
            if week in wanted:
                load[week] += per_week
    return load


def _capacity_refusal(installer, package, size: int) -> str | None:
    try:
        capacity = installer.installer_profile.connections_per_week
    except InstallerProfile.DoesNotExist:
        return _("%(installer)s has not stated its capacity (connections per week).") % {
            "installer": installer
        }
    weeks = package.weeks
    load = installer_load(installer, weeks, exclude=package)
    wanted = weekly_load(package, size)
    for week in weeks:
        if load[week] + wanted > capacity:
            return _(
                "%(installer)s makes %(capacity)s connections a week; in the week of %(week)s it has "
                "%(load)s already, and this package asks %(wanted)s a week."
            ) % {
                "installer": installer,
                "capacity": capacity,
                "week": date_format(week),
                "load": load[week],
                "wanted": wanted,
            }
    return None


__all__ = ["OPEN_STATUSES", "agreements_for", "installer_load", "offer_refusal", "weekly_load"]
