"""A campaign of a few thousand recipients on real Celery worker processes and the real Redis of
``make test``; the worker is killed (SIGKILL) while it talks to the SMTP server about one message, and
another worker finishes. Every recipient then has exactly one message at the server and one row."""

import asyncio
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from communication.models import Campaign, CampaignStatus, Message, MessageStatus
from communication.services import campaigns
from projects.models import Contact, Dwelling
from tests.communication.conftest import _free_port
from tests.projects.test_jobs import Workers, needs_services

RECIPIENTS = 2000
SLOW = "langzaam@example.test"


class Server:
    """Counts what it accepted per recipient; holds the conversation about ``SLOW`` until released."""

    def __init__(self):
        self.accepted: dict[str, int] = {}
        self.lock = threading.Lock()
        self.slow_reached = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == SLOW and not self.slow_reached.is_set():
            self.slow_reached.set()
            await asyncio.sleep(60)  # the worker waits here for the answer, and is killed meanwhile
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for address in envelope.rcpt_tos:
                self.accepted[address] = self.accepted.get(address, 0) + 1
        return "250 Message accepted"


@pytest.mark.postgres
@needs_services
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_neither_loses_nor_repeats_a_message(tmp_path, lead_user, advised_project):
    project = advised_project
    homes = Dwelling.objects.bulk_create(
        [
            Dwelling(
                project=project,
                postcode=f"{1000 + n // 20} AA",
                house_number=n % 20 + 1,
                street=f"Straat {n // 100}",
                city="Amstelhoven",
                ownership="owner_occupied",
                dwelling_type="mid_terrace",
                state="informed",
            )
            for n in range(RECIPIENTS)
        ]
    )
    addresses = [SLOW if n == RECIPIENTS // 2 else f"bewoner{n}@example.test" for n in range(RECIPIENTS)]
    Contact.objects.bulk_create(
        [
            Contact(dwelling=home, role="owner", name=f"Bewoner {n}", email=addresses[n])
            for n, home in enumerate(homes)
        ]
    )
    campaign = campaigns.campaign_create(
        actor=lead_user,
        project=project,
        name="Informatiebrief",
        template_key="information_letter",
        filters={},
    )
    # What sending does before the worker takes over (the commit's task is sent to Redis below). No
    # time: the workers keep the real clock while ``--clock`` may move this process's.
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SCHEDULED, send_at=None)

    server = Server()
    port = _free_port()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    workers = Workers(tmp_path)
    workers.env.update(EMAIL_URL=f"smtp://127.0.0.1:{port}", CAMPAIGN_STALLED_AFTER_SECONDS="1")
    try:
        first = workers.start("first")
        workers.send("communication.tasks.campaign_dispatch_task", campaign.pk)
        assert server.slow_reached.wait(120), "the worker never reached the slow recipient"
        workers.kill(first)
        sent_before = Message.objects.filter(campaign=campaign, status=MessageStatus.SENT).count()
        assert 0 < sent_before < RECIPIENTS

        workers.start("second")
        deadline = time.monotonic() + 180
        while Campaign.objects.get(pk=campaign.pk).status != CampaignStatus.DONE:
            assert time.monotonic() < deadline, "the second worker did not finish the campaign"
            workers.send("communication.tasks.campaigns_sweep_task")  # what beat sends every minute
            time.sleep(2)
    finally:
        workers.stop()
        controller.stop()
        connection.close()

    rows = Message.objects.filter(campaign=campaign)
    assert rows.count() == RECIPIENTS
    assert rows.filter(status=MessageStatus.SENT).count() == RECIPIENTS
    assert server.accepted == dict.fromkeys(addresses, 1)
    figures = campaigns.figures(Campaign.objects.get(pk=campaign.pk))
    assert figures["total"] == figures["done"] == figures["per_status"][MessageStatus.SENT] == RECIPIENTS
