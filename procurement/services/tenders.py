"""Ad hoc tenders: the lead party invites installers, each bids a price per kind of work before the
deadline, and the lead party awards one bid. The award becomes a framework agreement for that project
only, with the bid's prices as its unit rates; in an ad hoc project a work package then goes only to the
awarded installer (``rules.offer_refusal``)."""

import datetime
from decimal import Decimal, InvalidOperation

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement import tasks
from procurement.models import (
    AgreementStatus,
    Bid,
    FrameworkAgreement,
    RateUnit,
    Tender,
    TenderStatus,
    UnitRate,
)
from procurement.permissions import can_manage_packages
from projects.errors import Conflict
from projects.models import Organisation, OrganisationKind, Participation, Project, Role, User
from projects.permissions import COORDINATING, does
from surveys.schema import WORKS

WORK_CODES = [code for code, _label in WORKS]
UNITS = {"indoor_pipes": RateUnit.METRE, "building_work": RateUnit.HOUR}


class TenderClosed(Conflict):
    """The tender is no longer open (awarded, cancelled, or past its deadline): nothing changed."""


@transaction.atomic
def tender_create(
    *,
    actor: User,
    project: Project,
    title: str,
    scope: str,
    deadline: datetime.date,
    installer_ids,
    description: str = "",
) -> Tender:
    """Invite installers to bid for the project's survey, installation or both."""
    if not can_manage_packages(actor, project):
        raise PermissionDenied(_("Only a coordinator of the lead party tenders."))
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    ids = set(installer_ids or [])
    installers = list(invitable(project).filter(pk__in=ids))
    if not installers or len(installers) != len(ids):
        raise ValidationError({"installers": _("Invite one or more installers.")})
    tender = Tender.objects.create(
        project=project,
        title=title.strip() or _("Tender"),
        scope=scope,
        deadline=deadline,
        description=description,
        created_by=actor,
    )
    tender.invited.set(installers)
    transaction.on_commit(lambda: tasks.tender_invitations_task.delay(tender.pk))
    return tender


def invitable(project: Project):
    """The installers a project may invite: those that work in its municipality (their profile says so)
    and those that take part in it already."""
    from procurement.models import InstallerProfile

    local = [
        organisation_id
        for organisation_id, municipalities in InstallerProfile.objects.values_list(
            "organisation_id", "municipalities"
        )
        if project.municipality and project.municipality in (municipalities or [])
    ]
    return (
        Organisation.objects.filter(kind=OrganisationKind.INSTALLER)
        .filter(Q(pk__in=local) | Q(participations__project=project))
        .distinct()
    )


def _prices(prices) -> dict[str, str]:
    if not isinstance(prices, dict):
        raise ValidationError({"prices": _("Give a price per kind of work.")})
    cleaned = {}
    for work, value in prices.items():
        if work not in WORK_CODES:
            raise ValidationError({"prices": _("“%(work)s” is not a kind of work.") % {"work": work}})
        if value in (None, ""):
            continue
        try:
            price = Decimal(str(value).replace(",", ".")).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise ValidationError({"prices": _("Give the prices as amounts, such as 1450.00.")}) from None
        if price < 0:
            raise ValidationError({"prices": _("A price cannot be negative.")})
        cleaned[work] = str(price)
    if not cleaned:
        raise ValidationError({"prices": _("Give a price for at least one kind of work.")})
    return cleaned


def _open(tender: Tender) -> None:
    if tender.status != TenderStatus.OPEN:
        raise TenderClosed(
            _("The tender is %(status)s; nothing was changed.") % {"status": tender.get_status_display()}
        )


@transaction.atomic
def bid_submit(*, actor: User, tender_id: int, prices: dict, note: str = "") -> Bid:
    """An invited installer's coordinator bids (or changes its bid) until the deadline."""
    tender = Tender.objects.select_for_update().get(pk=tender_id)
    if not tender.invited.filter(pk=actor.organisation_id).exists():
        raise PermissionDenied(_("Only an installer invited to this tender bids."))
    if actor.in_field_only or not does(actor, COORDINATING):
        raise PermissionDenied(_("Only a coordinator of the installer bids."))
    _open(tender)
    if timezone.localdate() > tender.deadline:
        raise TenderClosed(_("The deadline for bids has passed; nothing was changed."))
    bid, _created = Bid.objects.update_or_create(
        tender=tender,
        installer_id=actor.organisation_id,
        defaults={
            "prices": _prices(prices),
            "note": note.strip(),
            "submitted_by": actor,
            "submitted_at": timezone.now(),
        },
    )
    return bid


@transaction.atomic
def tender_award(
    *, actor: User, tender_id: int, bid_id: int, starts_on: datetime.date, ends_on: datetime.date
) -> FrameworkAgreement:
    """Award a bid: an agreement for this project only, with the bid's prices as unit rates; the
    installer joins the project as its installer."""
    tender = Tender.objects.select_for_update().select_related("project").get(pk=tender_id)
    if not can_manage_packages(actor, tender.project):
        raise PermissionDenied(_("Only a coordinator of the lead party awards a tender."))
    _open(tender)
    bid = tender.bids.select_related("installer").filter(pk=bid_id).first()
    if bid is None:
        raise ValidationError({"bid": _("Choose one of the bids of this tender.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end cannot come before the start.")})
    number = FrameworkAgreement.objects.filter(project=tender.project).count() + 1
    with set_actor(actor):
        agreement = FrameworkAgreement.objects.create(
            reference=f"AH-{tender.project.slug[:40]}-{tender.pk}-{number}",
            contracting_party_id=actor.organisation_id,
            installer=bid.installer,
            project=tender.project,
            scope=tender.scope,
            starts_on=starts_on,
            ends_on=ends_on,
            status=AgreementStatus.ACTIVE,
        )
        UnitRate.objects.bulk_create(
            UnitRate(
                agreement=agreement, work=work, unit=UNITS.get(work, RateUnit.PIECE), price=Decimal(price)
            )
            for work, price in bid.prices.items()
        )
        Participation.objects.get_or_create(
            project=tender.project, organisation=bid.installer, role=Role.INSTALLER
        )
    tender.status, tender.agreement, tender.decided_at = TenderStatus.AWARDED, agreement, timezone.now()
    tender.save(update_fields=["status", "agreement", "decided_at"])
    return agreement
