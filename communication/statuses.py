"""A message's status only moves forward. A delivery event that arrives late (``delivered`` after
``bounced``) changes nothing; only someone's retry on purpose sends a failure back to the queue."""

from django.utils import timezone

from communication.models import MessageStatus as S

FORWARD = {
    S.QUEUED: {S.SENDING, S.SENT, S.UNKNOWN, S.FAILED_TEMPORARY, S.FAILED_PERMANENT},
    S.SENDING: {S.SENT, S.UNKNOWN, S.FAILED_TEMPORARY, S.FAILED_PERMANENT},
    S.UNKNOWN: {S.SENT, S.DELIVERED, S.BOUNCED, S.FAILED_PERMANENT},
    S.SENT: {S.DELIVERED, S.BOUNCED, S.FAILED_PERMANENT},
    S.DELIVERED: {S.BOUNCED},
    S.FAILED_TEMPORARY: set(),
    S.FAILED_PERMANENT: set(),
    S.BOUNCED: set(),
}

# What someone may send again on purpose (``services.messages.retry``).
RETRYABLE = (S.FAILED_TEMPORARY, S.FAILED_PERMANENT, S.UNKNOWN)
FAILED = (S.FAILED_TEMPORARY, S.FAILED_PERMANENT, S.BOUNCED)


def can_move(current: str, new: str) -> bool:
    return new in FORWARD.get(current, set())


def advance(message, status: str, *, at=None) -> bool:
    """Move the message to ``status`` if that is forward; say whether it moved."""
    if message.status == status or not can_move(message.status, status):
        return False
    message.status = status
    message.status_changed_at = at or timezone.now()
    return True


def sources_of(status: str) -> list[str]:
    """The statuses from which ``status`` is forward: for a bulk update from delivery events."""
    return [current for current, targets in FORWARD.items() if status in targets]
