"""Communication's background work. Tasks take ids and call a service; every task may run twice or
on two workers at once without a second message (rows are unique, sending claims under a lock)."""

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task(acks_late=True)
def campaign_dispatch_task(campaign_id: int) -> int:
    """The campaign is due: create its messages once and enqueue the chunks that send them."""
    from communication.services.campaigns import campaign_dispatch, campaign_finish_if_done

    chunks = campaign_dispatch(campaign_id)
    for _ in range(chunks):
        campaign_send_chunk_task.delay(campaign_id)
    if not chunks:
        campaign_finish_if_done(campaign_id)
    return chunks


@shared_task(acks_late=True)
def campaign_send_chunk_task(campaign_id: int) -> int:
    """Send up to one chunk of the campaign's queued messages; the last chunk closes the campaign."""
    from communication.sending import send_queued
    from communication.services.campaigns import CHUNK, campaign_finish_if_done

    handled = send_queued(campaign_id=campaign_id, limit=CHUNK)
    campaign_finish_if_done(campaign_id)
    return handled


@shared_task(acks_late=True)
def campaigns_sweep_task() -> int:
    """Every minute (beat): dispatch campaigns that are due, and resume one whose sending stalled (a
    worker died): enqueuing a chunk twice is harmless, the messages are claimed under a lock."""
    from communication.models import Campaign, CampaignStatus

    now = timezone.now()
    due = list(
        Campaign.objects.filter(status=CampaignStatus.SCHEDULED, send_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    for campaign_id in due:
        campaign_dispatch_task.delay(campaign_id)
    stalled_before = now - datetime.timedelta(seconds=settings.CAMPAIGN_STALLED_AFTER_SECONDS)
    stalled = list(
        Campaign.objects.filter(status=CampaignStatus.SENDING, progress_at__lt=stalled_before).values_list(
            "pk", flat=True
        )
    )
    for campaign_id in stalled:
        campaign_send_chunk_task.delay(campaign_id)
    return len(due) + len(stalled)


@shared_task(acks_late=True)
def send_messages_task(message_ids: list[int]) -> int:
    """Send these queued messages (automatic ones, a reminder)."""
    from communication.sending import send_queued

    return send_queued(message_ids=message_ids, limit=len(message_ids))


@shared_task(acks_late=True)
def automatic_messages_task(log_ids: list[int]) -> int:
    """Moves were made: the project's automatic messages for them (once per move and person)."""
    from communication.services.automatic import messages_for_moves

    made = messages_for_moves(log_ids)
    if made:
        send_messages_task.delay(made)
    return len(made)


@shared_task(acks_late=True)
def reminders_task() -> int:
    """Daily (beat): the reminder for tomorrow's visits and installations."""
    from communication.services.automatic import reminders_for

    made = reminders_for(timezone.localdate() + datetime.timedelta(days=1))
    if made:
        send_messages_task.delay(made)
    return len(made)


@shared_task(acks_late=True)
def letters_batch_task() -> int:
    """Daily (beat): print the letters that wait (automatic ones, retries) in one batch per project."""
    from communication.letters import make_batch
    from communication.models import Message, MessageStatus
    from projects.models import Channel, Project

    project_ids = (
        Message.objects.filter(channel=Channel.LETTER, status=MessageStatus.QUEUED, campaign__isnull=True)
        .values_list("project_id", flat=True)
        .distinct()
    )
    made = 0
    for project in Project.objects.filter(pk__in=list(project_ids)):
        made += make_batch(project) is not None
    return made
