"""The demo: its parties and logins with their work roles, the connection plans of its homes, the
subcontractor's work, and a second run that changes nothing."""

import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from demo.parties import USERS
from procurement.models import Pool, ProjectProcurement, WorkPackage
from projects.advisories import advise
from projects.models import (
    Dwelling,
    DwellingTransition,
    Organisation,
    OrganisationKind,
    Participation,
    Project,
    SubTeam,
    User,
    WorkRole,
)
from projects.permissions import dwellings_visible_to
from projects.selectors import project_list
from projects.services.dwellings import available_transitions
from projects.states import MAIN_PATH, DwellingState
from surveys.models import ConnectionPlan, PlanVariant, Survey, SurveySlot, Visit

pytestmark = pytest.mark.django_db

S = DwellingState
TUINDORP = "warmtenet-tuindorp-oost"
PLAN_READY_OR_LATER = MAIN_PATH[MAIN_PATH.index(S.PLAN_READY) :]
# What WeasyPrint would make; the PDF itself has its tests in tests/surveys.
FAKE_PDF = b"%PDF-1.4\n% a demo plan\n%%EOF\n"


def demo(*args) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _debug(settings):
    settings.DEBUG = True


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo with its plans, loaded once for this module; every test runs (and is rolled back)
    inside it. The demo makes the plans once its data is committed; here that moment is played by
    running the on-commit callbacks. They go through the plan service as in a real run, all but
    WeasyPrint's rendering, which would take minutes: a stub makes the PDF's bytes."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            DEBUG=True,
            MEDIA_ROOT=media,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        pytest.MonkeyPatch.context() as patch,
        transaction.atomic(),
    ):
        patch.setattr("surveys.plans.services.rendering.html_to_pdf", lambda html, **kwargs: FAKE_PDF)
        out = io.StringIO()
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("demo", stdout=out, stderr=out)
        yield SimpleNamespace(output=out.getvalue(), media=media)
        transaction.set_rollback(True)


def user(email) -> User:
    return User.objects.get(email=email)


def snapshot():
    counts = [
        model.objects.count()
        for model in (
            Organisation,
            User,
            Project,
            Participation,
            SubTeam,
            Dwelling,
            DwellingTransition,
            Visit,
            Survey,
            SurveySlot,
            ConnectionPlan,
        )
    ]
    roles = dict(User.objects.values_list("email", "work_roles"))
    states = dict(Dwelling.objects.values("state").annotate(n=Count("pk")).values_list("state", "n"))
    return counts, roles, states


def test_the_first_run_says_what_it_made(loaded):
    output = loaded.output
    assert "Created demo projects" in output
    homes = Dwelling.objects.filter(plan_approved_at__isnull=False).count()
    assert f"Making the connection plans of {homes} homes in 1 process " in output
    assert f"connection plans: {homes} of {homes} homes" in output
    assert "failed" not in output
    assert "nothing added" not in output.lower()


def test_second_run_changes_nothing(loaded, django_capture_on_commit_callbacks):
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True) as plans:
        output = demo()
    assert len(plans) == 1  # the plans were looked at, and none was missing
    assert "nothing added" in output
    assert "connection plans" not in output
    assert snapshot() == before


# --- People and their work ---------------------------------------------------------------------


def test_one_login_per_party_kind(loaded):
    kinds = set(User.objects.values_list("organisation__kind", flat=True))
    assert kinds == set(OrganisationKind.values)


def test_each_demo_login_has_its_roles(loaded):
    W = WorkRole
    roles = {row.email: user(row.email).work_roles for row in USERS}
    assert len(roles) == len(USERS) == User.objects.count()
    assert roles["warmtebedrijf@demo.test"] == [W.ADMINISTRATOR, W.COORDINATOR]
    assert roles["planner@demo.test"] == [W.PLANNER]
    assert roles["schouwer@demo.test"] == [W.FIELD_WORKER]
    assert roles["meelezer@demo.test"] == [W.READ_ONLY]
    assert W.COMMUNICATION in roles["cooperatie@demo.test"]
    assert {W.COORDINATOR, W.PLANNER} <= set(roles["installateur@demo.test"])
    assert roles["monteur@demo.test"] == [W.FIELD_WORKER]
    assert W.PLANNER in roles["onderaannemer@demo.test"]
    assert roles["gemeente@demo.test"] == [W.READ_ONLY]
    # Every login can log in with the published password, and only the heat company's may open the admin.
    assert all(user(email).check_password("warmte-demo-2026") for email in roles)
    assert list(User.objects.filter(is_staff=True).values_list("email", flat=True)) == [
        "warmtebedrijf@demo.test"
    ]


def test_the_field_worker_sees_only_the_homes_planned_for_him(loaded):
    surveyor = user("schouwer@demo.test")
    visible = dwellings_visible_to(surveyor)
    assert set(visible) == set(Dwelling.objects.filter(surveyor=surveyor))
    assert visible.filter(state=S.SURVEY_PLANNED).count() == 5
    assert visible.count() < dwellings_visible_to(user("warmtebedrijf@demo.test")).count() / 50
    # The main contractor's technician: the installations its planner planned for him, nothing else.
    technician = user("monteur@demo.test")
    his = dwellings_visible_to(technician)
    assert his.count() == 4
    assert set(his) == set(Dwelling.objects.filter(technician=technician))
    assert {home.state for home in his} == {S.INSTALLATION_PLANNED}
    assert {home.installer.slug for home in his} == {"installatiebedrijf-van-dijk"}


def test_the_planner_plans_the_surveyors_visits(loaded):
    surveyor = user("schouwer@demo.test")
    planned_by = set(
        DwellingTransition.objects.filter(dwelling__surveyor=surveyor, transition="plan_survey").values_list(
            "actor__email", flat=True
        )
    )
    assert planned_by == {"planner@demo.test"}
    assert SurveySlot.objects.filter(surveyor=surveyor, published=True).exists()


def test_the_read_only_colleague_reads_everything_and_changes_nothing(loaded, client):
    reader, lead = user("meelezer@demo.test"), user("warmtebedrijf@demo.test")
    assert dwellings_visible_to(reader).count() == dwellings_visible_to(lead).count()
    for state in (S.INFORMED, S.SURVEYED, S.INSTALLED):
        home = Dwelling.objects.filter(project__slug=TUINDORP, state=state).first()
        assert available_transitions(reader, home) == []
        assert available_transitions(lead, home) != []
    client.force_login(reader)
    home = Dwelling.objects.filter(project__slug=TUINDORP, state=S.SURVEYED).first()
    url = reverse("projects:dwelling-move", args=[TUINDORP, home.pk, "approve_plan"])
    client.post(url, {"approve_plan-expected_state": S.SURVEYED})
    home.refresh_from_db()
    assert home.state == S.SURVEYED


def test_the_subcontractor_sees_homes_assigned_to_it(loaded, client):
    subcontractor = user("onderaannemer@demo.test")
    homes = dwellings_visible_to(subcontractor)
    assert {S.ASSIGNED, S.INSTALLATION_PLANNED, S.INSTALLED, S.CONNECTED} <= set(
        homes.values_list("state", flat=True)
    )
    assert set(homes.values_list("installer__slug", flat=True)) == {"loodgieters-bakker"}
    # Its planner planned and reported the installations; the heat company accepted them.
    moves = set(
        DwellingTransition.objects.filter(dwelling__in=homes).values_list("transition", "actor__email")
    )
    assert {
        ("plan_installation", "onderaannemer@demo.test"),
        ("report_installed", "onderaannemer@demo.test"),
        ("confirm_connection", "warmtebedrijf@demo.test"),
    } <= moves
    client.force_login(subcontractor)
    page = client.get(reverse("projects:dwellings", args=[TUINDORP]))
    assert page.status_code == 200
    home = homes.filter(state=S.INSTALLATION_PLANNED).first()
    assert home.street.encode() in page.content
    # Its homes carry the plan that is meant for it, not the full version.
    detail = client.get(reverse("projects:dwelling", args=[TUINDORP, home.pk]))
    assert b'data-variant="installer"' in detail.content
    assert b'data-variant="full"' not in detail.content


def test_existing_users_without_roles_get_them_and_changed_roles_stay(loaded):
    blanket = [WorkRole.ADMINISTRATOR, WorkRole.COORDINATOR, WorkRole.PLANNER, WorkRole.COMMUNICATION]
    User.objects.filter(email="gemeente@demo.test").update(work_roles=blanket)  # an older demo's
    User.objects.filter(email="cooperatie@demo.test").update(work_roles=[])
    User.objects.filter(email="corporatie@demo.test").update(work_roles=[WorkRole.READ_ONLY])  # by hand
    output = demo()
    assert "gemeente@demo.test" in output and "cooperatie@demo.test" in output
    assert user("gemeente@demo.test").work_roles == [WorkRole.READ_ONLY]
    assert user("cooperatie@demo.test").work_roles == [WorkRole.ADMINISTRATOR, WorkRole.COMMUNICATION]
    assert user("corporatie@demo.test").work_roles == [WorkRole.READ_ONLY]
    assert "nothing added" in demo()


def test_an_older_database_gets_the_subcontractors_work_through_the_service(loaded):
    project = Project.objects.get(slug=TUINDORP)
    main = Organisation.objects.get(slug="installatiebedrijf-van-dijk")
    # A register made before the subcontractor had work: its homes were the main contractor's, and the
    # project did not work from a pool yet (its packages and pool came later).
    Dwelling.objects.filter(installer__slug="loodgieters-bakker").update(installer=main)
    WorkPackage.objects.filter(project=project).delete()
    ProjectProcurement.objects.filter(project=project).delete()
    Pool.objects.all().delete()
    agreed = set(project.dwellings.filter(state=S.AGREED).values_list("pk", flat=True))
    assert "Gave the subcontractor 8 homes" in demo()
    homes = project.dwellings.filter(installer__slug="loodgieters-bakker")
    assert set(homes.values_list("pk", flat=True)) <= agreed
    assert dict(homes.values("state").annotate(n=Count("pk")).values_list("state", "n")) == {
        S.ASSIGNED: 2,
        S.INSTALLATION_PLANNED: 3,
        S.INSTALLED: 2,
        S.CONNECTED: 1,
    }
    today = DwellingTransition.objects.filter(dwelling__in=homes, at__date=timezone.localdate())
    assert set(today.values_list("transition", "actor__email")) == {
        ("assign", "warmtebedrijf@demo.test"),
        ("plan_installation", "onderaannemer@demo.test"),
        ("report_installed", "onderaannemer@demo.test"),
        ("confirm_connection", "warmtebedrijf@demo.test"),
    }
    assert "nothing added" in demo()


# --- Connection plans ----------------------------------------------------------------------------


def test_every_home_with_an_approved_plan_has_both_versions(loaded, settings):
    settings.MEDIA_ROOT = loaded.media
    approved = Dwelling.objects.filter(plan_approved_at__isnull=False)
    assert set(Dwelling.objects.filter(state__in=PLAN_READY_OR_LATER)) <= set(approved)
    assert approved.filter(state=S.CONNECTED).count() > 100
    assert approved.filter(state=S.PLAN_READY).count() > 40
    versions = dict(
        ConnectionPlan.objects.values("variant")
        .annotate(n=Count("dwelling", distinct=True))
        .values_list("variant", "n")
    )
    assert versions == {PlanVariant.FULL: approved.count(), PlanVariant.INSTALLER: approved.count()}
    assert not approved.exclude(connection_plans__variant=PlanVariant.FULL).exists()
    assert not approved.exclude(connection_plans__variant=PlanVariant.INSTALLER).exists()
    assert not ConnectionPlan.objects.exclude(dwelling__in=approved).exists()
    # Made once, by whoever approved the plan, as after a real approval; the file is the PDF.
    approvers = dict(
        DwellingTransition.objects.filter(transition="approve_plan")
        .order_by("at", "pk")
        .values_list("dwelling_id", "actor_id")
    )
    # The technician's installations were planned after the first versions: they have a second one,
    # made by the installer's planner, as planning an installation does.
    replanned = set(Dwelling.objects.filter(technician__isnull=False).values_list("pk", flat=True))
    assert len(replanned) == 4
    made = ConnectionPlan.objects.exclude(dwelling__in=replanned).values_list(
        "dwelling_id", "made_by_id", "version"
    )
    assert made
    assert all(made_by == approvers[dwelling] and version == 1 for dwelling, made_by, version in made)
    later = ConnectionPlan.objects.filter(dwelling__in=replanned, version=2).select_related("made_by")
    assert {plan.made_by.email for plan in later} == {"installateur@demo.test"}
    plan = ConnectionPlan.objects.filter(dwelling__project__slug=TUINDORP).first()
    assert plan.made_by.email == "warmtebedrijf@demo.test"
    with plan.file.open("rb") as file:
        assert file.read() == FAKE_PDF


def test_a_connected_home_shows_its_plan(loaded, client, settings):
    settings.MEDIA_ROOT = loaded.media
    home = Dwelling.objects.filter(project__slug=TUINDORP, state=S.CONNECTED).first()
    client.force_login(user("warmtebedrijf@demo.test"))
    page = client.get(reverse("projects:dwelling", args=[TUINDORP, home.pk]))
    assert page.status_code == 200
    assert b'data-variant="full"' in page.content and b'data-variant="installer"' in page.content
    plan = home.connection_plans.get(variant=PlanVariant.FULL)
    assert client.get(reverse("plans:file", args=[plan.pk])).status_code == 200


# --- Projects and governance -------------------------------------------------------------------


def test_heat_company_sees_both_projects_with_advisories(loaded):
    projects = {p.slug: p for p in project_list(user=user("warmtebedrijf@demo.test"))}
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


def test_municipality_of_one_project_gets_404_on_the_other(loaded, client):
    client.force_login(user("gemeente@demo.test"))
    assert client.get("/projects/warmtenet-tuindorp-oost/").status_code == 200
    assert client.get("/projects/buurtwarmte-lindewijk/").status_code == 404
    assert client.get("/api/v1/projects/buurtwarmte-lindewijk/").status_code == 404


def test_demo_history_is_in_the_governance_log(loaded, client):
    client.force_login(user("warmtebedrijf@demo.test"))
    log = client.get("/api/v1/projects/warmtenet-tuindorp-oost/governance-log/").json()
    changes = [entry["changes"] for entry in log["results"] if "collaboration" in entry["changes"]]
    assert ["informal", "formal"] in [c["collaboration"] for c in changes]


def test_the_staff_login_opens_the_admin_of_its_own_projects(loaded, client):
    client.force_login(user("warmtebedrijf@demo.test"))
    assert client.get("/admin/projects/dwelling/").status_code == 200
    assert client.get("/admin/projects/project/").status_code == 200
    # A login without staff access has no admin at all.
    client.force_login(user("meelezer@demo.test"))
    assert client.get("/admin/projects/dwelling/").status_code == 302


# --- Procurement -------------------------------------------------------------------------------------


def test_the_demo_has_a_pool_and_packages_in_every_stage(loaded, client):
    from procurement.models import AgreementStatus, Certificate, FrameworkAgreement

    project = Project.objects.get(slug=TUINDORP)
    choice = ProjectProcurement.objects.get(project=project)
    assert choice.pool.agreements.count() == 3
    assert choice.main_contractor.slug == "installatiebedrijf-van-dijk"
    expired = FrameworkAgreement.objects.get(reference="RO-AMS-003")
    assert expired.effective_status == AgreementStatus.EXPIRED
    soon = Certificate.objects.get(organisation__slug="loodgieters-bakker")
    assert 0 < (soon.valid_until - timezone.localdate()).days < 30
    stages = set(WorkPackage.objects.filter(project=project).values_list("status", flat=True))
    assert stages == {"accepted", "offered", "declined", "draft"}
    # Its installer sees the offer waiting for it, and the work it took.
    client.force_login(User.objects.get(email="installateur@demo.test"))
    page = client.get(reverse("packages:list", args=[TUINDORP]))
    assert {package.status for package in page.context["packages"]} == {"accepted", "offered"}


# --- The resident portal --------------------------------------------------------------------------


def test_the_printed_resident_links_open_their_homes(loaded, client):
    import re

    output = demo()
    links = re.findall(r"http://[^/\s]+(/r/[0-9A-Z-]+/)", output)
    assert len(links) == 3
    states = []
    for path in links:
        page = client.get(path)
        assert page.status_code == 200
        states.append(re.search(r'data-state="([a-z_]+)"', page.content.decode()).group(1))
    assert states == ["informed", "plan_ready", "connected"]
    # The first can choose a time next week, and the cooperative's inbox has questions waiting.
    visit = client.get(links[0] + "visit/").content.decode()
    assert 'name="slot"' in visit
    from portal.models import Question

    assert (
        Question.objects.filter(status="open").exists()
        and Question.objects.filter(status="answered").exists()
    )


def test_the_municipality_downloads_this_months_report(loaded, client, settings):
    """The municipality only reads: the demo made this month's reports, as the first of the month does,
    so there is one to download."""
    from progress.models import MonthlyReport

    settings.MEDIA_ROOT = loaded.media  # where the demo wrote its files
    client.force_login(user("gemeente@demo.test"))
    page = client.get(reverse("progress:scope-reports", args=["municipality"]))
    (report,) = page.context["reports"]
    assert report.status == MonthlyReport.Status.DONE and report.organisation.slug == "gemeente-amstelhoven"
    answer = client.get(reverse("progress:report-file", args=[report.pk]))
    assert answer.status_code == 200 and b"".join(answer.streaming_content).startswith(b"%PDF")
    assert (
        MonthlyReport.objects.filter(kind="project").count()
        == Participation.objects.filter(role="lead").count()
    )
