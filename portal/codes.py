"""One-time codes: six digits sent to the person's known e-mail or phone, to check that it is them who
accepts the agreement. Made as the message leaves (``communication.content.register_secret``), kept as a
hash, valid for ``PORTAL_CODE_MINUTES`` and ``PORTAL_CODE_TRIES`` tries; a new code ends the old ones."""

import datetime
import hmac

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal import tokens
from portal.models import CodePurpose, OneTimeCode


def _mask(address: str) -> str:
    if "@" in address:
        name, domain = address.split("@", 1)
        return f"{name[:1]}…@{domain}"
    return f"…{address[-2:]}"


def code_maker(dwelling, contact) -> str:
    """Called as the code's message is sent: a new code for the person (older ones end)."""
    pin = tokens.new_pin()
    now = timezone.now()
    with transaction.atomic():
        OneTimeCode.objects.filter(contact=contact, used_at__isnull=True).update(used_at=now)
        OneTimeCode.objects.create(
            contact=contact,
            purpose=CodePurpose.AGREEMENT,
            code_hash=tokens.digest(f"{contact.pk}:{pin}"),
            expires_at=now + datetime.timedelta(minutes=settings.PORTAL_CODE_MINUTES),
        )
    return pin


def code_check(contact, typed: str) -> bool:
    """Whether ``typed`` is the person's current code; every wrong try counts, a right one uses it."""
    typed = "".join((typed or "").split())
    with transaction.atomic():
        code = (
            OneTimeCode.objects.select_for_update()
            .filter(contact=contact, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at", "-pk")
            .first()
        )
        if code is None or code.attempts >= settings.PORTAL_CODE_TRIES:
            return False
        if hmac.compare_digest(code.code_hash, tokens.digest(f"{contact.pk}:{typed}")):
            code.used_at = timezone.now()
            code.save(update_fields=["used_at"])
            return True
        code.attempts += 1
        code.save(update_fields=["attempts"])
        return False


mask_address = _mask
