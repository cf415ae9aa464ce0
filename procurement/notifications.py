"""E-mails to the parties' people about procurement: an installer learns it was invited to a tender.

Sent by a task after the commit, to the coordinators of each invited installer (the people who bid),
in Dutch, the interface's default language, with a link to the tender page.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from procurement.models import Tender
from projects.models import User, WorkRole


def coordinators_of(organisation_ids) -> list[User]:
    people = User.objects.filter(organisation_id__in=organisation_ids, is_active=True).exclude(email="")
    return [user for user in people.order_by("pk") if WorkRole.COORDINATOR in (user.work_roles or [])]


def tender_invitations_send(tender_id: int) -> int:
    """One e-mail per coordinator of each invited installer. Returns how many were sent."""
    tender = Tender.objects.select_related("project").filter(pk=tender_id).first()
    if tender is None:
        return 0
    link = settings.PUBLIC_URL.rstrip("/") + reverse("tenders:detail", args=[tender.pk])
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for person in coordinators_of(tender.invited.values("pk")):
            context = {"tender": tender, "person": person, "link": link}
            subject = render_to_string("procurement/email/tender_invitation_subject.txt", context).strip()
            body = render_to_string("procurement/email/tender_invitation.txt", context)
            sent += EmailMessage(subject, body, to=[person.email]).send()
    return sent
