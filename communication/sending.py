"""Sending queued messages: claim one under a row lock, send it with its own reference, record the
outcome, commit; then the next.

The row stays locked (``SELECT ... FOR UPDATE SKIP LOCKED``) while it is sent, so two workers never
take the same message, and a worker that dies before the commit leaves it queued for the next one.
A send that timed out is marked *unknown*: the provider may have it, so it is never sent again by
itself; a delivery event can still settle it, and someone may retry it on purpose.
"""

import contextlib
import smtplib
import time

from anymail.exceptions import AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from communication import content
from communication import sms as sms_backends
from communication.claims import Claimed, Claimer
from communication.models import Message, MessageStatus
from projects.models import Channel

SENDABLE = (Channel.EMAIL, Channel.SMS)


def throttle(channel: str) -> None:
    """Keep to ``MESSAGE_RATE_LIMITS[channel]`` messages per second over all workers (the shared cache)."""
    limit = settings.MESSAGE_RATE_LIMITS.get(channel)
    if not limit:
        return
    while True:
        second = int(time.time())
        key = f"message-rate:{channel}:{second}"
        cache.add(key, 0, timeout=5)
        if cache.incr(key) <= limit:
            return
        time.sleep(max(0.001, second + 1 - time.time()))


class Outbox:
    """The open connections of one sending run: one SMTP session, one SMS backend."""

    def __init__(self):
        self._email = None
        self._sms = None

    def email_connection(self):
        if self._email is None:
            self._email = get_connection(fail_silently=False)
            self._email.open()
        return self._email

    def sms(self):
        if self._sms is None:
            self._sms = sms_backends.get_backend()
        return self._sms

    def reset_email(self):
        if self._email is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):  # a broken session closes as it can
                self._email.close()
            self._email = None

    def close(self):
        self.reset_email()
        if self._sms is not None:
            self._sms.close()


def _message_id(message: Message | Claimed) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
    return f"<{message.reference}@{domain}>"


def outgoing(message: Message | Claimed, *texts: str) -> list[str]:
    """The texts as they leave: a personal link or one-time code made now in place of its mask, the
    same in subject and body (``content.personalise_all``); the stored text keeps the mask."""
    if not any(content.has_secret(text) for text in texts):
        return list(texts)
    return content.personalise_all(list(texts), message.dwelling, message.contact)


def _send_email(message: Message | Claimed, outbox: Outbox) -> str:
    subject, body = outgoing(message, message.subject, message.body)
    email = EmailMessage(
        subject=subject,
        body=body,
        to=[message.address],
        headers={"Message-ID": _message_id(message)},
        connection=outbox.email_connection(),
    )
    # django-anymail passes metadata to the provider and back in its delivery events.
    email.metadata = {"message": str(message.reference)}
    email.send()
    status = getattr(email, "anymail_status", None)
    return (status.message_id if status is not None and status.message_id else "") or _message_id(message)


def _smtp_code(error) -> int | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return codes[0] if codes else None
    return getattr(error, "smtp_code", None)


def deliver(message: Message | Claimed, outbox: Outbox) -> tuple[str, str, str]:
    """Send one message; return (status, reason, provider id)."""
    try:
        if message.channel == Channel.EMAIL:
            return MessageStatus.SENT, "", _send_email(message, outbox)
        provider_id = outbox.sms().send(
            to=message.address, body=outgoing(message, message.body)[0], reference=str(message.reference)
        )
        return MessageStatus.SENT, "", provider_id
    except (TimeoutError, sms_backends.SmsTimeout, smtplib.SMTPServerDisconnected) as error:
        outbox.reset_email()
        return MessageStatus.UNKNOWN, f"{type(error).__name__}: {error}"[:500], ""
    except AnymailRecipientsRefused as error:
        return MessageStatus.FAILED_PERMANENT, str(error)[:500], ""
    except sms_backends.SmsFailed as error:
        status = MessageStatus.FAILED_PERMANENT if error.permanent else MessageStatus.FAILED_TEMPORARY
        return status, error.reason[:500], ""
    except (smtplib.SMTPException, OSError) as error:
        code = _smtp_code(error)
        if not isinstance(error, smtplib.SMTPRecipientsRefused):
            outbox.reset_email()
        text = str(error)
        status = (
            MessageStatus.FAILED_PERMANENT if code and 500 <= code < 600 else MessageStatus.FAILED_TEMPORARY
        )
        return status, text[:500], ""
    except AnymailError as error:  # the provider refused or failed: with its words, retry on purpose
        outbox.reset_email()
        return MessageStatus.FAILED_TEMPORARY, f"{type(error).__name__}: {error}"[:500], ""


def send_queued(*, campaign_id: int | None = None, message_ids=None, limit: int = 500) -> int:
    """Send up to ``limit`` queued e-mails and SMS messages (of one campaign, or these ids). Returns how
    many were handled. Letters wait for their batch (``communication.letters``).

    One transaction per message: claim it (locked until the commit), send it, record the outcome,
    commit; then the next (``communication.claims``)."""
    claimer = Claimer(SENDABLE, campaign_id=campaign_id, message_ids=message_ids)
    outbox = Outbox()
    handled = 0
    try:
        while handled < limit:
            with transaction.atomic():
                message = claimer.claim()
                if message is None:
                    break
                throttle(message.channel)
                status, reason, provider_id = deliver(message, outbox)
                claimer.record(message, status, reason=reason, provider_id=provider_id, at=timezone.now())
            handled += 1
    finally:
        outbox.close()
    return handled
