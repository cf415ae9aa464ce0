"""The resident-communication issue's acceptance, in the browser, as the parties would try it.

As the communicating party: send the survey invitation to one street, see who gets what before sending,
watch it finish, find the e-mails at a real SMTP server and the letters for those without e-mail in one
PDF, and read a person's history. Sending the same campaign again (a second tab with the old form) sends
nobody a second message. A campaign for tomorrow shows its progress bar and finishes on its own when its
time comes. As an installer: no way to message residents, but a request to inform the residents of the
day's street, which lands in the communicating party's queue and reaches the residents once approved.

The live server runs in this process, so the ``smtp`` fixture's real SMTP server (aiosmtpd on loopback)
and SMS files of tests/communication/conftest.py serve it too; Celery runs eagerly (no broker).
"""

import datetime
import email
import email.policy
import json
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import formats, timezone, translation

from communication import tasks
from communication.models import (
    Campaign,
    CampaignStatus,
    LetterBatch,
    Message,
    MessageRequest,
    MessageStatus,
    RequestStatus,
)
from communication.services import campaigns
from projects.models import Dwelling
from tests.browser.test_dwelling_walk import log_in
from tests.communication import conftest as communication
from tests.conftest import next_monday
from tests.surveys.test_plans import pdf_objects, pdf_text, squeeze

pytestmark = pytest.mark.django_db(transaction=True)

# The communication tests' fixtures: a real SMTP inbox, SMS to files, and the Lindelaan with six homes
# whose people prefer different channels (and two homes on the Beukenlaan).
smtp, sms_dir, street = communication.smtp, communication.sms_dir, communication.street

# The columns of a campaign's figures table, in the order the page shows them.
STATUS_COLUMNS = [status for status in MessageStatus.values if status != MessageStatus.SENDING]


def figures(page) -> dict[str, dict[str, int]]:
    """The finished campaign's table: per channel, the count per status and the total."""
    table = {}
    for row in page.locator("#figures tbody tr[data-channel]").all():
        cells = [int(text) for text in row.locator("td").all_inner_texts()]
        counts = {status: count for status, count in zip(STATUS_COLUMNS, cells, strict=False) if count}
        table[row.get_attribute("data-channel")] = {**counts, "total": cells[-1]}
    return table


def pdf_pages(pdf: bytes) -> int:
    return sum(1 for head, _data in pdf_objects(pdf).values() if re.search(rb"/Type\s*/Page(?![a-z])", head))


def mail_text(content: str) -> str:
    """The plain text of an e-mail as the SMTP server received it, its transfer encoding undone."""
    return email.message_from_string(content, policy=email.policy.default).get_body(("plain",)).get_content()


def plan_visits(homes) -> None:
    """A survey visit for each home on Tuesday next week, an hour apart from nine: what the invitation
    announces."""
    day = next_monday() + datetime.timedelta(days=1)
    for hour, home in enumerate(homes, start=9):
        when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))
        Dwelling.objects.filter(pk=home.pk).update(state="survey_planned", survey_appointment_at=when)


def visit_date(person, language) -> str:
    """The visit's date as the message writes it in the person's language (looked up through Django)."""
    when = timezone.localtime(Dwelling.objects.get(pk=person.dwelling_id).survey_appointment_at)
    with translation.override(language):
        return formats.date_format(when, "l j F Y")


def visit_time(person) -> str:
    when = Dwelling.objects.get(pk=person.dwelling_id).survey_appointment_at
    return timezone.localtime(when).strftime("%H:%M")


def sms_lines(sms_dir) -> list[dict]:
    if not sms_dir.exists():
        return []
    return [json.loads(line) for path in sms_dir.iterdir() for line in path.read_text().splitlines()]


def test_a_street_gets_the_survey_invitation_once_on_each_persons_channel(
    page, live_server, street, smtp, sms_dir
):
    project, lead = street["project"], street["lead"]
    anna, bram, _cor, dina, _eva, fenna = street["people"][:6]
    plan_visits(street["homes"])  # the invitation announces each home's visit

    # From the project page to a new campaign: the survey invitation, to the Lindelaan only.
    log_in(page, live_server, lead)
    page.goto(f"{live_server.url}{reverse('projects:detail', args=[project.slug])}")
    page.click("#campaign-link")
    page.wait_for_selector("select[name=template_key]")
    assert page.locator("select[name=streets] option").evaluate_all("o => o.map(e => e.value)") == [
        "Beukenlaan",
        "Lindelaan",
    ]
    page.select_option("select[name=template_key]", "survey_invitation")
    page.select_option("select[name=streets]", ["Lindelaan"])
    page.check("input[name=recipients][value=both]")
    page.click("form:has(select[name=template_key]) [type=submit]")
    page.wait_for_selector("#per-channel")
    campaign = Campaign.objects.get()
    draft_url = f"{live_server.url}{reverse('communication:campaign', args=[campaign.pk])}"
    assert page.url == draft_url
    assert campaign.status == CampaignStatus.DRAFT and campaign.filters["streets"] == ["Lindelaan"]

    # Before anything is sent: the people and the messages per channel, and a preview of each.
    assert page.locator("#people-count").inner_text() == "6"
    per_channel = {
        row.get_attribute("data-channel"): int(row.locator("td").nth(1).inner_text())
        for row in page.locator("#per-channel tr[data-channel]").all()
    }
    assert per_channel == {"email": 3, "sms": 1, "letter": 2}
    previews = page.locator("[data-preview]").evaluate_all("s => s.map(e => e.dataset.preview)")
    assert previews == ["email-en", "email-nl", "letter-nl", "sms-nl"]
    # Each preview is the text as a real person of the street gets it, with their name filled in.
    for preview, person, language in (
        ("email-nl", anna, "nl"),
        ("email-en", fenna, "en"),
        ("letter-nl", bram, "nl"),
    ):
        shown = page.locator(f"[data-preview='{preview}']").inner_text()
        assert person.name in shown and visit_date(person, language) in shown and visit_time(person) in shown
    assert Message.objects.count() == 0 and smtp.messages == []

    # A second tab keeps the draft page open, as a colleague's or a forgotten window would.
    stale = page.context.new_page()
    stale.goto(draft_url)
    assert stale.locator("#send-form").count() == 1

    # Send now. Celery runs eagerly, so the page after the send shows the finished campaign.
    page.click("#send-form [type=submit]")
    page.wait_for_selector("#figures")
    assert page.locator(".alert-success").count() == 1
    assert page.locator("#send-form").count() == 0  # no second press on the sent campaign
    assert page.locator("[data-job-status]").count() == 0  # finished: no progress bar any more
    status = page.request.get(
        f"{live_server.url}{reverse('communication:campaign-status', args=[campaign.pk])}"
    )
    assert status.json() | {"status_label": ""} == {
        "status": "done",
        "status_label": "",
        "processed": 6,
        "total": 6,
        "percent": 100,
        "finished": True,
        "taken_over": 0,
    }
    assert figures(page) == {
        "email": {"sent": 2, "failed_permanent": 1, "total": 3},
        "sms": {"sent": 1, "total": 1},
        "letter": {"sent": 2, "total": 2},
    }
    assert page.locator("#messages tbody tr[data-message]").count() == 6

    # The real SMTP server got one e-mail per accepted address, each with the person's own name; the
    # refused address got nothing, and nobody of the Beukenlaan got anything.
    assert sorted(address for rcpts, _content in smtp.messages for address in rcpts) == [
        "anna@example.test",
        "fenna@example.test",
    ]
    for person, language in ((anna, "nl"), (fenna, "en")):
        text = mail_text(smtp.to(person.email)[0])
        assert person.name in text and visit_date(person, language) in text and visit_time(person) in text
    assert [line["to"] for line in sms_lines(sms_dir)] == ["+31612345678"]

    # The letters for those without e-mail (Bram) and who want a letter (Dina): one real PDF.
    letters = page.locator("a[href^='/communication/letters/']")
    assert letters.count() == 1
    response = page.request.get(live_server.url + letters.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF-")
    assert pdf_pages(pdf) == LetterBatch.objects.get(campaign=campaign).pages >= 3  # cover + 2 letters
    text = squeeze(pdf_text(pdf))
    assert squeeze(bram.name) in text and squeeze(dina.name) in text
    assert squeeze(visit_date(bram, "nl")) in text and squeeze(visit_date(dina, "nl")) in text
    assert squeeze(anna.name) not in text  # she had her e-mail
    assert Message.objects.get(contact=bram).fallback == "no_email"

    # Bram's history, from the campaign page: the letter, sent.
    bram_letter = Message.objects.get(contact=bram)
    page.click(f"#messages a[href='{reverse('communication:person', args=[bram.pk])}']")
    page.wait_for_selector("#history")
    assert page.locator("#history [data-message]").evaluate_all("s => s.map(e => e.dataset.message)") == [
        str(bram_letter.pk)
    ]
    assert bram.name in page.locator(f"#history [data-message='{bram_letter.pk}']").inner_text()

    # Anna's history, from her home's timeline: the e-mail as sent, subject and all.
    anna_mail = Message.objects.get(contact=anna)
    page.goto(f"{live_server.url}{reverse('projects:dwelling', args=[project.slug, anna.dwelling_id])}")
    page.click(f"#timeline a[href='{reverse('communication:person', args=[anna.pk])}']")
    page.wait_for_selector("#history")
    entry = page.locator("#history [data-message]")
    assert entry.count() == 1 and entry.get_attribute("data-message") == str(anna_mail.pk)
    assert anna_mail.subject.strip() in entry.inner_text() and visit_date(anna, "nl") in anna_mail.subject

    # The same campaign sent again from the old form in the second tab: refused, nobody gets a second one.
    before = (
        Message.objects.count(),
        len(smtp.messages),
        len(sms_lines(sms_dir)),
        LetterBatch.objects.count(),
    )
    stale.click("#send-form [type=submit]")
    stale.wait_for_selector("[role=alert]")
    assert stale.url == draft_url
    assert stale.locator(".alert-danger").count() == 1
    assert stale.locator("#send-form").count() == 0 and stale.locator("#figures").count() == 1
    after = (
        Message.objects.count(),
        len(smtp.messages),
        len(sms_lines(sms_dir)),
        LetterBatch.objects.count(),
    )
    assert after == before == (6, 2, 1, 1)
    pairs = list(Message.objects.values_list("contact_id", "channel"))
    assert len(pairs) == len(set(pairs))
    stale.close()


def test_a_campaign_for_tomorrow_shows_its_progress_and_finishes_when_its_time_comes(
    page, live_server, street, smtp, sms_dir
):
    project, lead = street["project"], street["lead"]
    campaign = campaigns.campaign_create(
        actor=lead,
        project=project,
        name="",
        template_key="information_letter",
        filters={"streets": ["Lindelaan"]},
    )
    tomorrow_nine = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=1), datetime.time(9, 0))
    )
    log_in(page, live_server, lead)
    page.goto(f"{live_server.url}{reverse('communication:campaign', args=[campaign.pk])}")
    page.fill("#id_send_at", tomorrow_nine.strftime("%Y-%m-%dT%H:%M"))
    page.click("#send-form [type=submit]")

    # Waiting for its time: a progress bar that asks the server how far it is, and nothing sent yet.
    page.wait_for_selector("[data-job-status] [role=progressbar]")
    assert page.locator("[role=progressbar]").get_attribute("aria-valuenow") == "0"
    page.wait_for_function("document.querySelector('[data-job-label]').textContent.includes('0 / 0')")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED and campaign.send_at == tomorrow_nine
    assert Message.objects.count() == 0 and smtp.messages == []

    # Tomorrow at one past nine the minute sweep sends it; the open page sees it finish and reloads.
    with time_machine.travel(tomorrow_nine + datetime.timedelta(minutes=1), tick=True):
        assert tasks.campaigns_sweep_task() == 1
        page.wait_for_selector("[data-job-status]", state="detached", timeout=15000)
    page.wait_for_selector("#figures")
    assert sum(row["total"] for row in figures(page).values()) == 6
    assert len(smtp.messages) == 2
    # A second sweep (or one that comes twice) sends nobody anything more.
    assert tasks.campaigns_sweep_task() == 0
    assert Message.objects.count() == 6 and len(smtp.messages) == 2


def test_an_installer_cannot_message_residents_but_asks_to_inform_its_street(
    page, live_server, street, smtp, sms_dir
):
    project, lead, installer = street["project"], street["lead"], street["installer"]
    anna, bram, cor = street["people"][:3]
    # The installer comes to the first three homes of the Lindelaan on a day next week.
    day = next_monday() + datetime.timedelta(days=2)
    mine = [home.pk for home in street["homes"][:3]]
    Dwelling.objects.filter(pk__in=mine).update(
        state="installation_planned", installer=installer.organisation, installation_planned_on=day
    )

    log_in(page, live_server, installer)
    # No way to message residents: no link on the project page nor in communication, and the pages
    # themselves do not exist for the installer.
    page.goto(f"{live_server.url}{reverse('projects:detail', args=[project.slug])}")
    assert page.locator("#campaign-link").count() == 0
    assert page.locator("#request-link").count() == 1
    page.goto(f"{live_server.url}{reverse('communication:index')}")
    assert page.locator("#speaking").count() == 0 and page.locator("#asking").count() == 1
    assert page.locator("a[href*='/campaigns/new/']").count() == 0
    for name in ("campaign-create", "templates", "settings"):
        url = f"{live_server.url}{reverse(f'communication:{name}', args=[project.slug])}"
        assert page.goto(url).status == 404, name

    # In My week, the day's homes: ask the communicating party to inform their residents.
    page.goto(f"{live_server.url}{reverse('installations:my-week')}?week={next_monday().isoformat()}")
    ask = page.locator(f"form[data-inform-day='{day.isoformat()}']")
    assert sorted(
        int(v) for v in ask.locator("input[name=dwellings]").evaluate_all("s => s.map(e => e.value)")
    ) == sorted(mine)
    ask.locator("[type=submit]").click()
    page.wait_for_selector("[role=alert]")
    assert page.locator(".alert-success").count() == 1
    assert page.locator(f"form[data-inform-day='{day.isoformat()}']").count() == 1  # back in the same week
    request = MessageRequest.objects.get()
    assert request.status == RequestStatus.OPEN
    assert request.requested_by == installer.organisation and request.communicating_party == lead.organisation
    assert sorted(request.dwellings.values_list("pk", flat=True)) == sorted(mine)
    assert Message.objects.count() == 0 and smtp.messages == []  # asking sends nobody anything
    # The installer sees its own request, and still cannot handle it.
    page.goto(f"{live_server.url}{reverse('communication:index')}")
    assert page.locator(f"#requests tr[data-request='{request.pk}']").count() == 1
    page.goto(f"{live_server.url}{reverse('communication:request', args=[request.pk])}")
    assert page.locator("input[name=action]").count() == 0

    # The communicating party finds it in its queue, opens it and sends it to those residents.
    log_in(page, live_server, lead)
    page.goto(f"{live_server.url}{reverse('communication:index')}")
    page.click(f"#requests tr[data-request='{request.pk}'] a")
    page.wait_for_selector("#request-status")
    page.click("form:has(input[name=action][value=approve]) [type=submit]")
    page.wait_for_selector("#request-status a[href^='/communication/campaigns/']")
    request.refresh_from_db()
    assert request.status == RequestStatus.SENT
    sent = Message.objects.filter(campaign=request.campaign)
    assert sorted(sent.values_list("contact_id", "channel")) == sorted(
        [(anna.pk, "email"), (bram.pk, "letter"), (cor.pk, "sms")]
    )
    assert [rcpts for rcpts, _content in smtp.messages] == [["anna@example.test"]]
