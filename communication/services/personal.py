"""A message to one person: the resident portal's confirmations, answers, links and codes.

The same rows, routes and sending as every other message, one per person, channel and trigger: the same
trigger twice (a double click, an event delivered twice) sends once. E-mails and SMS go out after the
commit; letters wait for the day's batch.
"""

from django.db import transaction
from django.utils import timezone

from communication import content, routing
from communication.models import Channel, Message, MessageStatus
from communication.starter import MUST_SEND


def message_person(
    *, contact, template_key: str, trigger: str, extra: dict | None = None, route: routing.Route | None = None
) -> list[Message]:
    """Queue the template for ``contact`` on their channel (or ``route``); return the new rows."""
    dwelling = contact.dwelling
    project = dwelling.project
    texts = content.project_texts(project, template_key)
    if content.settings_for(project).approved_templates_only:
        texts = {
            language: text if text.approved else content.starter_texts(template_key, language)
            for language, text in texts.items()
        }
    if route is not None:
        chosen = [route]
    else:
        bounced = Message.objects.filter(
            contact=contact, channel=Channel.EMAIL, status=MessageStatus.BOUNCED
        ).exists()
        chosen, _skipped = routing.routes(
            contact, dwelling, must_send=template_key in MUST_SEND, bounced=bounced
        )
    language = contact.language if contact.language in texts else "nl"
    context = content.ProjectContext(project)
    now = timezone.now()
    rows = []
    for chosen_route in chosen:
        subject, body = context.render(texts[language], chosen_route.channel, dwelling, contact, extra)
        rows.append(
            Message(
                project=project,
                dwelling=dwelling,
                contact=contact,
                recipient_name=contact.name,
                trigger=trigger[:80],
                template_key=template_key,
                channel=chosen_route.channel,
                language=language,
                address=chosen_route.address,
                subject=subject[:200],
                body=body,
                fallback=chosen_route.why,
                created_at=now,
                status_changed_at=now,
            )
        )
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    made = list(Message.objects.filter(trigger=trigger[:80], contact=contact, created_at=now).order_by("pk"))
    to_send = [m.pk for m in made if m.channel in (Channel.EMAIL, Channel.SMS)]
    if to_send:
        from communication import tasks

        transaction.on_commit(lambda: tasks.send_messages_task.delay(to_send))
    return made
