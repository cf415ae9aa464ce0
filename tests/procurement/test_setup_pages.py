"""Agreements, pools and a project's pool in pages, through the same services as the admin: the
contracting party's coordinator keeps its own, another organisation's do not exist for it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.models import FrameworkAgreement, Pool, ProjectProcurement
from projects.models import OrganisationKind, Role
from tests.conftest import member_of
from tests.procurement.test_offers import installer_in

pytestmark = pytest.mark.django_db


def test_the_lead_party_makes_an_agreement_a_pool_and_chooses_them_for_its_project(
    advised_project, lead_user, client
):
    installer = installer_in(advised_project, name="Installatiebedrijf Vonk")
    client.force_login(lead_user)
    today = timezone.localdate()
    response = client.post(
        reverse("agreements:add"),
        {
            "reference": "RO-2027-01",
            "installer": installer.pk,
            "scope": "installation",
            "starts_on": (today - datetime.timedelta(days=1)).isoformat(),
            "ends_on": (today + datetime.timedelta(days=700)).isoformat(),
            "status": "active",
            "required_certificates": ["heat_network"],
            "rate_delivery_set": "1450,00",
            "rate_indoor_pipes": "68,50",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = FrameworkAgreement.objects.get(reference="RO-2027-01")
    assert agreement.contracting_party == lead_user.organisation
    assert sorted(agreement.rates.values_list("work", "unit")) == [
        ("delivery_set", "piece"),
        ("indoor_pipes", "metre"),
    ]
    response = client.post(
        reverse("agreements:pool-add"), {"name": "Pool Noord", "agreements": [agreement.pk]}
    )
    assert response.status_code == 302
    pool = Pool.objects.get(name="Pool Noord")
    response = client.post(
        reverse("agreements:project", args=[advised_project.slug]),
        {"pool": pool.pk, "main_contractor": installer.pk},
    )
    assert response.status_code == 302
    choice = ProjectProcurement.objects.get(project=advised_project)
    assert (choice.pool, choice.main_contractor) == (pool, installer)
    page = client.get(reverse("agreements:list")).content.decode()
    assert 'data-agreement="RO-2027-01"' in page and "Pool Noord" in page


def test_another_organisations_agreement_does_not_exist_and_an_installer_keeps_none(
    advised_project, lead_user, client
):
    installer = installer_in(advised_project)
    agreement = FrameworkAgreement.objects.create(
        reference="RO-X",
        contracting_party=lead_user.organisation,
        installer=installer,
        scope="both",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    other_lead = member_of(advised_project, OrganisationKind.HOUSING_ASSOCIATION, Role.HOUSING_ASSOCIATION)
    client.force_login(other_lead)
    assert client.get(reverse("agreements:edit", args=[agreement.pk])).status_code == 404
    assert "RO-X" not in client.get(reverse("agreements:list")).content.decode()
    assert client.get(reverse("agreements:project", args=[advised_project.slug])).status_code == 404
