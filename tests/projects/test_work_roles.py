"""People's work roles within their organisation: the organisation's rights are the ceiling, a person's
roles choose within it. A field worker sees only the homes planned for them, in every page, list,
search, export and job; read-only reads and changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from projects.models import Dwelling, DwellingTransition, Job, OrganisationKind, Role, WorkRole
from projects.permissions import can_edit_governance, can_manage_register, dwellings_visible_to
from projects.services import dwelling_transition, governance_update
from projects.services.dwellings import available_transitions
from tests.conftest import member_of, next_monday
from tests.factories import ContactFactory, DwellingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(advised_project, lead_user):
    """The lead heat company surveys itself: a field worker with two homes planned for him among many."""
    org = lead_user.organisation
    advised_project.participations.create(organisation=org, role=Role.SURVEY_PARTY)
    surveyor = UserFactory(organisation=org, field_worker=True, last_name="Meijer")
    at = timezone.make_aware(datetime.datetime.combine(next_monday(), datetime.time(9)))
    mine = [
        DwellingFactory(
            project=advised_project,
            state="survey_planned",
            surveyor=surveyor,
            survey_party=org,
            survey_appointment_at=at + datetime.timedelta(hours=n * 2),
            street="Eikenlaan",
            house_number=n + 1,
            extra_care=n == 0,
        )
        for n in range(2)
    ]
    others = DwellingFactory.create_batch(
        6, project=advised_project, state="informed", street="Beukenlaan", extra_care=True
    )
    for home in (*mine, *others):
        ContactFactory(dwelling=home, role="resident", name=f"Marieke {home.street} {home.house_number}")
    job = Job.objects.create(project=advised_project, kind=Job.Kind.IMPORT, created_by=lead_user, total=1)
    bulk = Job.objects.create(project=advised_project, kind=Job.Kind.BULK_TRANSITION, created_by=lead_user)
    return {
        "project": advised_project,
        "lead": lead_user,
        "surveyor": surveyor,
        "mine": mine,
        "others": others,
        "import_job": job,
        "bulk_job": bulk,
    }


def listed(response) -> set[int]:
    return {dwelling.pk for dwelling in response.context["page"].object_list}


class TestFieldWorker:
    def test_the_list_search_and_filters_show_only_the_homes_planned_for_him(self, client, world):
        project, mine = world["project"], {home.pk for home in world["mine"]}
        client.force_login(world["surveyor"])
        url = reverse("projects:dwellings", args=[project.slug])
        response = client.get(url)
        assert response.status_code == 200
        assert listed(response) == mine
        assert response.context["total"] == 2
        assert listed(client.get(url, {"extra_care": "true"})) == {world["mine"][0].pk}
        # A resident's name finds nothing: the list is searched by address only, his homes only.
        assert listed(client.get(url, {"q": "Marieke"})) == set()
        assert listed(client.get(url, {"q": "Beukenlaan"})) == set()
        assert listed(client.get(url, {"q": "Eikenlaan"})) == mine
        api = client.get("/api/v1/dwellings/", {"project": project.slug, "extra_care": "true"}).json()
        assert {row["id"] for row in api["results"]} == {world["mine"][0].pk}
        assert client.get("/api/v1/dwellings/", {"q": "Marieke"}).json()["count"] == 0
        assert client.get(f"/api/v1/dwellings/{world['others'][0].pk}/").status_code == 404
        assert set(dwellings_visible_to(world["surveyor"]).values_list("pk", flat=True)) == mine

    @pytest.mark.parametrize(
        "route",
        [
            "projects:imports:upload",
            "projects:governance",
            "projects:participation-add",
            "projects:subteam-add",
            "projects:dwelling-bulk",
            "projects:dwelling-add",
        ],
    )
    def test_project_wide_pages_are_not_his(self, client, world, route):
        client.force_login(world["surveyor"])
        status = client.get(reverse(route, args=[world["project"].slug])).status_code
        assert status in (403, 404)

    def test_jobs_exports_and_other_homes_do_not_exist_for_him(self, client, world):
        project, other = world["project"], world["others"][0]
        client.force_login(world["surveyor"])
        for url in [
            reverse("projects:imports:job", args=[project.slug, world["import_job"].pk]),
            reverse("projects:imports:rejects", args=[project.slug, world["import_job"].pk]),
            reverse("projects:imports:changes", args=[project.slug, world["import_job"].pk]),
            reverse("projects:job", args=[project.slug, world["bulk_job"].pk]),
            reverse("projects:job-status", args=[project.slug, world["bulk_job"].pk]),
            reverse("projects:dwelling", args=[project.slug, other.pk]),
            reverse("projects:dwelling-edit", args=[project.slug, world["mine"][0].pk]),
            reverse("projects:dwelling-history", args=[project.slug, world["mine"][0].pk]),
            reverse("surveys:form", args=[other.pk]),
            reverse("sampling:export", args=[project.slug]),
            reverse("plans:project", args=[project.slug]),
        ]:
            assert client.get(url).status_code in (403, 404), url
        # His own home opens, with the survey.
        assert (
            client.get(reverse("projects:dwelling", args=[project.slug, world["mine"][0].pk])).status_code
            == 200
        )
        assert client.get(reverse("surveys:form", args=[world["mine"][0].pk])).status_code == 200

    def test_an_import_he_sends_changes_nothing(self, client, world):
        project, other = world["project"], world["others"][0]
        client.force_login(world["surveyor"])
        csv = (
            "postcode,huisnummer,straat,plaats,eigendom,woningtype,energielabel\n"
            f"{other.postcode},{other.house_number},{other.street},{other.city},koop,tussenwoning,A\n"
        ).encode()
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post(
            reverse("projects:imports:upload", args=[project.slug]),
            {"file": SimpleUploadedFile("één.csv", csv, content_type="text/csv")},
        )
        assert response.status_code in (403, 404)
        assert Dwelling.objects.get(pk=other.pk).energy_label == other.energy_label


class TestReadOnly:
    def test_reads_everything_the_organisation_sees_and_changes_nothing(self, client, world):
        project = world["project"]
        reader = UserFactory(organisation=world["lead"].organisation, read_only=True)
        client.force_login(reader)
        response = client.get(reverse("projects:dwellings", args=[project.slug]))
        assert len(listed(response)) == 8
        assert listed(client.get(reverse("projects:dwellings", args=[project.slug]), {"q": "Marieke"}))
        home = world["others"][0]
        assert available_transitions(reader, home) == []
        moved = client.post(
            reverse("projects:dwelling-move", args=[project.slug, home.pk, "hold"]),
            {"hold-expected_state": "informed", "hold-reason": "probeer"},
        )
        assert moved.status_code in (302, 400, 403)
        assert Dwelling.objects.get(pk=home.pk).state == "informed"
        assert not DwellingTransition.objects.filter(dwelling=home).exists()
        assert not can_edit_governance(reader, project)
        assert not can_manage_register(reader, project)
        assert client.get(reverse("projects:governance", args=[project.slug])).status_code == 403
        assert client.get(reverse("projects:imports:upload", args=[project.slug])).status_code == 403
        with pytest.raises(PermissionDenied):
            governance_update(
                actor=reader, project=project, version=project.governance.version, communication=""
            )


class TestRolesChooseWithinTheCeiling:
    def test_communication_informs_but_does_not_approve_or_withdraw(self, world):
        officer = UserFactory(organisation=world["lead"].organisation, work_roles=[WorkRole.COMMUNICATION])
        home = DwellingFactory(project=world["project"], state="registered")
        names = {spec.name for spec in available_transitions(officer, home)}
        assert "inform" in names
        assert not names & {"hold", "withdraw"}
        dwelling_transition(actor=officer, dwelling_id=home.pk, transition="inform")
        with pytest.raises(PermissionDenied):
            dwelling_transition(actor=officer, dwelling_id=home.pk, transition="withdraw", reason="sloop")
        assert Dwelling.objects.get(pk=home.pk).state == "informed"

    def test_a_planner_plans_visits_but_keeps_no_register(self, world):
        planner = UserFactory(organisation=world["lead"].organisation, work_roles=[WorkRole.PLANNER])
        home = world["others"][0]
        at = timezone.make_aware(datetime.datetime.combine(next_monday(1), datetime.time(14)))
        dwelling_transition(
            actor=planner,
            dwelling_id=home.pk,
            transition="plan_survey",
            surveyor=world["surveyor"],
            appointment_at=at,
        )
        assert Dwelling.objects.get(pk=home.pk).state == "survey_planned"
        assert not can_manage_register(planner, world["project"])
        assert not can_edit_governance(planner, world["project"])

    def test_a_coordinator_of_a_party_that_does_not_lead_edits_no_governance(self, world):
        cooperative = member_of(world["project"], OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY)
        assert cooperative.has_work_role(WorkRole.COORDINATOR)
        assert not can_edit_governance(cooperative, world["project"])
        assert not can_manage_register(cooperative, world["project"])

    def test_a_surveyor_who_became_read_only_can_no_longer_record_the_visit(self, world):
        home = world["mine"][0]
        surveyor = world["surveyor"]
        assert "visit_failed" in {spec.name for spec in available_transitions(surveyor, home)}
        surveyor.work_roles = [WorkRole.READ_ONLY]
        surveyor.save()
        assert available_transitions(surveyor, home) == []


class TestPeopleSearchPerProject:
    def test_a_name_finds_homes_only_where_the_organisation_sees_the_people(self, client, advised_project):
        from tests.factories import OrganisationFactory, ParticipationFactory, ProjectFactory

        cooperative = OrganisationFactory(kind=OrganisationKind.HEAT_COOPERATIVE)
        ParticipationFactory(project=advised_project, organisation=cooperative, role=Role.COMMUNICATING_PARTY)
        other = ProjectFactory()
        ParticipationFactory(project=other, organisation=cooperative, role=Role.SURVEY_PARTY)
        informed_here = DwellingFactory(project=advised_project, state="informed")
        surveyed_there = DwellingFactory(project=other, state="informed")  # waiting for a survey party
        ContactFactory(dwelling=informed_here, role="owner", name="Jansen hier")
        ContactFactory(dwelling=surveyed_there, role="owner", name="Jansen daar")
        user = UserFactory(organisation=cooperative)
        client.force_login(user)
        # Both homes are visible to the cooperative, but only the first project's by a name.
        found = client.get("/api/v1/dwellings/", {"q": "Jansen"}).json()
        assert {row["id"] for row in found["results"]} == {informed_here.pk}
        visible = client.get("/api/v1/dwellings/", {"project": other.slug}).json()
        assert {row["id"] for row in visible["results"]} == {surveyed_there.pk}
        page = client.get(reverse("projects:dwellings", args=[other.slug]), {"q": "Jansen"})
        assert listed(page) == set()
        page = client.get(reverse("projects:dwellings", args=[advised_project.slug]), {"q": "Jansen"})
        assert listed(page) == {informed_here.pk}


class TestTechnician:
    @pytest.fixture
    def crew(self, advised_project):
        installer = advised_project.participations.get(role=Role.MAIN_CONTRACTOR).organisation
        planner = UserFactory(organisation=installer, work_roles=[WorkRole.PLANNER])
        technician = UserFactory(organisation=installer, field_worker=True, last_name="Vermeulen")
        homes = DwellingFactory.create_batch(
            3, project=advised_project, state="assigned", installer=installer, signatory="owner_occupier"
        )
        return planner, technician, homes

    def test_the_installation_planned_for_him_is_all_he_sees_and_he_reports_it(self, client, crew):
        planner, technician, homes = crew
        assert not dwellings_visible_to(technician).exists()
        day = next_monday()
        dwelling_transition(
            actor=planner,
            dwelling_id=homes[0].pk,
            transition="plan_installation",
            planned_on=day,
            technician=technician,
        )
        assert list(dwellings_visible_to(technician)) == [homes[0]]
        client.force_login(technician)
        assert client.get(f"/api/v1/dwellings/{homes[1].pk}/").status_code == 404
        page = client.get(reverse("projects:dwelling", args=[homes[0].project.slug, homes[0].pk]))
        assert page.status_code == 200
        names = {
            spec.name for spec in available_transitions(technician, Dwelling.objects.get(pk=homes[0].pk))
        }
        assert names == {"report_installed"}
        dwelling_transition(
            actor=technician,
            dwelling_id=homes[0].pk,
            transition="report_installed",
            installed_on=timezone.localdate(),
        )
        assert Dwelling.objects.get(pk=homes[0].pk).state == "installed"

    def test_he_plans_no_installation_himself(self, crew):
        _planner, technician, homes = crew
        # The home is not planned for him: it does not exist for him.
        with pytest.raises(Dwelling.DoesNotExist):
            dwelling_transition(
                actor=technician,
                dwelling_id=homes[1].pk,
                transition="plan_installation",
                planned_on=next_monday(),
                technician=technician,
            )

    def test_a_technician_of_another_organisation_is_refused_and_nothing_changes(self, crew):
        from django.core.exceptions import ValidationError

        planner, _technician, homes = crew
        stranger = UserFactory(field_worker=True)
        with pytest.raises(ValidationError) as error:
            dwelling_transition(
                actor=planner,
                dwelling_id=homes[2].pk,
                transition="plan_installation",
                planned_on=next_monday(),
                technician=stranger.pk,
            )
        assert "technician" in error.value.message_dict
        assert Dwelling.objects.get(pk=homes[2].pk).state == "assigned"
