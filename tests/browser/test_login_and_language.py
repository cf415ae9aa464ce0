"""As a new user would: log in, see the projects with governance and advice, switch language."""

import pytest

from projects.models import OrganisationKind, Role
from tests.factories import PASSWORD, OrganisationFactory, ParticipationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_log_in_see_advice_switch_to_english_and_back(page, live_server, advised_project):
    lead = advised_project.participations.get(role=Role.LEAD).organisation
    user = UserFactory(organisation=lead, email="sanne@warmte.test")
    advised_project.governance.responsibility_boundary = "facade"
    advised_project.governance.save()

    page.goto(f"{live_server.url}/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/projects/")
    assert page.locator("h1").inner_text() == "Mijn projecten"

    page.click(f"[data-project='{advised_project.slug}']")
    page.wait_for_url(f"**/projects/{advised_project.slug}/")
    advisory = page.locator("[data-advisory='boundary_facade']")
    assert "gevel" in advisory.inner_text()

    page.click("#language-form button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "facade" in page.locator("[data-advisory='boundary_facade']").inner_text()

    page.click("#language-form button[value=nl]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "gevel" in page.locator("[data-advisory='boundary_facade']").inner_text()


def test_wrong_password_is_refused_in_dutch(page, live_server, db):
    UserFactory(email="jan@warmte.test", organisation=OrganisationFactory(kind=OrganisationKind.MUNICIPALITY))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "jan@warmte.test")
    page.fill("#id_password", "verkeerd")
    page.click("#login-submit")
    assert "wachtwoord" in page.locator(".alert-danger").inner_text().lower()


def test_other_project_is_not_found_for_a_municipality(page, live_server, advised_project, outsider_project):
    municipality = OrganisationFactory(kind=OrganisationKind.MUNICIPALITY)
    ParticipationFactory(project=advised_project, organisation=municipality, role=Role.MUNICIPALITY)
    user = UserFactory(organisation=municipality)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/projects/")
    response = page.goto(f"{live_server.url}/projects/{outsider_project.slug}/")
    assert response.status == 404
