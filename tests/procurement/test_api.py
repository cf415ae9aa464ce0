"""The work packages API: the same rules as the pages, in the API's terms (400 with the reason, 409 for a
stale version, 404 outside your view)."""

import pytest

from procurement.models import Certificate, PackageStatus, WorkPackage
from projects.models import Dwelling, OrganisationKind, Role
from tests.conftest import member_of, next_monday
from tests.factories import UserFactory
from tests.procurement.test_offers import world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db

API = "/api/v1/packages/"


def test_the_lead_party_offers_and_a_refusal_names_its_reason(client, world):  # noqa: F811
    package, installer = world["package"], world["installer"]
    client.force_login(world["lead"])
    listed = client.get(API, {"project": world["project"].slug}).json()
    assert [row["number"] for row in listed["results"]] == [1]
    detail = client.get(f"{API}{package.pk}/").json()
    assert (detail["status"], detail["size"], len(detail["dwellings"])) == ("draft", 8, 8)

    Certificate.objects.filter(organisation=installer).update(valid_until=next_monday(2))
    refused = client.post(f"{API}{package.pk}/offer/", {"installer": installer.pk, "version": 1})
    assert refused.status_code == 400
    assert "is geldig tot en met" in refused.json()["installer"][0]
    assert WorkPackage.objects.get(pk=package.pk).status == PackageStatus.DRAFT

    Certificate.objects.filter(organisation=installer).update(valid_until=next_monday(60))
    offered = client.post(f"{API}{package.pk}/offer/", {"installer": installer.pk, "version": 1})
    assert offered.status_code == 200
    assert (offered.json()["status"], offered.json()["version"]) == ("offered", 2)


def test_the_installer_accepts_with_the_version_it_read(client, world):  # noqa: F811
    package = world["package"]
    client.force_login(world["lead"])
    client.post(f"{API}{package.pk}/offer/", {"installer": world["installer"].pk, "version": 1})
    client.force_login(UserFactory(organisation=world["installer"]))
    stale = client.post(f"{API}{package.pk}/accept/", {"version": 1})
    assert stale.status_code == 409
    accepted = client.post(f"{API}{package.pk}/accept/", {"version": 2})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert Dwelling.objects.filter(pk__in=[h.pk for h in world["homes"]], state="assigned").count() == 8
    again = client.post(f"{API}{package.pk}/accept/", {"version": 3})
    assert again.status_code == 409


def test_outside_its_view_a_package_does_not_exist(client, world):  # noqa: F811
    package = world["package"]
    client.force_login(world["lead"])
    client.post(f"{API}{package.pk}/offer/", {"installer": world["installer"].pk, "version": 1})
    for person in (
        member_of(world["project"], OrganisationKind.INSTALLER, Role.INSTALLER),
        member_of(world["project"], OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY),
    ):
        client.force_login(person)
        assert client.get(API).json()["count"] == 0
        assert client.get(f"{API}{package.pk}/").status_code == 404
        assert client.post(f"{API}{package.pk}/accept/", {"version": 2}).status_code == 404
    assert WorkPackage.objects.get(pk=package.pk).status == PackageStatus.OFFERED
