import pytest
from django.core.management import call_command

from projects.advisories import advise
from projects.models import Organisation, OrganisationKind, Participation, Project, SubTeam, User
from projects.selectors import project_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def counts():
    return [m.objects.count() for m in (Organisation, User, Project, Participation, SubTeam)]


def test_second_run_adds_nothing(demo):
    before = counts()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == before


def test_one_login_per_party_kind(demo):
    kinds = set(User.objects.values_list("organisation__kind", flat=True))
    assert kinds == set(OrganisationKind.values)


def test_heat_company_sees_both_projects_with_advisories(demo):
    user = User.objects.get(email="warmtebedrijf@demo.test")
    projects = {p.slug: p for p in project_list(user=user)}
    assert set(projects) == {"warmtenet-tuindorp-oost", "buurtwarmte-lindewijk"}
    good = {a.code for a in advise(projects["warmtenet-tuindorp-oost"])}
    poor = {a.code for a in advise(projects["buurtwarmte-lindewijk"])}
    assert len(good) <= 2  # the area project follows the advice, bar the cooperative's capacity
    assert {
        "lead_shared",
        "boundary_facade",
        "collaboration_unsigned",
        "installers_separate",
        "survey_selection_private",
        "procurement_ad_hoc",
        "communication_dispersed",
        "stakeholder_grid_operator",
    } <= poor


def test_municipality_of_one_project_gets_404_on_the_other(demo, client):
    client.force_login(User.objects.get(email="gemeente@demo.test"))
    assert client.get("/projects/warmtenet-tuindorp-oost/").status_code == 200
    assert client.get("/projects/buurtwarmte-lindewijk/").status_code == 404
    assert client.get("/api/v1/projects/buurtwarmte-lindewijk/").status_code == 404


def test_demo_history_is_in_the_governance_log(demo, client):
    client.force_login(User.objects.get(email="warmtebedrijf@demo.test"))
    log = client.get("/api/v1/projects/warmtenet-tuindorp-oost/governance-log/").json()
    changes = [entry["changes"] for entry in log["results"] if "collaboration" in entry["changes"]]
    assert ["informal", "formal"] in [c["collaboration"] for c in changes]
