"""The admin writes through the services, like the pages: no path around them.

Every test logs in as a staff user of an organisation (not a platform superuser) and posts the admin's
own forms, as a browser would: the form as loaded, with some values changed.
"""

import pytest
from auditlog.models import LogEntry as AuditEntry
from django import forms
from django.contrib.admin.models import LogEntry as AdminEntry
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from projects.models import (
    Dwelling,
    DwellingTransition,
    Governance,
    LeadModel,
    OrganisationKind,
    Participation,
    Project,
    Role,
    SubTeam,
    User,
    WorkRole,
)
from projects.services import governance_update
from projects.states import DwellingState
from tests.conftest import member_of
from tests.factories import (
    ContactFactory,
    DwellingFactory,
    OrganisationFactory,
    ParticipationFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def make_staff(user):
    """Staff with every model permission of the projects app: only the scope and the services limit them."""
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="projects"))
    return User.objects.get(pk=user.pk)


def form_data(response) -> dict:
    """What the browser posts back for the admin page as loaded: the form and its inlines, unchanged."""
    data = {}
    all_forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        all_forms += [inline.formset.management_form, *inline.formset.forms]
    for form in all_forms:
        for bound in form:
            value = bound.value()
            if value is None or isinstance(bound.field, forms.FileField):
                continue
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            else:
                data[bound.html_name] = str(value)
    return data


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def post_change(client, obj, **changes):
    """Load the change form of ``obj``, change some values and post it."""
    url = change_url(obj)
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page)
    data.update({name: value for name, value in changes.items() if value is not None})
    for name in [name for name, value in changes.items() if value is None]:
        data.pop(name, None)
    return client.post(url, data)


def form_errors(response) -> dict:
    form = response.context["adminform"].form
    return {field: " ".join(errors) for field, errors in form.errors.items()}


@pytest.fixture
def staff(lead_user, advised_project):
    """A coordinator and administrator of the lead party, with the admin open to them."""
    return make_staff(lead_user)


@pytest.fixture
def installer(advised_project):
    return advised_project.participations.get(role=Role.MAIN_CONTRACTOR).organisation


@pytest.fixture
def installer_user(installer):
    return UserFactory(organisation=installer)


@pytest.fixture
def dwelling(advised_project):
    dwelling = DwellingFactory(project=advised_project, cluster="Blok A")
    ContactFactory(dwelling=dwelling, role="owner", name="Anna de Vries", email="anna@example.test")
    return dwelling


def register_log(dwelling):
    return AuditEntry.objects.filter(additional_data__dwelling_id=dwelling.pk)


class TestDwelling:
    def test_what_the_moves_record_cannot_be_set_and_the_installer_still_sees_nothing(
        self, client, staff, dwelling, installer, installer_user
    ):
        client.force_login(staff)
        page = client.get(change_url(dwelling))
        for name in ("installer", "surveyor", "survey_party", "connected_on", "state", "installed_on"):
            assert f'name="{name}"' not in page.text
        response = post_change(
            client,
            dwelling,
            installer=str(installer.pk),
            surveyor=str(staff.pk),
            survey_party=str(installer.pk),
            survey_appointment_at="2026-05-04 10:00",
            installation_planned_on="2026-05-01",
            installed_on="2026-05-02",
            connected_on="2026-05-03",
            state=DwellingState.CONNECTED,
            visit_count="3",
            plan_approved_at="2026-05-01 09:00",
        )
        assert response.status_code == 302
        dwelling.refresh_from_db()
        assert dwelling.state == DwellingState.REGISTERED
        assert dwelling.installer_id is None
        assert dwelling.surveyor_id is None
        assert dwelling.survey_party_id is None
        assert dwelling.survey_appointment_at is None
        assert dwelling.installation_planned_on is None
        assert dwelling.installed_on is None
        assert dwelling.connected_on is None
        assert dwelling.plan_approved_at is None
        assert dwelling.visit_count == 0
        assert not DwellingTransition.objects.filter(dwelling=dwelling).exists()
        client.force_login(installer_user)
        assert client.get(f"/api/v1/dwellings/{dwelling.pk}/").status_code == 404

    def test_a_register_change_lands_through_the_service_with_its_history(self, client, staff, dwelling):
        client.force_login(staff)
        response = post_change(client, dwelling, cluster="Blok B", postcode="1234ab")
        assert response.status_code == 302
        dwelling.refresh_from_db()
        assert dwelling.cluster == "Blok B"
        assert dwelling.postcode == "1234 AB"  # normalised as on the page
        entry = register_log(dwelling).get(content_type__model="dwelling")
        assert entry.actor == staff
        assert entry.additional_data["source"] == "admin"
        assert entry.changes_dict["cluster"] == ["Blok A", "Blok B"]

    def test_the_owner_and_resident_change_through_the_service(self, client, staff, dwelling):
        owner = dwelling.contacts.get(role="owner")
        owner.language = "en"
        owner.save()
        client.force_login(staff)
        response = post_change(
            client,
            dwelling,
            owner_phone="0687654321",
            resident_name="Bram Bakker",
            resident_email="bram@example.test",
        )
        assert response.status_code == 302
        owner.refresh_from_db()
        assert owner.phone == "0687654321"
        assert owner.name == "Anna de Vries"
        assert owner.language == "en"  # not on the form, so kept
        resident = dwelling.contacts.get(role="resident")
        assert resident.name == "Bram Bakker"
        logged = register_log(dwelling).filter(content_type__model="contact")
        assert {entry.additional_data["role"] for entry in logged} == {"owner", "resident"}
        assert all(entry.actor == staff for entry in logged)

    def test_a_change_the_service_refuses_changes_nothing_and_says_why(self, client, staff, dwelling):
        client.force_login(staff)
        response = post_change(
            client, dwelling, cluster="Blok C", ownership="housing_association", housing_association=""
        )
        assert response.status_code == 200
        assert "Kies de woningcorporatie die eigenaar is." in form_errors(response)["housing_association"]
        dwelling.refresh_from_db()
        assert dwelling.cluster == "Blok A"
        assert dwelling.ownership == "owner_occupied"
        assert not register_log(dwelling).exists()
        assert not AdminEntry.objects.exists()

    @pytest.mark.parametrize(
        "field, value", [("postcode", "12345"), ("floor_area", "85,5"), ("house_number", "1.000")]
    )
    def test_an_invalid_value_is_refused_with_a_message(self, client, staff, dwelling, field, value):
        client.force_login(staff)
        response = post_change(client, dwelling, cluster="Blok D", **{field: value})
        assert response.status_code == 200
        assert field in form_errors(response)
        dwelling.refresh_from_db()
        assert dwelling.cluster == "Blok A"
        assert not register_log(dwelling).exists()

    def test_a_dwelling_added_in_the_admin_is_registered_through_the_service(
        self, client, staff, advised_project
    ):
        client.force_login(staff)
        url = reverse("admin:projects_dwelling_add")
        page = client.get(url)
        assert 'name="state"' not in page.text
        data = form_data(page)
        data.update(
            project=str(advised_project.pk),
            postcode="1111 AA",
            house_number="7",
            street="Beukenlaan",
            city="Amstelhoven",
            ownership="owner_occupied",
            dwelling_type="detached",
            owner_name="Cor Claassen",
            owner_preferred_channel="email",
            resident_preferred_channel="email",
            installer=str(advised_project.participations.get(role=Role.MAIN_CONTRACTOR).organisation_id),
            connected_on="2026-05-03",
        )
        response = client.post(url, data)
        assert response.status_code == 302
        dwelling = Dwelling.objects.get(project=advised_project, street="Beukenlaan")
        assert dwelling.state == DwellingState.REGISTERED
        assert dwelling.installer_id is None and dwelling.connected_on is None
        assert dwelling.contacts.get().name == "Cor Claassen"
        assert register_log(dwelling).filter(action=AuditEntry.Action.CREATE).exists()

    def test_a_dwelling_cannot_be_added_to_a_project_the_user_does_not_lead(
        self, client, staff, outsider_project
    ):
        client.force_login(staff)
        url = reverse("admin:projects_dwelling_add")
        data = form_data(client.get(url))
        data.update(
            project=str(outsider_project.pk),
            postcode="1111 AA",
            house_number="7",
            street="Beukenlaan",
            city="Amstelhoven",
            ownership="owner_occupied",
            dwelling_type="detached",
            owner_preferred_channel="email",
            resident_preferred_channel="email",
        )
        response = client.post(url, data)
        assert response.status_code == 200
        assert "project" in form_errors(response)
        assert not Dwelling.objects.filter(project=outsider_project).exists()

    def test_staff_of_another_party_changes_nothing(self, client, advised_project, installer):
        dwelling = DwellingFactory(
            project=advised_project, state=DwellingState.ASSIGNED, installer=installer, cluster="Blok A"
        )
        technician = make_staff(UserFactory(organisation=installer))
        client.force_login(technician)
        url = change_url(dwelling)
        assert client.get(url).status_code == 200  # the installer sees the dwelling, read-only
        response = client.post(url, {"cluster": "Blok Z", "installer": "", "connected_on": "2026-05-03"})
        assert response.status_code == 403
        dwelling.refresh_from_db()
        assert dwelling.cluster == "Blok A"
        assert dwelling.installer == installer
        assert client.get(reverse("admin:projects_dwelling_add")).status_code == 403

    def test_no_delete_for_organisation_staff(self, client, staff, dwelling):
        client.force_login(staff)
        url = reverse("admin:projects_dwelling_delete", args=[dwelling.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert Dwelling.objects.filter(pk=dwelling.pk).exists()


class TestGovernance:
    def test_a_change_bumps_the_version_through_the_service_and_is_on_the_log(
        self, client, staff, advised_project
    ):
        governance = advised_project.governance
        version = governance.version
        client.force_login(staff)
        response = post_change(client, governance, lead_model=LeadModel.SHARED)
        assert response.status_code == 302
        governance.refresh_from_db()
        assert governance.lead_model == LeadModel.SHARED
        assert governance.version == version + 1
        entry = AuditEntry.objects.get_for_object(governance).get(action=AuditEntry.Action.UPDATE)
        assert entry.actor == staff
        assert entry.changes_dict["lead_model"] == [LeadModel.CENTRAL, LeadModel.SHARED]

    def test_a_stale_form_is_refused(self, client, staff, advised_project):
        governance = advised_project.governance
        client.force_login(staff)
        url = change_url(governance)
        data = form_data(client.get(url))
        # Someone else saves meanwhile, on the project page.
        governance_update(
            actor=staff, project=advised_project, version=governance.version, lead_model=LeadModel.VARYING
        )
        data["lead_model"] = LeadModel.SHARED
        response = client.post(url, data)
        assert response.status_code == 200
        assert "intussen gewijzigd" in form_errors(response)["__all__"]
        governance.refresh_from_db()
        assert governance.lead_model == LeadModel.VARYING
        assert governance.version == int(data["version"]) + 1

    def test_a_rule_of_the_blocks_is_refused_with_a_message(self, client, staff, advised_project):
        governance = advised_project.governance
        version = governance.version
        client.force_login(staff)
        response = post_change(client, governance, collaboration="informal")
        assert response.status_code == 200
        assert "collaboration_form" in form_errors(response)
        governance.refresh_from_db()
        assert governance.collaboration == "formal"
        assert governance.version == version

    def test_staff_of_another_party_changes_nothing(self, client, advised_project, installer):
        governance = advised_project.governance
        version = governance.version
        client.force_login(make_staff(UserFactory(organisation=installer)))
        url = change_url(governance)
        assert client.get(url).status_code == 200
        assert client.post(url, {"lead_model": LeadModel.SHARED, "version": version}).status_code == 403
        governance.refresh_from_db()
        assert governance.lead_model == LeadModel.CENTRAL
        assert governance.version == version

    def test_governance_is_not_added_or_deleted_in_the_admin(self, client, staff, advised_project):
        client.force_login(staff)
        assert client.get(reverse("admin:projects_governance_add")).status_code == 403
        url = reverse("admin:projects_governance_delete", args=[advised_project.governance.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert Governance.objects.filter(project=advised_project).exists()


class TestParticipation:
    def add(self, client, project, organisation, role):
        url = reverse("admin:projects_participation_add")
        data = form_data(client.get(url))
        data.update(project=str(project.pk), organisation=str(organisation.pk), role=role)
        return client.post(url, data)

    def test_a_role_is_added_through_the_service_and_logged(self, client, staff, advised_project):
        association = OrganisationFactory(kind=OrganisationKind.HOUSING_ASSOCIATION)
        client.force_login(staff)
        response = self.add(client, advised_project, association, Role.HOUSING_ASSOCIATION)
        assert response.status_code == 302
        participation = Participation.objects.get(project=advised_project, organisation=association)
        assert participation.role == Role.HOUSING_ASSOCIATION
        entry = AuditEntry.objects.get_for_object(participation).get(action=AuditEntry.Action.CREATE)
        assert entry.actor == staff

    def test_a_role_that_does_not_fit_the_organisation_is_refused(self, client, staff, advised_project):
        association = OrganisationFactory(kind=OrganisationKind.HOUSING_ASSOCIATION)
        client.force_login(staff)
        response = self.add(client, advised_project, association, Role.MAIN_CONTRACTOR)
        assert response.status_code == 200
        assert "kan de rol" in form_errors(response)["organisation"]
        assert not Participation.objects.filter(organisation=association).exists()

    def test_a_role_is_not_changed_in_place(self, client, staff, advised_project, installer):
        participation = advised_project.participations.get(organisation=installer)
        client.force_login(staff)
        url = change_url(participation)
        assert client.get(url).status_code == 200
        assert client.post(url, {"role": Role.HEAT_COMPANY}).status_code == 403
        participation.refresh_from_db()
        assert participation.role == Role.MAIN_CONTRACTOR

    def test_a_role_is_removed_through_the_service(self, client, staff, advised_project, installer):
        participation = advised_project.participations.get(organisation=installer)
        client.force_login(staff)
        url = reverse("admin:projects_participation_delete", args=[participation.pk])
        assert client.post(url, {"post": "yes"}).status_code == 302
        assert not Participation.objects.filter(pk=participation.pk).exists()
        entry = AuditEntry.objects.filter(
            content_type__model="participation",
            object_pk=str(participation.pk),
            action=AuditEntry.Action.DELETE,
        ).get()
        assert entry.actor == staff

    def test_the_last_lead_role_of_ones_own_organisation_stays(
        self, client, staff, advised_project, heat_company
    ):
        lead = advised_project.participations.get(role=Role.LEAD)
        client.force_login(staff)
        url = reverse("admin:projects_participation_delete", args=[lead.pk])
        response = client.post(url, {"post": "yes"}, follow=True)
        assert Participation.objects.filter(pk=lead.pk).exists()
        shown = [str(message) for message in response.context["messages"]]
        assert any("regierol" in message for message in shown)
        assert not AdminEntry.objects.exists()

    def test_staff_of_another_party_adds_and_removes_nothing(self, client, advised_project, installer):
        client.force_login(make_staff(UserFactory(organisation=installer)))
        assert client.get(reverse("admin:projects_participation_add")).status_code == 403
        own = advised_project.participations.get(organisation=installer)
        url = reverse("admin:projects_participation_delete", args=[own.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert Participation.objects.filter(pk=own.pk).exists()


class TestSubTeam:
    def test_a_sub_team_is_saved_through_the_service(self, client, staff, advised_project, installer_user):
        client.force_login(staff)
        url = reverse("admin:projects_subteam_add")
        data = form_data(client.get(url))
        data.update(
            project=str(advised_project.pk), name="Blok A", members=[str(staff.pk), str(installer_user.pk)]
        )
        assert client.post(url, data).status_code == 302
        subteam = SubTeam.objects.get(project=advised_project, name="Blok A")
        assert set(subteam.members.all()) == {staff, installer_user}
        assert AuditEntry.objects.get_for_object(subteam).filter(actor=staff).exists()

        response = post_change(client, subteam, name="Blok A en B", members=[str(staff.pk)])
        assert response.status_code == 302
        subteam.refresh_from_db()
        assert subteam.name == "Blok A en B"
        assert list(subteam.members.all()) == [staff]

    def test_a_member_from_outside_the_project_is_refused(self, client, staff, advised_project, heat_company):
        # Someone the lead party knows from another project it leads, who has no part in this one.
        other = ProjectFactory()
        ParticipationFactory(project=other, organisation=heat_company, role=Role.LEAD)
        stranger = member_of(other, OrganisationKind.INSTALLER, Role.INSTALLER)
        subteam = SubTeam.objects.create(project=advised_project, name="Blok A")
        client.force_login(staff)
        response = post_change(client, subteam, name="Blok A2", members=[str(stranger.pk)])
        assert response.status_code == 200
        assert "werken niet voor een partij in dit project" in form_errors(response)["members"]
        subteam.refresh_from_db()
        assert subteam.name == "Blok A"
        assert not subteam.members.exists()

    def test_a_sub_team_is_deleted_through_the_service(self, client, staff, advised_project):
        subteam = SubTeam.objects.create(project=advised_project, name="Blok A")
        client.force_login(staff)
        url = reverse("admin:projects_subteam_delete", args=[subteam.pk])
        assert client.post(url, {"post": "yes"}).status_code == 302
        assert not SubTeam.objects.filter(pk=subteam.pk).exists()
        assert AuditEntry.objects.filter(
            content_type__model="subteam", action=AuditEntry.Action.DELETE, actor=staff
        ).exists()

    def test_staff_of_another_party_changes_nothing(self, client, advised_project, installer):
        subteam = SubTeam.objects.create(project=advised_project, name="Blok A")
        client.force_login(make_staff(UserFactory(organisation=installer)))
        assert client.post(change_url(subteam), {"name": "Eigen team"}).status_code == 403
        assert client.get(reverse("admin:projects_subteam_add")).status_code == 403
        subteam.refresh_from_db()
        assert subteam.name == "Blok A"


class TestProject:
    def test_the_project_page_in_the_admin_writes_nothing(self, client, staff, advised_project):
        client.force_login(staff)
        url = change_url(advised_project)
        page = client.get(url)
        assert page.status_code == 200
        # Governance, roles and sub-teams are shown, not edited, here.
        assert 'name="participations-0-role"' not in page.text
        assert 'name="governance-0-lead_model"' not in page.text
        name = advised_project.name
        assert client.post(url, {"name": "Andere naam", "planned_dwellings": "1"}).status_code == 403
        advised_project.refresh_from_db()
        assert advised_project.name == name

    def test_organisation_staff_add_and_delete_no_projects(self, client, staff, advised_project):
        client.force_login(staff)
        assert client.get(reverse("admin:projects_project_add")).status_code == 403
        url = reverse("admin:projects_project_delete", args=[advised_project.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403


class TestPeople:
    @pytest.fixture
    def colleague(self, heat_company):
        return UserFactory(organisation=heat_company, work_roles=[WorkRole.COORDINATOR])

    def test_roles_change_through_the_service_and_are_on_the_log(self, client, staff, colleague):
        client.force_login(staff)
        response = post_change(client, colleague, work_roles=[WorkRole.PLANNER, WorkRole.FIELD_WORKER])
        assert response.status_code == 302
        colleague.refresh_from_db()
        assert colleague.work_roles == [WorkRole.PLANNER, WorkRole.FIELD_WORKER]
        entry = AuditEntry.objects.get_for_object(colleague).get(action=AuditEntry.Action.UPDATE)
        assert entry.actor == staff
        assert "work_roles" in entry.changes_dict

    def test_the_last_administrator_keeps_the_role(self, client, staff):
        logged = AuditEntry.objects.get_for_object(staff).count()
        client.force_login(staff)
        response = post_change(client, staff, work_roles=[WorkRole.COORDINATOR])
        assert response.status_code == 200
        assert "work_roles" in form_errors(response)
        staff.refresh_from_db()
        assert WorkRole.ADMINISTRATOR in staff.work_roles
        assert AuditEntry.objects.get_for_object(staff).count() == logged

    def test_an_administrator_cannot_block_themselves(self, client, staff):
        client.force_login(staff)
        response = post_change(client, staff, is_active=None)
        assert response.status_code == 200
        assert "is_active" in form_errors(response)
        staff.refresh_from_db()
        assert staff.is_active

    def test_platform_powers_are_not_for_organisation_staff(self, client, staff, colleague):
        client.force_login(staff)
        assert 'name="is_superuser"' not in client.get(change_url(colleague)).text
        response = post_change(client, colleague, is_superuser="on", is_staff="on", first_name="Kees")
        assert response.status_code == 302
        colleague.refresh_from_db()
        assert colleague.first_name == "Kees"
        assert not colleague.is_superuser
        assert not colleague.is_staff

    def test_an_administrator_does_not_set_a_colleagues_password(self, client, staff, colleague):
        client.force_login(staff)
        url = reverse("admin:auth_user_password_change", args=[colleague.pk])
        before = colleague.password
        assert client.get(url).status_code == 403
        response = client.post(url, {"password1": "Nieuw-wachtwoord-77", "password2": "Nieuw-wachtwoord-77"})
        assert response.status_code == 403
        colleague.refresh_from_db()
        assert colleague.password == before

    def test_a_person_is_added_through_the_service_and_invited(
        self, client, staff, django_capture_on_commit_callbacks
    ):
        client.force_login(staff)
        url = reverse("admin:projects_user_add")
        data = form_data(client.get(url))
        data.update(
            email="Nieuw@Example.test",
            first_name="Nina",
            last_name="Nieuw",
            work_roles=[WorkRole.PLANNER],
            organisation=str(OrganisationFactory().pk),
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)
        assert response.status_code == 302
        person = User.objects.get(email="nieuw@example.test")
        assert person.organisation == staff.organisation
        assert person.work_roles == [WorkRole.PLANNER]
        assert not person.has_usable_password()
        assert [message.to for message in mail.outbox] == [["nieuw@example.test"]]
        assert AuditEntry.objects.get_for_object(person).get(action=AuditEntry.Action.CREATE).actor == staff

    def test_someone_who_is_not_an_administrator_changes_no_one(self, client, heat_company, colleague):
        coordinator = make_staff(UserFactory(organisation=heat_company, work_roles=[WorkRole.COORDINATOR]))
        client.force_login(coordinator)
        url = change_url(colleague)
        assert client.get(url).status_code == 200
        response = client.post(url, {"work_roles": [WorkRole.ADMINISTRATOR], "email": colleague.email})
        assert response.status_code == 403
        assert client.get(reverse("admin:projects_user_add")).status_code == 403
        colleague.refresh_from_db()
        assert colleague.work_roles == [WorkRole.COORDINATOR]

    def test_people_of_another_organisation_do_not_exist(self, client, staff):
        stranger = UserFactory(organisation=OrganisationFactory())
        client.force_login(staff)
        assert client.get(change_url(stranger)).status_code == 404
        assert client.post(change_url(stranger), {"first_name": "X"}).status_code == 404


class TestOrganisation:
    def test_the_kind_stays_as_it_is(self, client, staff, heat_company):
        client.force_login(staff)
        response = post_change(client, heat_company, kind=OrganisationKind.INSTALLER, city="Lindewijk")
        assert response.status_code == 302
        heat_company.refresh_from_db()
        assert heat_company.kind == OrganisationKind.HEAT_COMPANY
        assert heat_company.city == "Lindewijk"


class TestJobs:
    def test_jobs_are_read_only(self, client, staff, advised_project):
        from projects.models import Job

        job = Job.objects.create(project=advised_project, kind=Job.Kind.IMPORT, created_by=staff)
        client.force_login(staff)
        assert client.get(change_url(job)).status_code == 200
        assert client.post(change_url(job), {"status": Job.Status.DONE}).status_code == 403
        job.refresh_from_db()
        assert job.status == Job.Status.PENDING


def test_superuser_sees_the_moves_read_only_too(client, dwelling, installer):
    admin_user = UserFactory(organisation=None, is_superuser=True, is_staff=True, work_roles=[])
    client.force_login(admin_user)
    response = post_change(client, dwelling, installer=str(installer.pk), connected_on="2026-05-03")
    assert response.status_code == 302
    dwelling.refresh_from_db()
    assert dwelling.installer_id is None and dwelling.connected_on is None
    assert not DwellingTransition.objects.exists()


class TestPlatformSuperuser:
    @pytest.fixture
    def superuser(self):
        return UserFactory(organisation=None, is_superuser=True, is_staff=True, work_roles=[])

    def test_a_project_added_in_the_admin_starts_through_the_service(self, client, superuser):
        client.force_login(superuser)
        url = reverse("admin:projects_project_add")
        data = form_data(client.get(url))
        data.update(
            name="Warmtenet Nieuwbouw",
            slug="warmtenet-nieuwbouw",
            municipality="Amstelhoven",
            neighbourhood="Noord",
            connection_approach="area",
            heat_company_kind="regional",
            planned_dwellings="40",
            signup_threshold="70",
            start_date="2026-01-01",
        )
        assert client.post(url, data).status_code == 302
        project = Project.objects.get(slug="warmtenet-nieuwbouw")
        assert Governance.objects.filter(project=project).exists()  # project_create gives it governance

    def test_platform_powers_are_given_by_a_superuser_and_logged(self, client, superuser, staff):
        client.force_login(superuser)
        colleague = UserFactory(organisation=staff.organisation, work_roles=[WorkRole.PLANNER])
        response = post_change(client, colleague, is_staff="on", last_name="Jansen")
        assert response.status_code == 302
        colleague.refresh_from_db()
        assert colleague.is_staff
        assert colleague.last_name == "Jansen"
        changes = [entry.changes_dict for entry in AuditEntry.objects.get_for_object(colleague)]
        assert any("is_staff" in change for change in changes)
        assert any("last_name" in change for change in changes)

    def test_a_superuser_keeps_the_last_administrator_rule(self, client, superuser, staff):
        client.force_login(superuser)
        response = post_change(client, staff, work_roles=[WorkRole.PLANNER])
        assert response.status_code == 200
        staff.refresh_from_db()
        assert WorkRole.ADMINISTRATOR in staff.work_roles


def _registered(app_labels=("projects", "surveys")):
    from django.contrib import admin

    return [model for model in admin.site._registry if model._meta.app_label in app_labels]


@pytest.mark.parametrize("who", ["staff", "superuser", "installer_staff"])
def test_every_admin_page_opens(client, who, staff, dwelling, installer, advised_project):
    """Changelists, add forms and change forms render for each kind of user (read-only or not)."""
    from projects.models import Job
    from surveys.models import Visit

    DwellingFactory(project=advised_project, state=DwellingState.ASSIGNED, installer=installer)
    SubTeam.objects.create(project=advised_project, name="Blok A")
    Job.objects.create(project=advised_project, kind=Job.Kind.IMPORT, created_by=staff)
    Visit.objects.create(dwelling=dwelling, surveyor=staff, started_at="2026-03-02T10:00:00+01:00")
    if who == "superuser":
        user = UserFactory(organisation=None, is_superuser=True, is_staff=True, work_roles=[])
    elif who == "installer_staff":
        user = make_staff(UserFactory(organisation=installer))
    else:
        user = staff
    client.force_login(user)
    for model in _registered():
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        listing = client.get(reverse(f"{base}_changelist"))
        assert listing.status_code in (200, 403), model
        if listing.status_code == 403:
            continue
        assert client.get(reverse(f"{base}_add")).status_code in (200, 403), model
        shown = listing.context["cl"].result_list[:3]
        for obj in shown:
            assert client.get(reverse(f"{base}_change", args=[obj.pk])).status_code == 200, obj


class TestPlatformPages:
    """Pages of other packages that hand out powers or lift a lockout are the platform's."""

    def test_organisation_staff_do_not_reach_groups_tokens_or_lockouts(self, client, staff):
        staff.user_permissions.add(
            *Permission.objects.filter(content_type__app_label__in=["auth", "axes"]),
            *Permission.objects.filter(content_type__app_label="projects", content_type__model="apitoken"),
        )
        client.force_login(staff)
        for page in ("auth_group", "projects_apitoken", "axes_accessattempt"):
            assert client.get(reverse(f"admin:{page}_changelist")).status_code == 403
        assert client.get(reverse("admin:auth_group_add")).status_code == 403

    def test_a_lockout_is_lifted_on_the_people_page_not_by_deleting_its_record(self, client, staff):
        from axes.models import AccessAttempt

        attempt = AccessAttempt.objects.create(
            username=staff.email, ip_address="127.0.0.1", failures_since_start=20, get_data="", post_data=""
        )
        superuser = UserFactory(organisation=None, is_superuser=True, is_staff=True, work_roles=[])
        client.force_login(superuser)
        assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
        url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
