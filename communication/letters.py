"""Printed letters: one print-ready PDF per batch for the print shop.

A4, the address where the window of a Dutch window envelope shows it (``LETTER_ADDRESS_WINDOW``, in
millimetres from the top left of the page), one letter per address, each starting on a new page, and a
cover sheet with the batch's figures (letters, pages, per template). Queued letters are claimed under a
row lock, so two batches never print the same letter.
"""

from collections import Counter

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from communication import content
from communication.models import LetterBatch, Message, MessageStatus, TemplateKey
from communication.statuses import advance
from projects.models import Channel, Project
from surveys.plans.pdf import url_fetcher


def _render(html: str):
    import weasyprint

    return weasyprint.HTML(string=html, url_fetcher=url_fetcher()).render()


def printed(message: Message) -> dict:
    """One letter as printed: the personal link made now in place of its mask, with a QR code of it."""
    body, link, qr = message.body, "", ""
    mask = content.link_mask()
    if mask in body:
        link = content.make_secret("portal_link", message.dwelling, message.contact) or ""
        if link:
            body = body.replace(mask, link)
            # Inline SVG (the letters' URL fetcher reads stored files only); made by segno from our URL.
            qr = mark_safe(segno.make(link, error="m").svg_inline(scale=3, border=0, omitsize=True))
    if content.has_secret(body):
        body = content.personalise(body, message.dwelling, message.contact)
    return {"message": message, "body": body, "link": link, "qr": qr}


def render_batch(project: Project, messages: list[Message], *, sender: str) -> tuple[bytes, int]:
    """The PDF of a batch and its page count, the cover sheet included."""
    with translation.override("nl"):
        letters = _render(
            render_to_string(
                "communication/letters.html",
                {
                    "letters": [printed(message) for message in messages],
                    "sender": sender,
                    "window": settings.LETTER_ADDRESS_WINDOW,
                    "today": timezone.localdate(),
                },
            )
        )
        per_template = Counter(str(TemplateKey(m.template_key).label) for m in messages)
        cover = _render(
            render_to_string(
                "communication/letters_cover.html",
                {
                    "project": project,
                    "count": len(messages),
                    "pages": len(letters.pages) + 1,
                    "per_template": sorted(per_template.items()),
                    "extra_care": sum(1 for m in messages if m.dwelling.extra_care),
                    "made_at": timezone.localtime(),
                },
            )
        )
    document = letters.copy([*cover.pages, *letters.pages])
    return document.write_pdf(), len(document.pages)


def make_batch(project: Project, *, campaign_id: int | None = None, sender: str = "") -> LetterBatch | None:
    """Print the project's queued letters (of one campaign, or all) in one batch; None when none wait."""
    condition = Q(project=project, channel=Channel.LETTER, status=MessageStatus.QUEUED)
    if campaign_id is not None:
        condition &= Q(campaign_id=campaign_id)
    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(condition)
            .select_related("dwelling", "contact")
            .order_by("dwelling__postcode", "dwelling__house_number", "pk")
        )
        if not messages:
            return None
        if not sender:
            from communication.content import sender_name

            sender = sender_name(project)
        pdf, pages = render_batch(project, messages, sender=sender)
        batch = LetterBatch.objects.create(
            project=project, campaign_id=campaign_id, letters=len(messages), pages=pages
        )
        batch.pdf.save(f"{project.slug}-{batch.pk}.pdf", ContentFile(pdf), save=True)
        now = timezone.now()
        for message in messages:
            message.letter_batch = batch
            message.attempts += 1
            message.sent_at = now
            advance(message, MessageStatus.SENT, at=now)
        Message.objects.bulk_update(
            messages, ["letter_batch", "attempts", "sent_at", "status", "status_changed_at"], batch_size=500
        )
    return batch
