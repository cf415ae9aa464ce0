"""Editing governance: lead party only, logged field by field, safe against stale forms."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects import services
from projects.models import Governance, OrganisationKind, Role
from projects.selectors import governance_log
from tests.conftest import member_of

pytestmark = pytest.mark.django_db


def form_data(governance, **overrides):
    data = {name: getattr(governance, name) or "" for name in services.GOVERNANCE_FIELDS}
    data.pop("agreement_document")
    data["agreement_signed_on"] = (
        governance.agreement_signed_on.isoformat() if governance.agreement_signed_on else ""
    )
    data["version"] = governance.version
    data.update(overrides)
    return data


def test_lead_party_changes_governance_and_the_log_says_who_old_and_new(client, lead_user, advised_project):
    client.force_login(lead_user)
    governance = advised_project.governance
    response = client.post(
        reverse("projects:governance", args=[advised_project.slug]),
        form_data(governance, communication="dispersed"),
    )
    assert response.status_code == 302
    governance.refresh_from_db()
    assert governance.communication == "dispersed"
    assert governance.version == 2

    entry = governance_log(project=advised_project).first()
    assert entry.actor == lead_user
    assert entry.changes_dict == {"communication": ["central_active", "dispersed"]}

    page = client.get(reverse("projects:governance-log", args=[advised_project.slug]))
    assert lead_user.get_full_name() in page.text
    assert lead_user.organisation.name in page.text


def test_non_lead_participant_gets_403_and_nothing_changes(client, advised_project):
    installer = member_of(advised_project, OrganisationKind.INSTALLER, Role.SUBCONTRACTOR)
    client.force_login(installer)
    governance = advised_project.governance
    response = client.post(
        reverse("projects:governance", args=[advised_project.slug]),
        form_data(governance, lead_model="shared"),
    )
    assert response.status_code == 403
    governance.refresh_from_db()
    assert governance.lead_model == "central"
    with pytest.raises(PermissionDenied):
        services.governance_update(
            actor=installer, project=advised_project, version=governance.version, lead_model="shared"
        )


def test_stale_form_is_refused_with_a_message_and_changes_nothing(client, lead_user, advised_project):
    client.force_login(lead_user)
    governance = advised_project.governance
    stale = form_data(governance, procurement="ad_hoc")
    # Someone else saves first.
    services.governance_update(
        actor=lead_user, project=advised_project, version=governance.version, tender="split"
    )
    response = client.post(reverse("projects:governance", args=[advised_project.slug]), stale)
    assert response.status_code == 200
    assert "meanwhile" in response.text or "intussen" in response.text
    governance.refresh_from_db()
    assert governance.procurement == "framework"
    assert governance.tender == "split"


def test_double_submit_saves_once_and_logs_once(client, lead_user, advised_project):
    client.force_login(lead_user)
    data = form_data(advised_project.governance, survey_visits="several")
    url = reverse("projects:governance", args=[advised_project.slug])
    assert client.post(url, data).status_code == 302
    second = client.post(url, data)
    assert second.status_code == 200  # the second post carries an old version: refused, not saved twice
    assert governance_log(project=advised_project).filter(action=LogEntry.Action.UPDATE).count() == 1


def test_signed_agreement_needs_a_date(client, lead_user, advised_project):
    client.force_login(lead_user)
    response = client.post(
        reverse("projects:governance", args=[advised_project.slug]),
        form_data(advised_project.governance, agreement_signed_on=""),
    )
    assert response.status_code == 200
    assert "agreement_signed_on" in response.context["form"].errors
    assert Governance.objects.get(project=advised_project).agreement_signed_on == datetime.date(2026, 2, 1)


def test_collaboration_form_only_for_formal(client, lead_user, advised_project):
    client.force_login(lead_user)
    response = client.post(
        reverse("projects:governance", args=[advised_project.slug]),
        form_data(
            advised_project.governance,
            collaboration="informal",
            agreement="none",
            agreement_signed_on="",
        ),
    )
    assert response.status_code == 200
    assert Governance.objects.get(project=advised_project).collaboration == "formal"


def test_agreement_must_be_a_real_pdf(client, lead_user, advised_project):
    client.force_login(lead_user)
    url = reverse("projects:governance", args=[advised_project.slug])
    fake = SimpleUploadedFile("overeenkomst.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url, {**form_data(advised_project.governance), "agreement_document": fake})
    assert response.status_code == 200
    assert "agreement_document" in response.context["form"].errors
    assert not Governance.objects.get(project=advised_project).agreement_document

    real = SimpleUploadedFile(
        "overeenkomst.pdf", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n", content_type="application/pdf"
    )
    response = client.post(url, {**form_data(advised_project.governance), "agreement_document": real})
    assert response.status_code == 302
    download = client.get(reverse("projects:agreement", args=[advised_project.slug]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_agreement_download_is_scoped(client, lead_user, advised_project, outsider_project):
    outsider = member_of(outsider_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY)
    client.force_login(lead_user)
    real = SimpleUploadedFile("a.pdf", b"%PDF-1.7\n", content_type="application/pdf")
    client.post(
        reverse("projects:governance", args=[advised_project.slug]),
        {**form_data(advised_project.governance), "agreement_document": real},
    )
    client.force_login(outsider)
    assert client.get(reverse("projects:agreement", args=[advised_project.slug])).status_code == 404


class TestApi:
    url = "/api/v1/projects/{}/governance/"

    def test_lead_patches_with_version(self, client, lead_user, advised_project):
        client.force_login(lead_user)
        response = client.patch(
            self.url.format(advised_project.slug),
            {"procurement": "integrated", "version": 1},
            content_type="application/json",
        )
        assert response.status_code == 200, response.json()
        assert response.json()["procurement"] == "integrated"
        assert response.json()["version"] == 2

    def test_stale_version_answers_409(self, client, lead_user, advised_project):
        client.force_login(lead_user)
        services.governance_update(actor=lead_user, project=advised_project, version=1, tender="split")
        response = client.patch(
            self.url.format(advised_project.slug),
            {"procurement": "ad_hoc", "version": 1},
            content_type="application/json",
        )
        assert response.status_code == 409
        assert Governance.objects.get(project=advised_project).procurement == "framework"

    def test_missing_version_is_a_clear_400(self, client, lead_user, advised_project):
        client.force_login(lead_user)
        response = client.patch(
            self.url.format(advised_project.slug), {"procurement": "ad_hoc"}, content_type="application/json"
        )
        assert response.status_code == 400
        assert "version" in response.json()

    def test_invalid_choice_is_a_clear_400(self, client, lead_user, advised_project):
        client.force_login(lead_user)
        response = client.patch(
            self.url.format(advised_project.slug),
            {"procurement": "whatever", "version": 1},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert "procurement" in response.json()

    def test_non_lead_gets_403(self, client, advised_project):
        client.force_login(member_of(advised_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY))
        response = client.patch(
            self.url.format(advised_project.slug),
            {"procurement": "ad_hoc", "version": 1},
            content_type="application/json",
        )
        assert response.status_code == 403
        assert Governance.objects.get(project=advised_project).procurement == "framework"

    def test_detail_carries_governance_and_advisories(self, client, lead_user, advised_project):
        client.force_login(lead_user)
        services.governance_update(
            actor=lead_user, project=advised_project, version=1, responsibility_boundary="facade"
        )
        data = client.get(f"/api/v1/projects/{advised_project.slug}/").json()
        assert data["governance"]["responsibility_boundary"] == "facade"
        assert [a["code"] for a in data["advisories"]] == ["boundary_facade"]
        assert data["advisories"][0]["severity"] == "HIGH"
        log = client.get(f"/api/v1/projects/{advised_project.slug}/governance-log/").json()
        assert log["results"][0]["changes"] == {"responsibility_boundary": ["delivery_set", "facade"]}


class TestProjectFactsApi:
    url = "/api/v1/projects/{}/"

    def test_lead_corrects_the_facts_and_the_change_is_logged(self, client, lead_user, advised_project):
        client.force_login(lead_user)
        response = client.patch(
            self.url.format(advised_project.slug),
            {"planned_dwellings": 130, "signup_threshold": 65},
            content_type="application/json",
        )
        assert response.status_code == 200, response.json()
        assert (response.json()["planned_dwellings"], response.json()["signup_threshold"]) == (130, 65)
        advised_project.refresh_from_db()
        assert advised_project.planned_dwellings == 130
        assert LogEntry.objects.get_for_object(advised_project).filter(changes__icontains="planned_dwellings")

    def test_bad_values_are_400_and_change_nothing(self, client, lead_user, advised_project):
        client.force_login(lead_user)
        before = (advised_project.name, advised_project.planned_dwellings)
        bad = {"planned_dwellings": -4, "name": "Nieuw"}
        response = client.patch(self.url.format(advised_project.slug), bad, content_type="application/json")
        assert response.status_code == 400 and "planned_dwellings" in response.json()
        # A target date before the start breaks the model's rule: 400 too.
        late = {"target_date": "2000-01-01"}
        assert (
            client.patch(
                self.url.format(advised_project.slug), late, content_type="application/json"
            ).status_code
            == 400
        )
        advised_project.refresh_from_db()
        assert (advised_project.name, advised_project.planned_dwellings) == before

    def test_other_parties_cannot_change_the_facts(self, client, advised_project, outsider_project):
        client.force_login(member_of(advised_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY))
        url = self.url.format(advised_project.slug)
        assert client.patch(url, {"name": "X"}, content_type="application/json").status_code == 403
        client.force_login(member_of(outsider_project, OrganisationKind.HEAT_COMPANY, Role.LEAD))
        assert client.patch(url, {"name": "X"}, content_type="application/json").status_code == 404
        advised_project.refresh_from_db()
        assert advised_project.name != "X"
