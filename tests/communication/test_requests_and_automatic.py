"""Requests from other parties, automatic messages on moves, and delivery events."""

import base64
import json

import pytest
from django.urls import reverse

from communication.models import Message, MessageRequest, MessageStatus
from communication.services import automatic
from communication.sms import signature


@pytest.fixture
def installer_home(street):
    home = street["homes"][0]
    home.installer = street["installer"].organisation
    home.save(update_fields=["installer"])
    return home


@pytest.mark.django_db
def test_an_installer_asks_and_the_communicating_party_edits_and_sends(
    street, installer_home, smtp, sms_dir, client, django_capture_on_commit_callbacks
):
    client.force_login(street["installer"])
    response = client.post(
        reverse("communication:ask"),
        {
            "dwellings": [installer_home.pk],
            "text": "Woensdag graven wij in de straat",
            "next": "/installations/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/installations/"
    request = MessageRequest.objects.get()
    assert request.communicating_party == street["lead"].organisation
    # Another's home does not exist for the installer; nothing is asked.
    other = street["homes"][1]
    response = client.post(reverse("communication:ask"), {"dwellings": [other.pk], "text": "x"})
    assert response.status_code == 404 and MessageRequest.objects.count() == 1
    # The installer cannot send it to residents itself.
    page = reverse("communication:request", args=[request.pk])
    response = client.post(
        page,
        {"action": "approve", "email_subject": "a", "email_body": "b", "sms_body": "c", "letter_body": "d"},
    )
    assert response.status_code == 403 and Message.objects.count() == 0
    # The communicating party edits the text and sends it; only that home's person gets it.
    client.force_login(street["lead"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            page,
            {
                "action": "approve",
                "email_subject": "Werk in uw straat",
                "email_body": "Beste ((name)), woensdag graven wij. Parkeer elders.",
                "sms_body": "Woensdag graven wij",
                "letter_body": "Beste ((name)), woensdag graven wij.",
            },
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "sent" and request.campaign is not None
    assert [m.recipient_name for m in Message.objects.all()] == ["Anna de Vries"]
    assert "Beste Anna de Vries, woensdag graven wij" in smtp.to("anna@example.test")[0]
    # A second press changes nothing and says so.
    response = client.post(page, {"action": "refuse", "reason": "te laat"}, follow=True)
    assert "al afgehandeld" in response.content.decode() or "handled already" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "sent" and Message.objects.count() == 1
    # A municipality does not see the request at all.
    client.force_login(street["municipality"])
    assert client.get(page).status_code == 404


@pytest.mark.django_db
def test_a_move_sends_its_automatic_message_once_even_if_the_event_comes_twice(
    street, smtp, sms_dir, django_capture_on_commit_callbacks
):
    automatic.use_default_rules(actor=street["lead"], project=street["project"])
    home = street["homes"][0]
    # The move's log row, as the workflow writes it for plan_survey; the event may arrive twice.
    log = home.transitions.create(transition="plan_survey", source="informed", target="survey_planned")
    first = automatic.messages_for_moves([log.pk])
    again = automatic.messages_for_moves([log.pk])
    assert len(first) == 1 and again == []
    message = Message.objects.get()
    assert message.template_key == "survey_invitation" and message.trigger == f"move:{log.pk}"
    # With automatic messages off, a move sends nothing.
    automatic.settings_save(actor=street["lead"], project=street["project"], values={"automatic": False})
    other = home.transitions.create(transition="plan_survey", source="informed", target="survey_planned")
    assert automatic.messages_for_moves([other.pk]) == [] and Message.objects.count() == 1


@pytest.mark.django_db
def test_delivery_events_move_a_message_forward_only(
    street, smtp, sms_dir, client, settings, django_capture_on_commit_callbacks
):
    from communication.services import campaigns

    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    settings.SMS_TOKEN = "token"
    settings.PUBLIC_URL = "http://testserver"
    campaign = campaigns.campaign_create(
        actor=street["lead"],
        project=street["project"],
        name="",
        template_key="information_letter",
        filters={},
    )
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=street["lead"], campaign=campaign)
    anna = Message.objects.get(campaign=campaign, recipient_name="Anna de Vries")
    url = reverse("communication:postmark-tracking")
    auth = "Basic " + base64.b64encode(b"hook:secret").decode()

    def postmark(kind, **extra):
        body = {"RecordType": kind, "MessageID": "x", "Metadata": {"message": str(anna.reference)}, **extra}
        return client.post(url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=auth)

    assert client.post(url, "{}", content_type="application/json").status_code in (400, 403)
    assert (
        postmark(
            "Bounce", Type="HardBounce", TypeCode=1, Description="Unknown user", Email="anna@example.test"
        ).status_code
        == 200
    )
    anna.refresh_from_db()
    assert anna.status == MessageStatus.BOUNCED
    # A late "delivered" does not undo the bounce.
    assert (
        postmark("Delivery", DeliveredAt="2026-12-02T10:00:00Z", Recipient="anna@example.test").status_code
        == 200
    )
    anna.refresh_from_db()
    assert anna.status == MessageStatus.BOUNCED
    # The next campaign goes to Anna by letter, and says why.
    second = campaigns.campaign_create(
        actor=street["lead"], project=street["project"], name="", template_key="plan_ready", filters={}
    )
    planned = campaigns.plan(street["lead"], street["project"], second.filters, second.template_key)
    anna_routes = [route for contact, route in planned.rows if contact.name == "Anna de Vries"]
    assert [(r.channel, r.why) for r in anna_routes] == [("letter", "bounced")]
    # The SMS report: refused without the provider's signature, applied with it.
    cor = Message.objects.get(campaign=campaign, recipient_name="Cor Smit")
    status_url = f"/communication/sms/status/?ref={cor.reference}"
    params = {"MessageStatus": "delivered", "MessageSid": "SM1"}
    assert client.post(status_url, params, HTTP_X_TWILIO_SIGNATURE="wrong").status_code == 403
    good = signature("http://testserver" + status_url, params, "token")
    assert client.post(status_url, params, HTTP_X_TWILIO_SIGNATURE=good).status_code == 200
    cor.refresh_from_db()
    assert cor.status == MessageStatus.DELIVERED


@pytest.mark.django_db
def test_a_real_move_sends_through_the_workflow_and_a_failed_move_sends_nothing(
    street, smtp, sms_dir, django_capture_on_commit_callbacks
):
    from projects.models import Dwelling
    from projects.services import dwelling_transition
    from projects.services.dwellings import TransitionRefused

    automatic.settings_save(
        actor=street["lead"],
        project=street["project"],
        values={"automatic": True},
        rules={"inform": ("information_letter", "both")},
    )
    home = street["homes"][0]
    Dwelling.objects.filter(pk=home.pk).update(state="registered")
    with django_capture_on_commit_callbacks(execute=True):
        dwelling_transition(actor=street["lead"], dwelling_id=home.pk, transition="inform")
    assert [m.template_key for m in Message.objects.all()] == ["information_letter"]
    assert len(smtp.to("anna@example.test")) == 1
    # The same move again is refused (the home is informed already): nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionRefused):
        dwelling_transition(actor=street["lead"], dwelling_id=home.pk, transition="inform")
    assert Message.objects.count() == 1 and len(smtp.to("anna@example.test")) == 1


@pytest.mark.django_db
def test_a_one_time_code_or_an_answer_fits_only_its_own_template(street):
    from django.core.exceptions import ValidationError

    from communication.services import templates

    values = {
        "email_subject": "Uw code",
        "email_body": "Beste ((name)), uw code is ((code)).",
        "sms_body": "((code))",
        "letter_body": "",
    }
    for key in ("custom", "information_letter", "answer"):
        with pytest.raises(ValidationError) as refused:
            templates.template_save(
                actor=street["lead"], project=street["project"], key=key, language="nl", values=values
            )
        assert "email_body" in refused.value.message_dict
    saved = templates.template_save(
        actor=street["lead"], project=street["project"], key="one_time_code", language="nl", values=values
    )
    assert "((code))" in saved.email_body


@pytest.mark.django_db
def test_an_automatic_message_cannot_be_a_personal_one(street):
    from communication.models import AutomaticRule
    from communication.services import automatic

    automatic.settings_save(
        actor=street["lead"],
        project=street["project"],
        values={"automatic": True},
        rules={"plan_survey": ("one_time_code", "both"), "approve_plan": ("plan_ready", "owners")},
    )
    assert list(AutomaticRule.objects.values_list("trigger", "template_key")) == [
        ("approve_plan", "plan_ready")
    ]
