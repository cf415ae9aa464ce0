"""Each organisation manages its own people: roles, invitations, blocking and unlocking after a lockout."""

import re

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from projects.models import User, WorkRole
from projects.services import people as services
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(heat_company):
    return UserFactory(organisation=heat_company, work_roles=[WorkRole.ADMINISTRATOR])


@pytest.fixture
def colleague(heat_company):
    return UserFactory(
        organisation=heat_company, work_roles=[WorkRole.COORDINATOR], email="collega@example.test"
    )


@pytest.fixture
def stranger():
    return UserFactory(organisation=OrganisationFactory(), email="vreemde@example.test")


def _login(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


class TestAddingPeople:
    def test_an_administrator_adds_a_person_who_chooses_a_password_from_the_invitation(
        self, client, administrator, django_capture_on_commit_callbacks
    ):
        client.force_login(administrator)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("people:add"),
                {
                    "first_name": "Joris",
                    "last_name": "Meijer",
                    "email": "Joris.Meijer@Example.test",
                    "work_roles": [WorkRole.FIELD_WORKER],
                },
            )
        assert response.status_code == 302
        person = User.objects.get(email="joris.meijer@example.test")
        assert person.organisation == administrator.organisation
        assert person.work_roles == [WorkRole.FIELD_WORKER]
        assert not person.has_usable_password()
        # The invitation names the organisation and carries a link to choose a password.
        (message,) = mail.outbox
        assert message.to == ["joris.meijer@example.test"]
        assert administrator.organisation.name in message.body
        link = re.search(r"https?://[^/\s]+(/password/choose/\S+)", message.body).group(1)
        client.logout()
        form = client.get(link, follow=True)
        assert form.status_code == 200
        chosen = client.post(
            form.redirect_chain[-1][0] if form.redirect_chain else link,
            {"new_password1": "Warmte-in-de-wijk-42", "new_password2": "Warmte-in-de-wijk-42"},
        )
        assert chosen.status_code == 302
        assert _login(client, "joris.meijer@example.test", "Warmte-in-de-wijk-42").status_code == 302

    def test_an_address_that_has_an_account_is_refused_and_nothing_is_sent(self, administrator, colleague):
        with pytest.raises(ValidationError) as error:
            services.person_create(
                actor=administrator,
                email="COLLEGA@example.test",
                first_name="Dubbel",
                last_name="Op",
                work_roles=[WorkRole.PLANNER],
            )
        assert "email" in error.value.message_dict
        assert not mail.outbox

    def test_a_person_needs_a_role(self, administrator):
        with pytest.raises(ValidationError) as error:
            services.person_create(
                actor=administrator, email="leeg@example.test", first_name="L", last_name="E", work_roles=[]
            )
        assert "work_roles" in error.value.message_dict
        assert not User.objects.filter(email="leeg@example.test").exists()

    def test_a_coordinator_without_the_administrator_role_does_not_manage_people(self, client, colleague):
        client.force_login(colleague)
        assert client.get(reverse("people:list")).status_code == 404
        assert client.get(reverse("people:add")).status_code == 404
        with pytest.raises(PermissionDenied):
            services.person_create(
                actor=colleague,
                email="nee@example.test",
                first_name="N",
                last_name="E",
                work_roles=["planner"],
            )


class TestChangingPeople:
    def test_roles_change_and_the_change_is_on_the_record(self, client, administrator, colleague):
        client.force_login(administrator)
        response = client.post(
            reverse("people:edit", args=[colleague.pk]),
            {
                "first_name": colleague.first_name,
                "last_name": colleague.last_name,
                "email": colleague.email,
                "work_roles": [WorkRole.READ_ONLY],
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        colleague.refresh_from_db()
        assert colleague.work_roles == [WorkRole.READ_ONLY]
        entry = LogEntry.objects.get_for_object(colleague).filter(action=LogEntry.Action.UPDATE).first()
        assert entry.actor == administrator
        assert "work_roles" in entry.changes_dict
        page = client.get(reverse("people:edit", args=[colleague.pk])).content.decode()
        assert "read_only" in page or "Alleen lezen" in page or "read-only" in page

    def test_another_organisations_people_do_not_exist_for_an_administrator(
        self, client, administrator, stranger
    ):
        roles_before = list(stranger.work_roles)
        client.force_login(administrator)
        assert client.get(reverse("people:edit", args=[stranger.pk])).status_code == 404
        assert client.post(reverse("people:unlock", args=[stranger.pk])).status_code == 404
        assert stranger.email not in client.get(reverse("people:list")).content.decode()
        with pytest.raises(User.DoesNotExist):
            services.person_update(actor=administrator, person_id=stranger.pk, work_roles=["read_only"])
        stranger.refresh_from_db()
        assert stranger.work_roles == roles_before

    def test_the_last_administrator_keeps_the_role(self, administrator):
        with pytest.raises(ValidationError) as error:
            services.person_update(actor=administrator, person_id=administrator.pk, work_roles=["planner"])
        assert "work_roles" in error.value.message_dict
        administrator.refresh_from_db()
        assert administrator.work_roles == [WorkRole.ADMINISTRATOR]

    def test_an_administrator_cannot_block_themselves(self, administrator):
        with pytest.raises(ValidationError):
            services.person_update(actor=administrator, person_id=administrator.pk, is_active=False)

    def test_a_blocked_person_cannot_log_in(self, client, administrator, colleague):
        services.person_update(actor=administrator, person_id=colleague.pk, is_active=False)
        response = _login(client, colleague.email, PASSWORD)
        assert response.status_code == 200  # the login form again, with its error
        assert "_auth_user_id" not in client.session


class TestLockout:
    def test_fifteen_wrong_passwords_lock_the_account_until_its_administrator_unlocks_it(
        self, client, administrator, colleague
    ):
        statuses = [_login(client, colleague.email, f"fout-{n}").status_code for n in range(15)]
        assert statuses[0] == 200  # a wrong password: the form again
        assert statuses[-1] == 429  # locked
        # The right password does not help while it is locked, whatever the case of the address.
        locked = _login(client, colleague.email.upper(), PASSWORD)
        assert locked.status_code == 429
        text = locked.content.decode()
        assert "geblokkeerd" in text
        assert "beheerder" in text
        assert "_auth_user_id" not in client.session
        # The administrator sees the lock and lifts it.
        client.force_login(administrator)
        people_page = client.get(reverse("people:list")).content.decode()
        assert "geblokkeerd" in people_page
        assert client.post(reverse("people:unlock", args=[colleague.pk])).status_code == 302
        assert LogEntry.objects.get_for_object(colleague).filter(changes__has_key="locked").exists()
        client.logout()
        assert _login(client, colleague.email, PASSWORD).status_code == 302

    def test_a_few_wrong_passwords_do_not_lock(self, client, colleague):
        for n in range(3):
            _login(client, colleague.email, f"fout-{n}")
        assert _login(client, colleague.email, PASSWORD).status_code == 302
