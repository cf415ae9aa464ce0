"""The personal link (hashed, expiring, revocable, rate-limited) and the survey visit the resident picks,
changes and calls off: moves of the workflow by the resident, logged, confirmed, the slot following."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from communication.models import Message, TemplateKey
from portal import tokens
from portal.links import link_find, links_revoke
from portal.models import PortalLink
from projects.models import Dwelling, DwellingTransition
from surveys.models import SurveySlot
from tests.conftest import member_of
from tests.factories import DwellingFactory

pytestmark = pytest.mark.django_db


def home_url(code):
    return reverse("portal:home", args=[tokens.written(code)])


def url(name, code):
    return reverse(f"portal:{name}", args=[tokens.written(code)])


def test_only_the_hash_is_stored_and_any_spelling_of_the_code_opens_it(portal_world, client):
    code = portal_world["code"]
    link = PortalLink.objects.get(contact=portal_world["owner"])
    assert code not in (link.code_hash, link.hint) and len(link.code_hash) == 64
    assert link.code_hash == tokens.digest(code)
    typed = tokens.written(code).lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert link_find(typed).link == link
    page = client.get(home_url(code))
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store, private" and page["Referrer-Policy"] == "same-origin"
    assert b'data-state="informed"' in page.content


def test_a_tampered_revoked_or_expired_link_answers_404_and_reveals_nothing(portal_world, client):
    code = portal_world["code"]
    tampered = code[:-1] + ("A" if code[-1] != "A" else "B")
    for wrong in (tampered, "not-a-code", code + "X"):
        response = client.get(f"/r/{wrong}/")
        assert response.status_code == 404
        assert b"Anna" not in response.content and b"Kastanjelaan" not in response.content
    with time_machine.travel(timezone.now() + datetime.timedelta(days=365)):
        expired = client.get(home_url(code))
    assert expired.status_code == 404 and b'id="renew-form"' in expired.content
    assert b"Anna" not in expired.content
    links_revoke(actor=portal_world["lead"], contact=portal_world["owner"])
    revoked = client.get(home_url(code))
    assert revoked.status_code == 404 and b'id="renew-form"' not in revoked.content


def test_opening_a_page_changes_nothing(portal_world, client):
    before = (Dwelling.objects.values().get(pk=portal_world["home"].pk), list(PortalLink.objects.values()))
    for name in ("home", "visit", "questions", "preferences"):
        assert client.get(url(name, portal_world["code"])).status_code == 200
    assert (
        Dwelling.objects.values().get(pk=portal_world["home"].pk),
        list(PortalLink.objects.values()),
    ) == before
    assert Message.objects.count() == 0


def test_guessing_is_limited_per_address(portal_world, client, settings):
    settings.PORTAL_GUESS_RATE = "3/h"
    wrong = ["AAAA-AAAA-AAAA-AAAA-AAA" + str(n) for n in range(5)]
    answers = [client.get(f"/r/{code}/", REMOTE_ADDR="192.0.2.7").status_code for code in wrong]
    assert answers[:3] == [404, 404, 404] and answers[-1] == 429
    # From there even the right link waits, from that address only.
    assert client.get(home_url(portal_world["code"]), REMOTE_ADDR="192.0.2.7").status_code == 429
    assert client.get(home_url(portal_world["code"]), REMOTE_ADDR="192.0.2.8").status_code == 200


def test_an_expired_link_sends_a_new_one_to_the_known_channel_only(
    portal_world, client, django_capture_on_commit_callbacks
):
    code = portal_world["code"]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=365)):
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(url("renew", code), {"email": "attacker@example.test"})
        assert answer.status_code == 200 and b'id="renewed"' in answer.content
        # An unknown code gets the same answer and sends nothing.
        with django_capture_on_commit_callbacks(execute=True):
            same = client.post("/r/AAAA-AAAA-AAAA-AAAA-AAAA/new-link/")
        assert same.status_code == 200 and b'id="renewed"' in same.content
    smtp = portal_world["smtp"]
    assert smtp.to("attacker@example.test") == []
    (mail,) = smtp.to("anna@example.test")
    message = Message.objects.get(template_key=TemplateKey.PORTAL_LINK)
    # The stored text keeps the mask; the e-mail carries a new, working link.
    assert "/r/…/" in message.body
    new_code = mail.split("/r/", 1)[1].split("/", 1)[0]
    assert tokens.normalise(new_code) and new_code not in message.body
    assert client.get(f"/r/{new_code}/").status_code == 200


def _first_open(world):
    return SurveySlot.objects.filter(dwelling__isnull=True, published=True).order_by("starts_at").first()


def test_the_resident_books_changes_and_calls_off_the_visit(
    portal_world, client, django_capture_on_commit_callbacks
):
    world = portal_world
    code = world["code"]
    page = client.get(url("visit", code)).content.decode()
    first, second = SurveySlot.objects.filter(published=True).order_by("starts_at")[:2]
    assert f'value="{first.pk}"' in page
    seen = "none"
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url("visit", code), {"slot": first.pk, "seen": seen})
    assert answer.status_code == 302
    home = Dwelling.objects.get(pk=world["home"].pk)
    assert home.state == "survey_planned" and home.survey_appointment_at == first.starts_at
    assert home.surveyor == world["surveyor"]
    first.refresh_from_db()
    assert first.dwelling_id == home.pk
    log = DwellingTransition.objects.filter(dwelling=home).latest("pk")
    assert (log.transition, log.actor_id, log.resident_id) == ("plan_survey", None, world["owner"].pk)
    assert len(world["smtp"].to("anna@example.test")) == 1  # the confirmation

    # A double submit of the same choice changes nothing more.
    client.post(url("visit", code), {"slot": first.pk, "seen": home.survey_appointment_at.isoformat()})
    assert DwellingTransition.objects.filter(dwelling=home).count() == 1

    # A stale form (the appointment it saw is not the current one) changes nothing.
    client.post(url("visit", code), {"slot": second.pk, "seen": "none"})
    assert Dwelling.objects.get(pk=home.pk).survey_appointment_at == first.starts_at

    # Change: the old time returns to the pool, the new one is taken.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("visit", code), {"slot": second.pk, "seen": first.starts_at.isoformat()})
    home.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert home.survey_appointment_at == second.starts_at and second.dwelling_id == home.pk
    assert first.dwelling_id is None and first.published
    assert DwellingTransition.objects.filter(dwelling=home).latest("pk").transition == "reschedule_survey"
    ics = client.get(url("visit-calendar", code))
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content
    assert second.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ").encode() in ics.content

    # Call off: back to informed, no visit counted, the time back in the pool.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("visit-cancel", code), {"seen": second.starts_at.isoformat()})
    home.refresh_from_db()
    second.refresh_from_db()
    assert (home.state, home.visit_count, home.survey_appointment_at) == ("informed", 0, None)
    assert second.dwelling_id is None and second.published
    keys = list(Message.objects.filter(contact=world["owner"]).values_list("template_key", flat=True))
    assert sorted(keys) == sorted(["appointment_confirmed", "appointment_confirmed", "appointment_cancelled"])


def test_a_time_taken_meanwhile_or_of_another_project_changes_nothing(portal_world, client, outsider_project):
    world = portal_world
    first = _first_open(world)
    # The neighbour takes it first.
    client.post(url("visit", world["neighbour_code"]), {"slot": first.pk, "seen": "none"})
    response = client.post(url("visit", world["code"]), {"slot": first.pk, "seen": "none"}, follow=True)
    assert response.status_code == 200 and b'id="visit-form"' in response.content
    assert Dwelling.objects.get(pk=world["home"].pk).state == "informed"
    # A slot of another project, swapped into the form: nothing happens.
    planner = member_of(outsider_project, "installer", "survey_party")
    other = SurveySlot.objects.create(
        project=outsider_project,
        surveyor=planner,
        starts_at=first.starts_at + datetime.timedelta(days=1),
        published=True,
        created_by=planner,
    )
    client.post(url("visit", world["code"]), {"slot": other.pk, "seen": "none"})
    other.refresh_from_db()
    assert other.dwelling_id is None and Dwelling.objects.get(pk=world["home"].pk).state == "informed"


def test_a_visit_too_close_cannot_be_changed_in_the_portal(portal_world, client, settings):
    world = portal_world
    first = _first_open(world)
    client.post(url("visit", world["code"]), {"slot": first.pk, "seen": "none"})
    with time_machine.travel(first.starts_at - datetime.timedelta(hours=settings.PORTAL_CHANGE_HOURS - 1)):
        client.post(url("visit-cancel", world["code"]), {"seen": first.starts_at.isoformat()})
        assert Dwelling.objects.get(pk=world["home"].pk).state == "survey_planned"


def test_the_resident_reaches_only_their_own_home(portal_world, client):
    world = portal_world
    other = DwellingFactory(project=world["project"], state="informed")
    from projects.residents import Resident
    from projects.services import dwelling_transition

    resident = Resident(world["owner"])
    with pytest.raises(Dwelling.DoesNotExist):
        dwelling_transition(
            actor=resident,
            dwelling_id=other.pk,
            transition="plan_survey",
            surveyor=world["surveyor"],
            appointment_at=_first_open(world).starts_at,
        )
    from projects.permissions import dwellings_visible_to

    assert not dwellings_visible_to(resident).exists()


def test_a_letter_carries_a_working_link_and_its_qr_code(
    portal_world, client, django_capture_on_commit_callbacks
):
    """The information letter to a person who prefers paper: the PDF has a new link (the stored text
    only the mask) and the QR code beside it."""
    from communication.models import LetterBatch
    from communication.services import campaigns
    from projects.models import Contact
    from tests.surveys.test_plans import pdf_text, squeeze

    world = portal_world
    Contact.objects.filter(pk=world["owner"].pk).update(preferred_channel="letter")
    campaign = campaigns.campaign_create(
        actor=world["lead"],
        project=world["project"],
        name="Informatiebrief",
        template_key="information_letter",
        filters={"streets": ["Kastanjelaan"]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=world["lead"], campaign=campaign)
    letter = Message.objects.get(contact=world["owner"], channel="letter")
    assert "/r/…/" in letter.body
    batch = LetterBatch.objects.get(campaign=campaign)
    with batch.pdf.open("rb") as file:
        pdf = file.read()
    text = squeeze(pdf_text(pdf))
    printed = re.findall(r"/r/([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4})/", text)
    assert printed, "the letter shows the link"
    assert client.get(f"/r/{printed[0]}/").status_code == 200
    # The QR code beside it encodes a link of its own: a QR of the letter's link, as an inline SVG.
    from communication.letters import printed as printed_letter

    shown = printed_letter(letter)
    assert shown["qr"].startswith("<svg") and shown["link"] in shown["body"]
    assert PortalLink.objects.filter(contact=world["owner"], purpose="message").exists()


def test_a_booking_in_the_portal_is_confirmed_once_even_with_automatic_messages_on(
    portal_world, client, django_capture_on_commit_callbacks
):
    from communication.services.automatic import use_default_rules

    world = portal_world
    use_default_rules(actor=world["lead"], project=world["project"])
    first = _first_open(world)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("visit", world["code"]), {"slot": first.pk, "seen": "none"})
    keys = list(Message.objects.filter(contact=world["owner"]).values_list("template_key", flat=True))
    assert keys == ["appointment_confirmed"]
    # A planner's booking of the neighbour still sends the project's automatic invitation.
    from projects.services import dwelling_transition

    second = _first_open(world)
    with django_capture_on_commit_callbacks(execute=True):
        dwelling_transition(
            actor=world["planner"],
            dwelling_id=world["neighbour"].dwelling_id,
            transition="plan_survey",
            surveyor=world["surveyor"],
            appointment_at=second.starts_at,
        )
    assert list(
        Message.objects.filter(contact=world["neighbour"]).values_list("template_key", flat=True)
    ) == ["survey_invitation"]
