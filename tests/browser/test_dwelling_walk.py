"""Acceptance, as the users of the parties would do it: one dwelling from registered to connected."""

import datetime

import pytest

from projects.models import Dwelling, DwellingTransition, OrganisationKind, Role
from tests.conftest import next_monday
from tests.factories import (
    PASSWORD,
    ContactFactory,
    DwellingFactory,
    OrganisationFactory,
    ParticipationFactory,
    UserFactory,
    fill_survey,
)

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/projects/")


def do(page, move, **fields):
    """Open the move on the dwelling page, fill its fields and submit."""
    action = page.locator(f"[data-action='{move}']")
    if not action.evaluate("details => details.open"):
        action.locator("summary").click()
    for name, value in fields.items():
        selector = f"[name='{move}-{name}']"
        element = action.locator(selector)
        tag = element.evaluate("e => e.tagName.toLowerCase()")
        kind = element.get_attribute("type")
        if tag == "select":
            element.select_option(value)
        elif kind == "file":
            element.set_input_files(value)
        else:
            element.fill(value)
    action.locator("button[type=submit]").click()
    page.wait_for_load_state()


def state(page):
    return page.locator("#dwelling-state").get_attribute("data-state")


def test_one_dwelling_from_registered_to_connected(page, live_server, advised_project, tmp_path):
    project = advised_project
    heat = project.participations.get(role=Role.LEAD).organisation
    ParticipationFactory(project=project, organisation=heat, role=Role.SURVEY_PARTY)
    lead = UserFactory(organisation=heat, email="lead@warmte.test")
    cooperative = OrganisationFactory(kind=OrganisationKind.HEAT_COOPERATIVE)
    ParticipationFactory(project=project, organisation=cooperative, role=Role.COMMUNICATING_PARTY)
    communicator = UserFactory(organisation=cooperative, email="coop@warmte.test")
    installer_org = project.participations.get(role=Role.MAIN_CONTRACTOR).organisation
    installer = UserFactory(organisation=installer_org, email="installer@warmte.test")
    dwelling = DwellingFactory(project=project, street="Lindelaan", house_number=7)
    ContactFactory(dwelling=dwelling, name="Fam. Bakker")
    fill_survey(dwelling, by=lead)  # filled on the tablet (tests/browser/test_survey_offline.py)
    url = f"{live_server.url}/projects/{project.slug}/dwellings/{dwelling.pk}/"
    pdf = tmp_path / "overeenkomst.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% signed\n")
    today = datetime.date.today().isoformat()

    # The installer cannot do anything with a dwelling that is not assigned to it: it does not exist.
    log_in(page, live_server, installer)
    assert page.goto(url).status == 404

    log_in(page, live_server, communicator)
    page.goto(url)
    do(page, "inform", reason="Eerste bewonersbrief")
    assert state(page) == "informed"
    # A move this party may not make is not even offered.
    assert page.locator("[data-action='approve_plan']").count() == 0

    log_in(page, live_server, lead)
    page.goto(url)
    do(page, "plan_survey", surveyor=str(lead.pk), appointment_at=f"{next_monday().isoformat()}T10:00")
    assert state(page) == "survey_planned"
    do(page, "record_survey")
    do(page, "approve_plan")
    assert state(page) == "plan_ready"

    log_in(page, live_server, communicator)
    page.goto(url)
    do(
        page,
        "record_agreement",
        signatory="landlord",
        signatory_name="J. Bakker",
        signed_on=today,
        document=str(pdf),
    )
    # The wrong signatory for an owner-occupied home is refused with a clear message.
    assert state(page) == "plan_ready"
    assert page.locator(".invalid-feedback").count() >= 1
    do(
        page,
        "record_agreement",
        signatory="owner_occupier",
        signatory_name="J. Bakker",
        signed_on=today,
        document=str(pdf),
    )
    assert state(page) == "agreed"

    log_in(page, live_server, lead)
    page.goto(url)
    do(page, "assign", installer=str(installer_org.pk))
    assert state(page) == "assigned"

    log_in(page, live_server, installer)
    page.goto(url)
    do(page, "plan_installation", planned_on=today)
    do(page, "report_installed", installed_on=today)
    assert state(page) == "installed"

    log_in(page, live_server, lead)
    page.goto(url)
    do(page, "confirm_connection", connected_on=today)
    assert state(page) == "connected"
    timeline = page.locator("#timeline").inner_text()
    assert "Eerste bewonersbrief" in timeline

    moves = list(DwellingTransition.objects.filter(dwelling=dwelling).values_list("transition", flat=True))
    assert moves == [
        "inform",
        "plan_survey",
        "record_survey",
        "approve_plan",
        "record_agreement",
        "assign",
        "plan_installation",
        "report_installed",
        "confirm_connection",
    ]
    assert Dwelling.objects.get(pk=dwelling.pk).state == "connected"
