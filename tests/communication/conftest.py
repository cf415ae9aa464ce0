"""A real SMTP server on loopback (aiosmtpd) and a project whose communicating party sends."""

import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from projects.models import OrganisationKind, Role
from tests.conftest import member_of
from tests.factories import ContactFactory, DwellingFactory


class Inbox:
    """Keeps what the server accepted; refuses every recipient whose address starts with ``refuse``."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 Message accepted"

    def to(self, address):
        return [content for rcpts, content in self.messages if address in rcpts]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.fixture
def sms_dir(settings, tmp_path):
    settings.SMS_BACKEND = "communication.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    return tmp_path / "sms"


@pytest.fixture
def street(advised_project, lead_user):
    """Six homes on the Lindelaan and two elsewhere, with owners who prefer different channels."""
    project = advised_project
    homes = [
        DwellingFactory(project=project, street="Lindelaan", house_number=n, state="informed")
        for n in range(2, 8)
    ]
    elsewhere = [
        DwellingFactory(project=project, street="Beukenlaan", house_number=n, state="informed")
        for n in (1, 3)
    ]
    people = [
        ContactFactory(dwelling=homes[0], name="Anna de Vries", email="anna@example.test"),
        ContactFactory(dwelling=homes[1], name="Bram Jansen", email="", preferred_channel="email"),
        ContactFactory(dwelling=homes[2], name="Cor Smit", preferred_channel="sms", phone="06 12 34 56 78"),
        ContactFactory(dwelling=homes[3], name="Dina Bakker", preferred_channel="letter"),
        ContactFactory(dwelling=homes[4], name="Eva Visser", email="refuse@example.test"),
        ContactFactory(dwelling=homes[5], name="Fenna Mulder", email="fenna@example.test", language="en"),
        ContactFactory(dwelling=elsewhere[0], name="Gerrit Bos", email="gerrit@example.test"),
        ContactFactory(dwelling=elsewhere[1], name="Hanna Dekker", email="hanna@example.test"),
    ]
    homes[3].extra_care = True
    homes[3].save(update_fields=["extra_care"])
    installer = member_of(project, OrganisationKind.INSTALLER, Role.INSTALLER)
    municipality = member_of(project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY)
    return {
        "project": project,
        "homes": homes,
        "elsewhere": elsewhere,
        "people": people,
        "lead": lead_user,
        "installer": installer,
        "municipality": municipality,
    }
