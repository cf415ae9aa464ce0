"""The heat company's review of a reported installation.

It confirms the connection, and the delivery set enters its register (serial, meter, seals, dwelling,
date); or it rejects the installation with a reason per item of the checklist, and the dwelling goes
back to *installation planned*: the rework is counted per installer. Both are moves of the workflow
(``confirm_connection``, ``reject_installation``); what they add is written by the workflow's writers
below, in the same transaction, whichever page or API made the move."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement import checklist
from procurement.models import Completion, DeliverySet, InstallationReview, ReviewDecision
from projects.models import Dwelling, Participation, Role, User
from projects.services import dwelling_transition
from projects.states import DwellingState

GENERAL = ""  # the key of a reason beyond the checklist's items


def installation_confirm(
    *, actor: User, dwelling_id: int, connected_on: datetime.date | None = None
) -> Dwelling:
    """Accept the delivery set: the dwelling is connected and its set enters the register."""
    return dwelling_transition(
        actor=actor,
        dwelling_id=dwelling_id,
        transition="confirm_connection",
        expected_state=DwellingState.INSTALLED,
        connected_on=connected_on or timezone.localdate(),
    )


def clean_reasons(reasons) -> dict[str, str]:
    """{item: reason} with only real items (or ``GENERAL``) and no empty reasons; at least one."""
    if not isinstance(reasons, dict):
        raise ValidationError({"reasons": _("Give the reasons per item of the checklist.")})
    cleaned = {}
    for key, reason in reasons.items():
        if key != GENERAL and checklist.item(key) is None:
            raise ValidationError({"reasons": _("“%(key)s” is not an item of the checklist.") % {"key": key}})
        text = (reason or "").strip() if isinstance(reason, str) else ""
        if text:
            cleaned[key] = text
    if not cleaned:
        raise ValidationError({"reasons": _("Say what is wrong: give a reason for at least one item.")})
    return cleaned


def describe_reasons(reasons: dict[str, str]) -> str:
    return "; ".join(
        f"{checklist.describe(key)}: {text}" if key != GENERAL else text for key, text in reasons.items()
    )


@transaction.atomic
def installation_reject(*, actor: User, dwelling_id: int, reasons: dict) -> Dwelling:
    """Reject the installation with a reason per item; the dwelling goes back to installation planned."""
    cleaned = clean_reasons(reasons)
    return dwelling_transition(
        actor=actor,
        dwelling_id=dwelling_id,
        transition="reject_installation",
        expected_state=DwellingState.INSTALLED,
        reason=describe_reasons(cleaned),
        item_reasons=cleaned,
    )


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def delivery_set_problem(attempt) -> None:
    """Validator of *confirm connection*: a serial number that is in use elsewhere cannot enter the
    register twice."""
    completion = Completion.objects.filter(dwelling=attempt.dwelling).first()
    serial = str((completion.answers if completion else {}).get("delivery_set.serial_number") or "").strip()
    if not serial:
        return
    other = (
        DeliverySet.objects.filter(serial_number=serial)
        .exclude(dwelling=attempt.dwelling)
        .select_related("dwelling")
        .first()
    )
    if other is not None:
        raise ValidationError(
            _("Delivery set %(serial)s is already in the register, at %(address)s. Reject the installation.")
            % {"serial": serial, "address": other.dwelling}
        )


def register_delivery_set(attempt) -> None:
    """Writer of *confirm connection*: the set enters the heat company's register, and the review is kept."""
    dwelling = attempt.dwelling
    completion = Completion.objects.filter(dwelling=dwelling).first()
    if completion is None:
        return  # a project that works without a checklist: nothing to register
    answers = completion.answers
    owner_id = (
        Participation.objects.filter(project_id=dwelling.project_id, role=Role.HEAT_COMPANY)
        .order_by("pk")
        .values_list("organisation_id", flat=True)
        .first()
    ) or attempt.actor.organisation_id
    DeliverySet.objects.filter(dwelling=dwelling, active=True).update(active=False)
    DeliverySet.objects.update_or_create(
        serial_number=str(answers.get("delivery_set.serial_number") or "").strip() or f"?-{dwelling.pk}",
        defaults={
            "dwelling": dwelling,
            "project_id": dwelling.project_id,
            "owner_id": owner_id,
            "installer_id": completion.installer_id,
            "meter_number": str(answers.get("heat_meter.meter_number") or ""),
            "meter_class": str(answers.get("heat_meter.meter_class") or ""),
            "start_reading": _decimal(answers.get("heat_meter.start_reading")),
            "seal_numbers": str(answers.get("heat_meter.seal_numbers") or ""),
            "installed_on": dwelling.installed_on or dwelling.connected_on,
            "connected_on": dwelling.connected_on,
            "active": True,
            "registered_by": attempt.actor,
        },
    )
    InstallationReview.objects.create(
        dwelling=dwelling,
        installer_id=completion.installer_id,
        decision=ReviewDecision.CONFIRMED,
        reviewed_by=attempt.actor,
        reviewed_at=attempt.log.at,
    )


def record_rejection(attempt) -> None:
    """Writer of *reject installation*: the reasons per item, counted as rework of the installer. The
    installer reports again once it has put things right."""
    dwelling = attempt.dwelling
    completion = Completion.objects.filter(dwelling=dwelling).first()
    installer_id = completion.installer_id if completion else dwelling.installer_id
    if installer_id is None:
        return
    reasons = attempt.params.get("item_reasons") or {GENERAL: attempt.reason}
    InstallationReview.objects.create(
        dwelling=dwelling,
        installer_id=installer_id,
        decision=ReviewDecision.REJECTED,
        reasons=reasons,
        reviewed_by=attempt.actor,
        reviewed_at=attempt.log.at,
    )
    if completion is not None:
        Completion.objects.filter(pk=completion.pk).update(report_client_id=None, reported_at=None)


@transaction.atomic
def extra_work_approve(*, actor: User, dwelling_id: int, description: str, amount, reason: str):
    """The lead party approves work beyond the survey's works for a dwelling, with its reason; it counts
    in the dwelling's actual cost."""
    from procurement.models import ExtraWork
    from procurement.permissions import can_manage_packages
    from projects.permissions import dwellings_visible_to

    dwelling = dwellings_visible_to(actor).select_related("project").get(pk=dwelling_id)
    if not can_manage_packages(actor, dwelling.project):
        raise PermissionDenied(_("Only a coordinator of the lead party approves extra work."))
    try:
        amount = Decimal(str(amount).replace(",", ".")).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError({"amount": _("Give the amount in euros, such as 250.00.")}) from None
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if not description.strip():
        raise ValidationError({"description": _("Say what the extra work is.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extra work.")})
    return ExtraWork.objects.create(
        dwelling=dwelling,
        description=description.strip(),
        amount=amount,
        reason=reason.strip(),
        approved_by=actor,
    )
