"""Campaigns end to end: a real SMTP server on loopback receives the e-mails, SMS go to files, letters to
one PDF; exactly one message per person and channel, however often it is sent."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from communication.models import (
    Campaign,
    CampaignStatus,
    CommunicationSettings,
    LetterBatch,
    Message,
    MessageStatus,
)
from communication.services import campaigns
from projects.errors import Conflict


def _send(street, django_capture_on_commit_callbacks, **filters):
    campaign = campaigns.campaign_create(
        actor=street["lead"],
        project=street["project"],
        name="Uitnodiging Lindelaan",
        template_key="survey_invitation",
        filters={"streets": ["Lindelaan"], **filters},
    )
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=street["lead"], campaign=campaign)
    campaign.refresh_from_db()
    return campaign


@pytest.mark.django_db
def test_a_street_gets_one_message_per_person_on_their_channel(
    street, smtp, sms_dir, django_capture_on_commit_callbacks
):
    campaign = _send(street, django_capture_on_commit_callbacks)
    assert campaign.status == CampaignStatus.DONE
    rows = {(m.recipient_name, m.channel): m for m in Message.objects.filter(campaign=campaign)}
    # Nobody outside the street; the extra-care home gets its letter; no e-mail address means a letter.
    assert not any(name in ("Gerrit Bos", "Hanna Dekker") for name, _ in rows)
    assert set(rows) == {
        ("Anna de Vries", "email"),
        ("Bram Jansen", "letter"),
        ("Cor Smit", "sms"),
        ("Dina Bakker", "letter"),
        ("Eva Visser", "email"),
        ("Fenna Mulder", "email"),
    }
    assert rows[("Bram Jansen", "letter")].fallback == "no_email"
    # The real server got each accepted e-mail once, with the person's own name and the right language.
    assert len(smtp.to("anna@example.test")) == 1 and "Anna de Vries" in smtp.to("anna@example.test")[0]
    assert "We will visit your home" in smtp.to("fenna@example.test")[0]
    assert rows[("Anna de Vries", "email")].status == MessageStatus.SENT
    # The server refused one address: failed for good, with its reason, and nothing at the server.
    refused = rows[("Eva Visser", "email")]
    assert refused.status == MessageStatus.FAILED_PERMANENT and "No such mailbox" in refused.reason
    assert smtp.to("refuse@example.test") == []
    # The SMS went to its file in E.164 with the message's own reference.
    lines = [json.loads(line) for path in sms_dir.iterdir() for line in path.read_text().splitlines()]
    assert [(line["to"], line["reference"]) for line in lines] == [
        ("+31612345678", str(rows[("Cor Smit", "sms")].reference))
    ]
    # The letters: one batch, printed and marked sent.
    batch = LetterBatch.objects.get(campaign=campaign)
    assert batch.letters == 2 and batch.pages >= 3
    assert batch.pdf.open("rb").read(5) == b"%PDF-"
    assert rows[("Dina Bakker", "letter")].status == MessageStatus.SENT


@pytest.mark.django_db
def test_sending_again_sends_nobody_a_second_message(
    street, smtp, sms_dir, django_capture_on_commit_callbacks
):
    campaign = _send(street, django_capture_on_commit_callbacks)
    before = Message.objects.count(), len(smtp.messages)
    with pytest.raises(Conflict):
        campaigns.campaign_send(actor=street["lead"], campaign=campaign)
    # The dispatch and a chunk delivered twice (a retried task, a second worker) add nothing either.
    from communication import tasks

    assert tasks.campaign_dispatch_task(campaign.pk) == 0
    assert tasks.campaign_send_chunk_task(campaign.pk) == 0
    assert (Message.objects.count(), len(smtp.messages)) == before


@pytest.mark.django_db
def test_a_failure_is_retried_on_purpose_only(street, smtp, sms_dir, django_capture_on_commit_callbacks):
    campaign = _send(street, django_capture_on_commit_callbacks)
    failed = Message.objects.get(campaign=campaign, recipient_name="Eva Visser")
    failed.contact.email = "eva@example.test"
    failed.address = "eva@example.test"
    failed.save(update_fields=["address"])
    with django_capture_on_commit_callbacks(execute=True):
        count = campaigns.messages_retry(actor=street["lead"], campaign=campaign)
    failed.refresh_from_db()
    assert count == 1 and failed.status == MessageStatus.SENT and failed.attempts == 2
    assert len(smtp.to("eva@example.test")) == 1


@pytest.mark.django_db
def test_counts_and_preview_before_sending_in_the_page(street, client):
    client.force_login(street["lead"])
    url = reverse("communication:campaign-create", args=[street["project"].slug])
    response = client.post(
        url, {"template_key": "survey_invitation", "streets": ["Lindelaan"], "recipients": "both"}
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.status == CampaignStatus.DRAFT
    page = client.get(reverse("communication:campaign", args=[campaign.pk])).content.decode()
    assert 'id="people-count">6<' in page
    assert 'data-preview="email-en"' in page and 'data-preview="letter-nl"' in page
    assert Message.objects.count() == 0  # counting and previewing send nothing
    # The invitation names the visit, and none of these homes has one yet; nor has the project a phone.
    assert 'data-gap="appointment_date" data-missing="6"' in page
    assert 'data-gap="contact_phone" data-missing="6"' in page
    # Four homes get their visit and the contact point is filled in: the warnings follow.
    for home in street["homes"][:4]:
        home.survey_appointment_at = timezone.now() + datetime.timedelta(days=7)
        home.save(update_fields=["survey_appointment_at"])
    CommunicationSettings.objects.update_or_create(
        project=street["project"], defaults={"contact_phone": "020 123 4567", "contact_email": "a@b.test"}
    )
    page = client.get(reverse("communication:campaign", args=[campaign.pk])).content.decode()
    assert 'data-gap="appointment_date" data-missing="2"' in page
    assert 'data-gap="contact_phone"' not in page


@pytest.mark.django_db
def test_approved_templates_only_refuses_an_unapproved_text(street, django_capture_on_commit_callbacks):
    from communication.services import automatic, templates

    project = street["project"]
    automatic.settings_save(actor=street["lead"], project=project, values={"approved_templates_only": True})
    templates.template_save(
        actor=street["lead"],
        project=project,
        key="survey_invitation",
        language="nl",
        values={
            "email_subject": "Nieuw",
            "email_body": "Hallo ((name))",
            "sms_body": "x",
            "letter_body": "y",
        },
    )
    campaign = campaigns.campaign_create(
        actor=street["lead"], project=project, name="", template_key="survey_invitation", filters={}
    )
    with pytest.raises(ValidationError):
        campaigns.campaign_send(actor=street["lead"], campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT and Message.objects.count() == 0


@pytest.mark.django_db
def test_another_party_cannot_see_or_send_a_campaign(street, client, outsider_project):
    from projects.models import OrganisationKind, Role
    from tests.conftest import member_of

    campaign = campaigns.campaign_create(
        actor=street["lead"],
        project=street["project"],
        name="Geheim",
        template_key="information_letter",
        filters={},
    )
    stranger = member_of(outsider_project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY)
    for user in (stranger, street["municipality"], street["installer"]):
        client.force_login(user)
        assert client.get(reverse("communication:campaign", args=[campaign.pk])).status_code == 404
        assert client.post(reverse("communication:campaign-send", args=[campaign.pk])).status_code == 404
        create = reverse("communication:campaign-create", args=[street["project"].slug])
        assert client.get(create).status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
