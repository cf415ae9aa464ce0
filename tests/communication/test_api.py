"""The read API of messages and campaigns: the pages' scope, filters, figures, and a list that takes
the same number of queries for few rows as for many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from communication.models import Message
from tests.communication.test_campaigns import _send
from tests.conftest import member_of
from tests.factories import ContactFactory, DwellingFactory


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def sent(street, smtp, sms_dir, django_capture_on_commit_callbacks):
    return _send(street, django_capture_on_commit_callbacks)


@pytest.mark.django_db
def test_the_communicating_party_reads_messages_with_their_content_and_filters(street, sent):
    api = _client(street["lead"])
    answer = api.get("/api/v1/messages/", {"project": street["project"].slug})
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert {row["recipient_name"] for row in rows} == {
        "Anna de Vries",
        "Bram Jansen",
        "Cor Smit",
        "Dina Bakker",
        "Eva Visser",
        "Fenna Mulder",
    }
    anna = next(row for row in rows if row["recipient_name"] == "Anna de Vries")
    message = Message.objects.get(reference=anna["reference"])
    assert anna["body"] == message.body and anna["campaign"] == sent.pk and anna["status"] == "sent"

    letters = api.get("/api/v1/messages/", {"channel": "letter", "campaign": sent.pk}).json()["results"]
    assert {row["recipient_name"] for row in letters} == {"Bram Jansen", "Dina Bakker"}
    assert {row["fallback"] for row in letters} == {"no_email", ""}
    failed = api.get("/api/v1/messages/", {"status": "failed_permanent"}).json()["results"]
    assert [row["address"] for row in failed] == ["refuse@example.test"]
    person = street["people"][0]
    of_anna = api.get("/api/v1/messages/", {"person": person.pk}).json()["results"]
    assert [row["recipient_name"] for row in of_anna] == ["Anna de Vries"]
    assert api.get("/api/v1/messages/", {"dwelling": "x"}).json()["results"] == []

    detail = api.get(f"/api/v1/messages/{message.pk}/")
    assert detail.status_code == 200 and detail.json()["reference"] == str(message.reference)


@pytest.mark.django_db
def test_a_campaign_has_its_figures_per_status_and_channel(street, sent):
    api = _client(street["lead"])
    listed = api.get("/api/v1/campaigns/", {"project": street["project"].slug}).json()["results"]
    total = Message.objects.filter(campaign=sent).count()
    # Eva's address was refused by the server; nothing waits any more.
    assert [(row["id"], row["messages"], row["failed"], row["waiting"]) for row in listed] == [
        (sent.pk, total, 1, 0)
    ]
    detail = api.get(f"/api/v1/campaigns/{sent.pk}/").json()
    figures = detail["figures"]
    assert sum(figures["per_channel"].values()) == Message.objects.filter(campaign=sent).count()
    assert figures["per_channel"]["email"] == Message.objects.filter(campaign=sent, channel="email").count()
    assert figures["table"]["email"]["failed_permanent"] == 1
    assert detail["status"] == "done"


@pytest.mark.django_db
def test_outside_the_scope_a_message_or_campaign_does_not_exist(street, sent, outsider_project):
    message = Message.objects.filter(campaign=sent).first()
    outsider = member_of(outsider_project, "heat_company", "lead")
    for user in (street["municipality"], street["installer"], outsider):
        api = _client(user)
        assert api.get("/api/v1/messages/").json()["results"] == []
        assert api.get(f"/api/v1/messages/{message.pk}/").status_code == 404
    # The installer and the outsider do not see the campaign; the municipality sees counts elsewhere only.
    for user in (street["installer"], outsider, street["municipality"]):
        api = _client(user)
        assert api.get("/api/v1/campaigns/").json()["results"] == []
        assert api.get(f"/api/v1/campaigns/{sent.pk}/").status_code == 404
    # Read only: no way to write a message or a campaign through the API.
    lead = _client(street["lead"])
    assert lead.post("/api/v1/campaigns/", {"name": "x"}).status_code == 405
    assert lead.delete(f"/api/v1/messages/{message.pk}/").status_code == 405
    assert APIClient().get("/api/v1/messages/").status_code in (401, 403)


def _campaign_of(street, homes, django_capture_on_commit_callbacks):
    for n in range(homes):
        ContactFactory(
            dwelling=DwellingFactory(project=street["project"], street="Lindelaan", house_number=100 + n),
            email=f"extra{n}@example.test",
        )
    return _send(street, django_capture_on_commit_callbacks)


@pytest.mark.django_db
def test_the_lists_take_as_many_queries_for_few_rows_as_for_many(
    street, smtp, sms_dir, django_capture_on_commit_callbacks
):
    api = _client(street["lead"])

    def count(path):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(path, {"page_size": 100}).status_code == 200
        return len(queries)

    _campaign_of(street, 0, django_capture_on_commit_callbacks)
    few = count("/api/v1/messages/"), count("/api/v1/campaigns/")
    for _ in range(3):
        _campaign_of(street, 15, django_capture_on_commit_callbacks)
    assert Message.objects.count() > 45
    assert (count("/api/v1/messages/"), count("/api/v1/campaigns/")) == few


@pytest.mark.django_db
def test_the_dwelling_page_links_each_person_to_their_history(client, street, sent):
    from django.urls import reverse

    home = street["homes"][0]
    url = reverse("projects:dwelling", args=[street["project"].slug, home.pk])
    client.force_login(street["lead"])
    page = client.get(url).content.decode()
    anna = street["people"][0]
    assert f'data-person="{anna.pk}" data-count="1"' in page
    history = reverse("communication:person", args=[anna.pk])
    assert f'href="{history}"' in page
    assert client.get(history).status_code == 200
    # Neither the municipality nor an installer without work there reaches the home or the person.
    for outsider in (street["municipality"], street["installer"]):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.get(history).status_code == 404
