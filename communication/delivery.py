"""Delivery events: what the provider reports after sending (delivered, bounced, complained, failed).

E-mail events come in through django-anymail's tracking webhooks (one per provider, verified by
anymail) as its ``tracking`` signal; SMS delivery reports through our webhook for the SMS provider
(``views.sms_status``, signed). Both find the message by its own reference and move its status
forward only.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from communication.models import Message, MessageStatus
from communication.statuses import advance
from projects.models import Channel

logger = logging.getLogger(__name__)

EMAIL_EVENTS = {
    "delivered": MessageStatus.DELIVERED,
    "bounced": MessageStatus.BOUNCED,
    "rejected": MessageStatus.FAILED_PERMANENT,
    "failed": MessageStatus.FAILED_PERMANENT,
    "complained": MessageStatus.DELIVERED,
}

SMS_EVENTS = {
    "delivered": MessageStatus.DELIVERED,
    "sent": MessageStatus.SENT,
    "undelivered": MessageStatus.FAILED_PERMANENT,
    "failed": MessageStatus.FAILED_PERMANENT,
}


def _find(channel: str, reference: str = "", provider_id: str = ""):
    query = Message.objects.select_for_update().filter(channel=channel)
    if reference:
        try:
            return query.filter(reference=reference).first()
        except ValidationError:  # not a UUID: not ours
            return None
    if provider_id:
        return query.filter(provider_id=provider_id).first()
    return None


@transaction.atomic
def record(
    channel: str, *, status: str, reference: str = "", provider_id: str = "", reason: str = ""
) -> bool:
    """Apply one delivery event; say whether the message's status moved."""
    message = _find(channel, reference, provider_id)
    if message is None:
        logger.info("Delivery event for an unknown %s message (%s %s)", channel, reference, provider_id)
        return False
    if not advance(message, status, at=timezone.now()):
        return False
    if reason:
        message.reason = reason[:500]
    message.save(update_fields=["status", "status_changed_at", "reason"])
    return True


def on_anymail_tracking(sender, event, esp_name, **kwargs):
    """django-anymail's ``tracking`` signal: an e-mail's delivery event from the provider."""
    status = EMAIL_EVENTS.get(event.event_type)
    if status is None:
        return
    metadata = event.metadata or {}
    reason = event.mta_response or event.description or event.reject_reason or ""
    record(
        Channel.EMAIL,
        status=status,
        reference=str(metadata.get("message", "")),
        provider_id="" if metadata.get("message") else (event.message_id or ""),
        reason=str(reason or ""),
    )
    if event.event_type == "complained":
        _opt_out_after_complaint(metadata.get("message"), event.message_id)


def _opt_out_after_complaint(reference, provider_id):
    """Someone marked our e-mail as spam: send them no more e-mail (appointments go by letter)."""
    from projects.models import Contact

    messages = Message.objects.filter(channel=Channel.EMAIL)
    messages = (
        messages.filter(reference=reference) if reference else messages.filter(provider_id=provider_id or "-")
    )
    Contact.objects.filter(pk__in=messages.values("contact_id")).update(email_opt_out=True)
