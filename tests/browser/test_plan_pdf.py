"""Acceptance, as a new user would try it: the lead party has the connection plan made and opens the
PDF; the installer of the dwelling opens the installer version and cannot open the full one."""

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import OrganisationKind, Role
from surveys.models import ConnectionPlan
from tests.browser.test_dwelling_walk import log_in
from tests.factories import (
    ContactFactory,
    DwellingFactory,
    OrganisationFactory,
    ParticipationFactory,
    UserFactory,
    fill_survey,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_lead_makes_and_opens_the_plan_and_the_installer_gets_its_version(page, live_server, advised_project):
    lead = UserFactory(organisation=advised_project.participations.get(role=Role.LEAD).organisation)
    installer_org = OrganisationFactory(kind=OrganisationKind.INSTALLER, name="Installatiebedrijf Warmvast")
    ParticipationFactory(project=advised_project, organisation=installer_org, role=Role.INSTALLER)
    installer = UserFactory(organisation=installer_org)
    dwelling = DwellingFactory(
        project=advised_project,
        street="Berkenlaan",
        house_number=7,
        state="assigned",
        installer=installer_org,
        survey_completed_at=timezone.now(),
        plan_approved_at=timezone.now(),
    )
    ContactFactory(dwelling=dwelling, role="owner", name="Mevrouw Zwanenbloem")
    fill_survey(dwelling, by=lead)
    url = f"{live_server.url}{reverse('projects:dwelling', args=[advised_project.slug, dwelling.pk])}"

    log_in(page, live_server, lead)
    page.goto(url)
    assert page.locator("#plans").is_visible()
    page.click("#plan-make")
    page.wait_for_url("**#plans")
    versions = page.locator("#plan-versions [data-plan]")
    assert versions.count() == 2
    link = page.locator("#plan-versions [data-variant='full'] a")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="aansluitplan-berkenlaan-7-v1.pdf"'
    assert response.body().startswith(b"%PDF")
    assert page.locator("#timeline [data-kind='document']").count() == 2

    full = ConnectionPlan.objects.get(dwelling=dwelling, variant="full")
    log_in(page, live_server, installer)
    page.goto(url)
    assert page.locator("#plan-versions [data-plan]").count() == 1
    assert page.locator("#plan-versions [data-variant='installer']").count() == 1
    assert page.locator("#plan-make").count() == 0
    mine = page.locator("#plan-versions [data-variant='installer'] a").get_attribute("href")
    assert page.request.get(live_server.url + mine).status == 200
    assert page.request.get(f"{live_server.url}{reverse('plans:file', args=[full.pk])}").status == 404
