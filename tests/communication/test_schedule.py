"""Sending at a set time, the day-before reminders, and a send that timed out."""

import datetime
import socket

import pytest
import time_machine
from django.utils import timezone

from communication import sending, tasks
from communication.models import Campaign, CampaignStatus, Message, MessageStatus
from communication.services import automatic, campaigns


@pytest.mark.django_db
def test_a_campaign_for_later_waits_and_the_sweep_sends_it_when_due(
    street, smtp, sms_dir, django_capture_on_commit_callbacks
):
    later = timezone.now() + datetime.timedelta(hours=3)
    campaign = campaigns.campaign_create(
        actor=street["lead"], project=street["project"], name="", template_key="plan_ready", filters={}
    )
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=street["lead"], campaign=campaign, send_at=later)
    campaign.refresh_from_db()
    # An early ETA (or the sweep before the time) sends nothing.
    assert campaign.status == CampaignStatus.SCHEDULED and Message.objects.count() == 0
    assert tasks.campaign_dispatch_task(campaign.pk) == 0
    assert tasks.campaigns_sweep_task() == 0 and Message.objects.count() == 0
    with time_machine.travel(later + datetime.timedelta(minutes=1), tick=False):
        assert tasks.campaigns_sweep_task() == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE
    assert len(smtp.to("anna@example.test")) == 1


@pytest.mark.django_db
def test_the_reminder_goes_the_day_before_the_visit_once(street, smtp, sms_dir):
    from projects.models import Dwelling

    automatic.use_default_rules(actor=street["lead"], project=street["project"])
    home = street["homes"][0]
    tomorrow_ten = timezone.localtime().replace(
        hour=10, minute=0, second=0, microsecond=0
    ) + datetime.timedelta(days=1)
    Dwelling.objects.filter(pk=home.pk).update(state="survey_planned", survey_appointment_at=tomorrow_ten)
    first = tasks.reminders_task()
    again = tasks.reminders_task()
    assert (first, again) == (1, 0)
    message = Message.objects.get()
    assert message.template_key == "survey_reminder" and "10:00" in message.body
    assert len(smtp.to("anna@example.test")) == 1


@pytest.mark.django_db
def test_a_send_that_timed_out_is_unknown_and_not_sent_again(street, settings):
    """A server that accepts the connection but never answers: the outcome is unknown."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.getsockname()[1]
    settings.EMAIL_TIMEOUT = 1
    campaign = campaigns.campaign_create(
        actor=street["lead"], project=street["project"], name="", template_key="plan_ready", filters={}
    )
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SCHEDULED)
    try:
        campaigns.campaign_dispatch(campaign.pk)
        anna = Message.objects.get(campaign=campaign, recipient_name="Anna de Vries")
        assert sending.send_queued(message_ids=[anna.pk]) == 1
    finally:
        silent.close()
    anna.refresh_from_db()
    assert anna.status == MessageStatus.UNKNOWN and anna.attempts == 1
    # Never sent again by itself: it is no longer queued.
    assert sending.send_queued(message_ids=[anna.pk]) == 0
