"""A new personal link for a person whose link expired, or whose link the communicating party replaced:
sent on the person's own channel, never to an address typed in the portal."""

from django.utils import timezone

from communication.models import TemplateKey
from communication.services.personal import message_person


def link_renew(link) -> None:
    """Send a new link to the person of ``link`` (at most one per person per hour)."""
    hour = timezone.now().strftime("%Y%m%d%H")
    message_person(
        contact=link.contact,
        template_key=TemplateKey.PORTAL_LINK,
        trigger=f"portal:renew:{link.contact_id}:{hour}",
    )


def link_send_new(*, actor, contact) -> int:
    """The communicating party revokes the person's links and sends a new one."""
    from portal.links import links_revoke

    revoked = links_revoke(actor=actor, contact=contact)
    message_person(
        contact=contact,
        template_key=TemplateKey.PORTAL_LINK,
        trigger=f"portal:replace:{contact.pk}:{timezone.now():%Y%m%d%H%M%S}",
    )
    return revoked
