"""Consent in the portal: the owner-occupier reads the agreement, asks for a one-time code (sent to the
known e-mail through a real SMTP server), accepts with it, and ``record_agreement`` follows as the
person's own move; a tenant gives support only; associations and neighbours get nothing."""

import datetime
import email
import email.policy
import json
import re

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from communication.models import Message, TemplateKey
from portal import tokens
from portal.links import link_issue
from portal.models import Acceptance, OneTimeCode
from projects import timeline
from projects.models import Dwelling, DwellingTransition
from projects.residents import Resident
from surveys.models import Survey
from tests.factories import ContactFactory, DwellingFactory

pytestmark = pytest.mark.django_db

DIGEST = re.compile(r'name="text_digest" value="([0-9a-f]{64})"')


def url(name, code):
    return reverse(f"portal:{name}", args=[tokens.written(code)])


def plan_ready(home):
    Dwelling.objects.filter(pk=home.pk).update(state="plan_ready")


@pytest.fixture
def world(portal_world):
    plan_ready(portal_world["home"])
    Survey.objects.create(
        dwelling=portal_world["home"],
        works=[
            {"work": "remove_boiler", "responsible": "installer"},
            {"work": "delivery_set", "responsible": "heat_company"},
        ],
    )
    return portal_world


def digest_on_page(client, code) -> str:
    page = client.get(url("agreement", code))
    assert page.status_code == 200
    return DIGEST.search(page.content.decode()).group(1)


def code_from(raw: str) -> str:
    """The code in the e-mail: the one in the subject is the one in the text."""
    mail = email.message_from_string(raw, policy=email.policy.default)
    body = mail.get_body(preferencelist=("plain",)).get_content()
    typed = re.search(r"\b(\d{6})\b", body).group(1)
    assert re.search(r"\b(\d{6})\b", str(mail["subject"])).group(1) == typed
    return typed


def ask_code(client, code, capture) -> None:
    with capture(execute=True):
        answer = client.post(url("agreement-code", code))
    assert answer.status_code == 302


def last_code(world) -> str:
    return code_from(world["smtp"].to(world["owner"].email)[-1])


def unchanged(world):
    home = Dwelling.objects.get(pk=world["home"].pk)
    return (
        home.state,
        bool(home.agreement_document),
        Acceptance.objects.count(),
        DwellingTransition.objects.filter(dwelling=home).count(),
    )


def test_the_owner_accepts_with_a_code_from_the_email(world, client, django_capture_on_commit_callbacks):
    code = world["code"]
    home_page = client.get(url("home", code))
    assert b'id="agreement-link"' in home_page.content
    page = client.get(url("agreement", code))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'autocomplete="one-time-code"' in content and 'inputmode="numeric"' in content
    assert 'id="agreement-plan-link"' not in content  # no plan file yet, so no link
    digest = DIGEST.search(content).group(1)

    ask_code(client, code, django_capture_on_commit_callbacks)
    (mail,) = world["smtp"].to("anna@example.test")
    typed = code_from(mail)
    assert len(typed) == 6

    # Only a hash of the code is kept: not in the stored message, not in the code's row.
    message = Message.objects.get(contact=world["owner"], template_key=TemplateKey.ONE_TIME_CODE)
    assert typed not in message.body and typed not in message.subject
    stored = OneTimeCode.objects.get(contact=world["owner"], used_at__isnull=True)
    assert typed not in " ".join(str(value) for value in OneTimeCode.objects.values_list().get(pk=stored.pk))
    assert stored.code_hash == tokens.digest(f"{world['owner'].pk}:{typed}")

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url("agreement-accept", code), {"code": typed, "text_digest": digest})
    assert answer.status_code == 302 and answer["Location"] == url("agreement", code)

    acceptance = Acceptance.objects.get()
    assert (acceptance.contact_id, acceptance.dwelling_id, acceptance.kind) == (
        world["owner"].pk,
        world["home"].pk,
        "agreement",
    )
    assert acceptance.text_digest == digest
    assert "a…@example.test" in acceptance.identity_check
    with acceptance.document.open("rb") as stored_pdf:
        assert stored_pdf.read(4) == b"%PDF"

    home = Dwelling.objects.get(pk=world["home"].pk)
    assert home.state == "agreed"
    assert (home.signatory, home.signatory_name) == ("owner_occupier", "Anna de Vries")
    with home.agreement_document.open("rb") as document:
        assert document.read(4) == b"%PDF"
    move = DwellingTransition.objects.get(dwelling=home)
    assert (move.transition, move.actor_id, move.resident_id) == ("record_agreement", None, world["owner"].pk)
    assert OneTimeCode.objects.get(pk=stored.pk).used_at is not None

    # The person downloads what they accepted; the page now shows it as done.
    pdf = client.get(url("agreement-file", code))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    done = client.get(url("agreement", code))
    assert done.status_code == 200 and b'data-accepted="agreement"' in done.content
    # The acceptance is in the home's public timeline.
    entries = timeline.timeline(home, Resident(world["owner"]), public_only=True)
    assert [entry.kind for entry in entries].count("acceptance") == 1


def test_a_double_click_sends_one_code(world, client, django_capture_on_commit_callbacks):
    ask_code(client, world["code"], django_capture_on_commit_callbacks)
    ask_code(client, world["code"], django_capture_on_commit_callbacks)
    assert Message.objects.filter(template_key=TemplateKey.ONE_TIME_CODE).count() == 1
    assert len(world["smtp"].to("anna@example.test")) == 1


def test_the_code_goes_by_sms_to_who_prefers_sms(world, client, django_capture_on_commit_callbacks, sms_dir):
    owner = world["owner"]
    owner.preferred_channel, owner.phone = "sms", "06 12 34 56 78"
    owner.save(update_fields=["preferred_channel", "phone"])
    ask_code(client, world["code"], django_capture_on_commit_callbacks)
    message = Message.objects.get(template_key=TemplateKey.ONE_TIME_CODE)
    assert (message.channel, message.address) == ("sms", "+31612345678")
    assert world["smtp"].to("anna@example.test") == []
    (line,) = [row for path in sms_dir.glob("*.jsonl") for row in path.read_text().splitlines()]
    sent = json.loads(line)
    assert sent["to"] == "+31612345678"
    typed = re.search(r"\b(\d{6})\b", sent["body"]).group(1)
    digest = digest_on_page(client, world["code"])
    client.post(url("agreement-accept", world["code"]), {"code": typed, "text_digest": digest})
    assert Dwelling.objects.get(pk=world["home"].pk).state == "agreed"
    assert "…78" in Acceptance.objects.get().identity_check


def test_without_email_or_mobile_no_code_is_sent(world, client, django_capture_on_commit_callbacks):
    owner = world["owner"]
    owner.email, owner.phone = "", ""
    owner.save(update_fields=["email", "phone"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url("agreement-code", world["code"]), follow=True)
    assert answer.status_code == 200
    assert [message.level_tag for message in answer.context["messages"]] == ["error"]
    assert not Message.objects.filter(template_key=TemplateKey.ONE_TIME_CODE).exists()


def test_a_wrong_code_changes_nothing_and_five_lock_the_code(
    world, client, django_capture_on_commit_callbacks
):
    code = world["code"]
    digest = digest_on_page(client, code)
    ask_code(client, code, django_capture_on_commit_callbacks)
    right = last_code(world)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    before = unchanged(world)
    answer = client.post(url("agreement-accept", code), {"code": wrong, "text_digest": digest})
    assert answer.status_code == 400
    content = answer.content.decode()
    assert 'id="code-error"' in content and 'aria-describedby="code-hint code-error"' in content
    assert unchanged(world) == before
    assert OneTimeCode.objects.get(used_at__isnull=True).attempts == 1
    for _ in range(settings.PORTAL_CODE_TRIES - 1):
        client.post(url("agreement-accept", code), {"code": wrong, "text_digest": digest})
    # After the tries the right code no longer works either.
    locked = client.post(url("agreement-accept", code), {"code": right, "text_digest": digest})
    assert locked.status_code == 400 and b'data-error="code"' in locked.content
    assert unchanged(world) == before
    # A new code does.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1)):
        ask_code(client, code, django_capture_on_commit_callbacks)
    fresh = last_code(world)
    client.post(url("agreement-accept", code), {"code": fresh, "text_digest": digest})
    assert Dwelling.objects.get(pk=world["home"].pk).state == "agreed"


def test_a_stale_text_changes_nothing(world, client, django_capture_on_commit_callbacks):
    code = world["code"]
    digest = digest_on_page(client, code)
    ask_code(client, code, django_capture_on_commit_callbacks)
    typed = last_code(world)
    # The works change while the page is open: the form's text is no longer the text.
    Survey.objects.filter(dwelling=world["home"]).update(
        works=[{"work": "radiators", "responsible": "owner"}]
    )
    before = unchanged(world)
    answer = client.post(url("agreement-accept", code), {"code": typed, "text_digest": digest})
    assert answer.status_code == 400 and b'id="digest-error"' in answer.content
    assert DIGEST.search(answer.content.decode()).group(1) != digest
    assert unchanged(world) == before
    # The code was not spent on the stale form.
    assert OneTimeCode.objects.get(used_at__isnull=True).attempts == 0


def test_a_refused_move_keeps_no_acceptance_and_no_file(
    world, client, django_capture_on_commit_callbacks, monkeypatch
):
    """The agreement's move is refused by a check another app adds (as procurement's checks refuse
    other moves): nothing is recorded, and the PDF written meanwhile is gone from storage too."""
    from django.core.exceptions import ValidationError

    from projects.workflow import registry

    def refuse(attempt):
        raise ValidationError("Not now.")

    monkeypatch.setitem(registry._validators, "record_agreement", [refuse])
    code = world["code"]
    digest = digest_on_page(client, code)
    ask_code(client, code, django_capture_on_commit_callbacks)
    folder = settings.MEDIA_ROOT / "portal" / str(world["project"].pk) / str(world["home"].pk)
    before = unchanged(world)
    answer = client.post(url("agreement-accept", code), {"code": last_code(world), "text_digest": digest})
    assert answer.status_code == 400
    assert Acceptance.objects.count() == 0 and unchanged(world) == before
    assert not folder.exists() or not any(folder.iterdir())


def test_a_double_accept_makes_one_acceptance_and_one_move(world, client, django_capture_on_commit_callbacks):
    code = world["code"]
    digest = digest_on_page(client, code)
    ask_code(client, code, django_capture_on_commit_callbacks)
    typed = last_code(world)
    first = client.post(url("agreement-accept", code), {"code": typed, "text_digest": digest})
    second = client.post(url("agreement-accept", code), {"code": typed, "text_digest": digest})
    assert first.status_code == second.status_code == 302
    assert Acceptance.objects.count() == 1
    assert (
        DwellingTransition.objects.filter(dwelling=world["home"], transition="record_agreement").count() == 1
    )


def test_a_housing_association_home_gets_no_accept(world, client, django_capture_on_commit_callbacks):
    Dwelling.objects.filter(pk=world["home"].pk).update(ownership="housing_association")
    code = world["code"]
    assert b'id="agreement-link"' not in client.get(url("home", code)).content
    assert client.get(url("agreement", code)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url("agreement-code", code)).status_code == 404
    assert (
        client.post(url("agreement-accept", code), {"code": "123456", "text_digest": "0" * 64}).status_code
        == 404
    )
    assert not Message.objects.filter(template_key=TemplateKey.ONE_TIME_CODE).exists()
    assert unchanged(world)[0] == "plan_ready" and Acceptance.objects.count() == 0


def test_an_owners_association_apartment_gets_no_accept(world, client):
    Dwelling.objects.filter(pk=world["home"].pk).update(owners_association="VvE Lindehof")
    assert client.get(url("agreement", world["code"])).status_code == 404


def test_a_tenant_gives_support_but_no_agreement(world, client, django_capture_on_commit_callbacks):
    rented = DwellingFactory(
        project=world["project"],
        state="plan_ready",
        street="Kastanjelaan",
        house_number=7,
        ownership="housing_association",
    )
    tenant = ContactFactory(dwelling=rented, role="resident", name="Cas Tromp", email="cas@example.test")
    code = link_issue(tenant)
    assert b'id="support-link"' in client.get(url("home", code)).content
    page = client.get(url("agreement", code))
    assert page.status_code == 200 and b'data-kind="tenant_support"' in page.content
    digest = DIGEST.search(page.content.decode()).group(1)
    ask_code(client, code, django_capture_on_commit_callbacks)
    typed = code_from(world["smtp"].to("cas@example.test")[-1])
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url("agreement-accept", code), {"code": typed, "text_digest": digest})
    assert answer.status_code == 302
    support = Acceptance.objects.get()
    assert (support.kind, support.contact_id, support.dwelling_id) == ("tenant_support", tenant.pk, rented.pk)
    rented.refresh_from_db()
    assert rented.state == "plan_ready" and not rented.transitions.exists()
    assert client.get(url("agreement", code)).content.count(b'data-accepted="tenant_support"') == 1
    assert client.get(url("agreement-file", code)).status_code == 200
    kinds = [entry.kind for entry in timeline.timeline(rented, Resident(tenant), public_only=True)]
    assert "acceptance" in kinds


def test_the_leads_agreement_form_starts_from_the_tenants_support(world, client):
    """The lead records the housing association's agreement; the tenant's support given in the
    portal is where the form's "does the tenant support it" starts, with a note saying so."""
    rented = DwellingFactory(project=world["project"], state="plan_ready", ownership="housing_association")
    tenant = ContactFactory(dwelling=rented, role="resident", email="ilse@example.test")
    other = DwellingFactory(project=world["project"], state="plan_ready", ownership="housing_association")
    Acceptance.objects.create(
        dwelling=rented,
        contact=tenant,
        kind="tenant_support",
        identity_check="link and code",
        text_digest="0" * 64,
    )
    client.force_login(world["lead"])

    def field(home):
        page = client.get(reverse("projects:dwelling", args=[world["project"].slug, home.pk]))
        (form,) = [form for form in page.context["actions"] if form.move.name == "record_agreement"]
        return form["tenant_supports"]

    given, not_given = field(rented), field(other)
    assert given.value() == "yes" and given.help_text
    assert not_given.value() is None and not not_given.help_text


def test_a_landlord_of_a_private_rental_gets_no_accept(world, client):
    Dwelling.objects.filter(pk=world["home"].pk).update(ownership="private_rental")
    assert client.get(url("agreement", world["code"])).status_code == 404


def test_the_neighbour_cannot_reach_the_agreement_pdf(world, client, django_capture_on_commit_callbacks):
    code = world["code"]
    digest = digest_on_page(client, code)
    ask_code(client, code, django_capture_on_commit_callbacks)
    client.post(url("agreement-accept", code), {"code": last_code(world), "text_digest": digest})
    assert Acceptance.objects.count() == 1
    assert client.get(url("agreement-file", world["neighbour_code"])).status_code == 404
    assert client.get(url("agreement", world["neighbour_code"])).status_code == 404
    assert client.get(url("agreement-file", code)).status_code == 200


def test_no_code_before_the_plan_is_ready(portal_world, client, django_capture_on_commit_callbacks):
    code = portal_world["code"]
    assert client.get(url("agreement", code)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url("agreement-code", code)).status_code == 404
    assert client.get(url("agreement-file", code)).status_code == 404
