"""Personal links: made, found, revoked and replaced.

Every message that carries ``((portal_link))`` gets a link of its own when it is sent
(``communication.content.register_link_maker``): the stored text keeps only ``/r/…/``, never a code.
A link answers while it is neither expired nor revoked; revoking a person's links ends all of them.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import tokens
from portal.models import PortalLink
from projects.models import Contact


def public_url(path: str) -> str:
    return settings.PUBLIC_URL.rstrip("/") + path


def url_of(code: str) -> str:
    return public_url(reverse("portal:home", args=[tokens.written(code)]))


def link_issue(contact: Contact, *, by=None, purpose: str = "message", days: int | None = None) -> str:
    """Make a new link for the person and their home; return its code (the only time it is known)."""
    code = tokens.normalise(tokens.new_code())
    lifetime = datetime.timedelta(days=days or settings.PORTAL_LINK_DAYS)
    PortalLink.objects.create(
        contact=contact,
        dwelling_id=contact.dwelling_id,
        code_hash=tokens.digest(code),
        hint=code[-4:],
        expires_at=timezone.now() + lifetime,
        created_by=by,
        purpose=purpose[:40],
    )
    return code


def link_maker(dwelling, contact) -> str:
    """The personal link that goes into one message, made as the message is sent."""
    return url_of(link_issue(contact, purpose="message"))


@dataclass(frozen=True)
class Found:
    link: PortalLink | None
    expired: bool = False


def link_find(code: str) -> Found:
    """The usable link with this code; an expired one is told apart (to offer a new one), a tampered,
    revoked or unknown code finds nothing."""
    normal = tokens.normalise(code)
    if normal is None:
        return Found(None)
    link = (
        PortalLink.objects.select_related("contact", "dwelling", "dwelling__project")
        .filter(code_hash=tokens.digest(normal), revoked_at__isnull=True)
        .first()
    )
    if link is None or link.contact.dwelling_id != link.dwelling_id:
        return Found(None)  # the person moved to another home meanwhile: the link no longer fits
    if link.expires_at <= timezone.now():
        return Found(None, expired=True)
    return Found(link)


def expired_link(code: str) -> PortalLink | None:
    normal = tokens.normalise(code)
    if normal is None:
        return None
    return (
        PortalLink.objects.select_related("contact", "dwelling__project")
        .filter(code_hash=tokens.digest(normal), revoked_at__isnull=True, expires_at__lte=timezone.now())
        .first()
    )


@transaction.atomic
def links_revoke(*, actor, contact: Contact) -> int:
    """End every link of the person (the communicating party: a lost letter, a person who moved)."""
    from portal.permissions import can_manage_links

    if not can_manage_links(actor, contact.dwelling):
        raise PermissionDenied(_("Only the communicating party manages personal links."))
    return PortalLink.objects.filter(contact=contact, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
