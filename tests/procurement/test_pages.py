"""The work package pages, as the lead party and the installer use them: a package is bundled from a
street, an offer refused with its reason and nothing changed, accepted by the installer, handed in part
to a subcontractor; to another installer and to the municipality none of it exists."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement.models import Certificate, PackageDwelling, PackageStatus, WorkPackage
from projects.models import Dwelling, OrganisationKind, Role
from tests.conftest import member_of, next_monday
from tests.factories import OrganisationFactory, ParticipationFactory, UserFactory
from tests.procurement.test_offers import agreed_homes, world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def url(world, name="list", number=None):  # noqa: F811
    args = [world["project"].slug] + ([number] if number is not None else [])
    return reverse(f"packages:{name}", args=args)


def test_the_lead_party_bundles_a_street_and_offers_it(client, world):  # noqa: F811
    agreed_homes(3, world["project"], street="Kwikstaartlaan")
    client.force_login(world["lead"])
    page = client.get(url(world))
    assert page.status_code == 200 and 'id="new-package"' in page.content.decode()
    response = client.post(
        url(world),
        {
            "name": "Kwikstaartlaan",
            "street": "Kwikstaartlaan",
            "cluster": "",
            "first_week": next_monday(4).isoformat(),
            "last_week": next_monday(5).isoformat(),
        },
    )
    package = WorkPackage.objects.get(name="Kwikstaartlaan")
    assert response.status_code == 302 and response["Location"] == url(world, "detail", package.number)
    assert set(
        PackageDwelling.objects.filter(package=package).values_list("dwelling__street", flat=True)
    ) == {"Kwikstaartlaan"}
    assert package.items.count() == 3


def test_a_refused_offer_shows_the_reason_in_dutch_and_changes_nothing(client, world):  # noqa: F811
    installer, package = world["installer"], world["package"]
    Certificate.objects.filter(organisation=installer).update(valid_until=next_monday(2))
    client.force_login(world["lead"])
    response = client.post(url(world, "offer", package.number), {"installer": installer.pk, "version": 1})
    assert response.status_code == 400
    assert "is geldig tot en met" in response.content.decode()
    assert WorkPackage.objects.get(pk=package.pk).status == PackageStatus.DRAFT


def test_the_installer_accepts_and_hands_three_dwellings_to_a_subcontractor(client, world):  # noqa: F811
    package = world["package"]
    client.force_login(world["lead"])
    response = client.post(
        url(world, "offer", package.number), {"installer": world["installer"].pk, "version": 1}
    )
    assert response.status_code == 302
    coordinator = UserFactory(organisation=world["installer"])
    client.force_login(coordinator)
    detail = client.get(url(world, "detail", package.number)).content.decode()
    assert 'id="accept"' in detail and "Merelstraat" in detail
    # A stale form (an older version) says why and changes nothing.
    stale = client.post(url(world, "accept", package.number), {"version": 1})
    assert [m.level_tag for m in get_messages(stale.wsgi_request)] == ["warning"]
    assert WorkPackage.objects.get(pk=package.pk).status == PackageStatus.OFFERED
    client.post(url(world, "accept", package.number), {"version": 2})
    assert WorkPackage.objects.get(pk=package.pk).status == PackageStatus.ACCEPTED
    assert Dwelling.objects.filter(pk__in=[h.pk for h in world["homes"]], state="assigned").count() == 8

    sub = OrganisationFactory(kind=OrganisationKind.INSTALLER)
    ParticipationFactory(project=world["project"], organisation=sub, role=Role.SUBCONTRACTOR)
    handed = [home.pk for home in world["homes"][:3]]
    response = client.post(url(world, "hand", package.number), {"dwellings": handed, "subcontractor": sub.pk})
    assert response.status_code == 302
    sub_user = UserFactory(organisation=sub)
    client.force_login(sub_user)
    page = client.get(url(world, "detail", package.number))
    assert page.status_code == 200
    assert {item.dwelling_id for item in page.context["items"]} == set(handed)


def test_another_installer_and_the_municipality_see_nothing(client, world):  # noqa: F811
    package = world["package"]
    client.force_login(world["lead"])
    client.post(url(world, "offer", package.number), {"installer": world["installer"].pk, "version": 1})
    other = member_of(world["project"], OrganisationKind.INSTALLER, Role.INSTALLER)
    municipality = member_of(world["project"], OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY)
    for person in (other, municipality):
        client.force_login(person)
        assert client.get(url(world)).status_code == 404
        assert client.get(url(world, "detail", package.number)).status_code == 404
        assert client.post(url(world, "accept", package.number), {"version": 2}).status_code == 404
    assert WorkPackage.objects.get(pk=package.pk).status == PackageStatus.OFFERED


def test_the_package_list_takes_the_same_queries_for_2_as_for_12_packages(client, world):  # noqa: F811
    client.force_login(world["lead"])
    from procurement.services import package_create

    def add(count):
        for n in range(count):
            homes = agreed_homes(2, world["project"])
            package_create(
                actor=world["lead"],
                project=world["project"],
                name=f"Blok {n}",
                dwelling_ids=[h.pk for h in homes],
                first_week=next_monday(1),
                last_week=next_monday(1) + datetime.timedelta(weeks=1),
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(world)).status_code == 200
        return len(captured)

    add(1)
    few = queries()
    add(10)
    assert queries() == few


def test_the_package_list_takes_the_same_queries_for_10_as_for_5000_dwellings(client, world):  # noqa: F811
    """The issue's figure: a package of 10 dwellings or one of 5,000, the list costs the same."""
    from procurement.models import PackageDwelling
    from projects.models import Dwelling

    package = world["package"]
    client.force_login(world["lead"])

    def grow_to(count):
        have = PackageDwelling.objects.filter(package=package).count()
        homes = Dwelling.objects.bulk_create(
            Dwelling(
                project=world["project"],
                street="Spreeuwstraat",
                house_number=10_000 + have + n,
                state="agreed",
            )
            for n in range(count - have)
        )
        PackageDwelling.objects.bulk_create(PackageDwelling(package=package, dwelling=home) for home in homes)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url(world))
        assert page.status_code == 200
        return len(captured), page.content.decode()

    grow_to(10)
    few, _page = queries()
    grow_to(5000)
    many, page = queries()
    assert many == few
    assert "5000" in page.replace(".", "").replace(",", "")  # the package's size is shown
