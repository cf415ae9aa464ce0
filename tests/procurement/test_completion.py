"""Completion with evidence and the heat company's review: report installed is refused until every
required item of the project's checklist is there (in the service, the API and the page), a retry is
recorded once, the heat company confirms (the set enters its register) or rejects with a reason per
item (rework, counted per installer), and no other party sees any of it."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from procurement import checklist, selectors
from procurement.models import (
    CommissioningChecklist,
    Completion,
    CompletionPhoto,
    DeliverySet,
    InstallationReview,
    UnitRate,
)
from procurement.services import (
    EvidenceMissing,
    completion_gaps,
    completion_photo_add,
    completion_report,
    completion_save_answers,
    installation_confirm,
    installation_reject,
    package_accept,
    package_offer,
)
from projects.models import Dwelling, OrganisationKind, Role, User
from projects.services import dwelling_transition
from surveys.models import Survey
from tests.conftest import member_of, next_monday
from tests.factories import UserFactory
from tests.procurement.test_offers import agreed_homes, world  # noqa: F401 - the shared fixture
from tests.world import png

pytestmark = pytest.mark.django_db

ANSWERS = {
    "delivery_set.serial_number": "DS-2026-0001",
    "heat_meter.meter_number": "HM-778812",
    "heat_meter.meter_class": "2",
    "heat_meter.start_reading": 0.001,
    "heat_meter.seal_numbers": "S-11, S-12",
    "pressure_test.primary_bar": 10,
    "pressure_test.primary_minutes": 30,
    "pressure_test.secondary_bar": 6,
    "pressure_test.secondary_minutes": 30,
    "flushing.flushed": "done",
    "temperatures.supply_temperature": 70,
    "temperatures.return_temperature": 40,
    "temperatures.hot_water_seconds": 12,
    "checks.leak_check": "done",
    "checks.insulation": "done",
    "checks.gas_capped": "done",
    "works_done.delivery_set": 1,
    "works_done.indoor_pipes": 8,
    "handover.instructed": "done",
    "handover.certified_person": "J. de Vries",
    "handover.certificate_number": "WN-4411",
}
PHOTO_ITEMS = [key for _s, f, key in checklist.all_items() if f.kind in checklist.PHOTO_KINDS]


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def image(name="photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png(), content_type="image/png")


@pytest.fixture
def planned(world):  # noqa: F811
    """The package accepted, its homes planned in its first week, the project's checklist the template."""
    package_offer(actor=world["lead"], package_id=world["package"].pk, installer_id=world["installer"].pk)
    coordinator = UserFactory(organisation=world["installer"])
    package_accept(actor=coordinator, package_id=world["package"].pk)
    for home in world["homes"]:
        dwelling_transition(
            actor=fresh(coordinator),
            dwelling_id=home.pk,
            transition="plan_installation",
            planned_on=next_monday(2),
        )
    CommissioningChecklist.objects.create(project=world["project"])
    world["coordinator"] = coordinator
    return world


def fill(actor, dwelling, *, skip=(), serial="DS-2026-0001"):
    answers = {key: value for key, value in ANSWERS.items() if key not in skip}
    answers["delivery_set.serial_number"] = serial
    completion_save_answers(actor=fresh(actor), dwelling_id=dwelling.pk, answers=answers)
    for item in PHOTO_ITEMS:
        if item not in skip:
            completion_photo_add(
                actor=fresh(actor), dwelling_id=dwelling.pk, item=item, upload=image(), client_id=uuid.uuid4()
            )


def state(dwelling) -> str:
    return Dwelling.objects.get(pk=dwelling.pk).state


class TestReport:
    def test_reporting_without_the_pressure_test_is_refused_with_the_list(self, planned):
        home, coordinator = planned["homes"][0], planned["coordinator"]
        fill(coordinator, home, skip={"pressure_test.primary_bar", "pressure_test.secondary_minutes"})
        with pytest.raises(EvidenceMissing) as caught:
            completion_report(actor=fresh(coordinator), dwelling_id=home.pk)
        assert [gap.key for gap in caught.value.gaps] == [
            "pressure_test.primary_bar",
            "pressure_test.secondary_minutes",
        ]
        assert "Pressure test: Primary side: pressure (bar)" in caught.value.messages[0]
        assert state(home) == "installation_planned"

    def test_the_api_refuses_with_what_is_missing_and_the_base_form_too(self, planned, client):
        home, coordinator = planned["homes"][0], planned["coordinator"]
        client.force_login(coordinator)
        response = client.post(
            reverse("installations_api:report", args=[home.pk]),
            {"client_id": str(uuid.uuid4())},
            content_type="application/json",
        )
        assert response.status_code == 400
        missing = [gap["key"] for gap in response.json()["missing"]]
        assert "delivery_set.serial_number" in missing and "handover.signature" in missing
        # The dwelling's own move (the base's API) obeys the same validator.
        response = client.post(
            f"/api/v1/dwellings/{home.pk}/transitions/",
            {"transition": "report_installed", "expected_state": "installation_planned"},
            content_type="application/json",
        )
        assert response.status_code == 400
        # The interface speaks Dutch by default: the page and the API say so in Dutch.
        assert "De opleverchecklist is niet compleet" in str(response.json())
        assert state(home) == "installation_planned"

    def test_with_everything_it_is_reported_once_also_when_sent_twice(self, planned, client):
        home, coordinator = planned["homes"][0], planned["coordinator"]
        fill(coordinator, home)
        assert completion_gaps(home) == []
        client.force_login(coordinator)
        report = {"client_id": str(uuid.uuid4()), "installed_on": timezone.localdate().isoformat()}
        url = reverse("installations_api:report", args=[home.pk])
        first = client.post(url, report, content_type="application/json")
        again = client.post(url, report, content_type="application/json")
        assert (first.status_code, again.status_code) == (200, 200)
        assert state(home) == "installed"
        assert home.transitions.filter(transition="report_installed").count() == 1
        completion = Completion.objects.get(dwelling=home)
        assert (
            completion.reported_by == coordinator and str(completion.report_client_id) == report["client_id"]
        )

    def test_a_wrong_file_and_a_wrong_value_change_nothing(self, planned):
        home, coordinator = planned["homes"][0], planned["coordinator"]
        with pytest.raises(ValidationError, match="not a photo"):
            completion_photo_add(
                actor=fresh(coordinator),
                dwelling_id=home.pk,
                item="delivery_set.set_photos",
                upload=SimpleUploadedFile("set.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg"),
            )
        with pytest.raises(ValidationError):
            completion_save_answers(
                actor=fresh(coordinator),
                dwelling_id=home.pk,
                answers={"heat_meter.meter_number": "HM-1", "pressure_test.primary_bar": "ten"},
            )
        assert not CompletionPhoto.objects.exists()
        assert not Completion.objects.filter(answers__has_key="heat_meter.meter_number").exists()

    def test_a_project_may_make_items_optional_but_never_the_registers(self, planned):
        from procurement.services import checklist_save

        lead, project = planned["lead"], planned["project"]
        checklist_save(actor=lead, project=project, optional_items=["temperatures.hot_water_seconds"])
        gaps = {gap.key for gap in completion_gaps(planned["homes"][0])}
        assert "temperatures.hot_water_seconds" not in gaps and "temperatures.supply_temperature" in gaps
        with pytest.raises(ValidationError, match="always required"):
            checklist_save(actor=lead, project=project, optional_items=["heat_meter.seal_numbers"])


class TestReview:
    @pytest.fixture
    def installed(self, planned):
        for number, home in enumerate(planned["homes"][:3]):
            fill(planned["coordinator"], home, serial=f"DS-{number}")
            completion_report(actor=fresh(planned["coordinator"]), dwelling_id=home.pk)
        return planned

    def test_confirming_puts_the_set_in_the_register(self, installed, client):
        home = installed["homes"][0]
        installation_confirm(actor=installed["lead"], dwelling_id=home.pk)
        assert state(home) == "connected"
        item = DeliverySet.objects.get(dwelling=home)
        assert (item.serial_number, item.meter_number, item.seal_numbers, item.owner_id) == (
            "DS-0",
            "HM-778812",
            "S-11, S-12",
            installed["lead"].organisation_id,
        )
        client.force_login(installed["lead"])
        rows = client.get(reverse("delivery_sets_api:delivery-set-list"), {"serial": "DS-0"}).json()
        assert [row["dwelling"] for row in rows["results"]] == [home.pk]
        page = client.get(reverse("installations:register"), {"q": "DS-0"})
        assert b'data-serial="DS-0"' in page.content

    def test_rejecting_sends_it_back_with_reasons_and_counts_the_rework(self, installed, client):
        home, coordinator = installed["homes"][1], installed["coordinator"]
        installation_reject(
            actor=installed["lead"],
            dwelling_id=home.pk,
            reasons={"flushing.strainer_photos": "The strainer is not on the photo", "checks.insulation": ""},
        )
        assert state(home) == "installation_planned"
        review = InstallationReview.objects.get(dwelling=home)
        assert review.reasons == {"flushing.strainer_photos": "The strainer is not on the photo"}
        rework = selectors.rework_by_installer(installed["project"])
        assert [(row["installer_id"], row["rejected"]) for row in rework] == [(installed["installer"].pk, 1)]
        # The installer sees why, puts it right and reports again.
        client.force_login(coordinator)
        page = client.get(reverse("installations:completion", args=[home.pk]))
        assert b"The strainer is not on the photo" in page.content
        completion_report(actor=fresh(coordinator), dwelling_id=home.pk, client_id=uuid.uuid4())
        assert state(home) == "installed"

    def test_a_rejection_needs_a_reason_and_a_second_review_changes_nothing(self, installed):
        home = installed["homes"][2]
        with pytest.raises(ValidationError, match="at least one item"):
            installation_reject(
                actor=installed["lead"], dwelling_id=home.pk, reasons={"checks.insulation": " "}
            )
        installation_confirm(actor=installed["lead"], dwelling_id=home.pk)
        from projects.services import DwellingChanged

        with pytest.raises(DwellingChanged):
            installation_reject(actor=installed["lead"], dwelling_id=home.pk, reasons={"": "late"})
        assert state(home) == "connected"

    def test_a_serial_already_in_the_register_is_refused(self, installed):
        first, second = installed["homes"][0], installed["homes"][1]
        installation_confirm(actor=installed["lead"], dwelling_id=first.pk)
        Completion.objects.filter(dwelling=second).update(
            answers={**ANSWERS, "delivery_set.serial_number": "DS-0"}
        )
        with pytest.raises(ValidationError, match="already in the register"):
            installation_confirm(actor=installed["lead"], dwelling_id=second.pk)
        assert state(second) == "installed"

    def test_the_installer_cannot_confirm_its_own_work(self, installed):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            installation_confirm(actor=fresh(installed["coordinator"]), dwelling_id=installed["homes"][0].pk)


class TestScope:
    def test_another_installer_and_the_municipality_see_nothing(self, planned, client):
        home, coordinator = planned["homes"][0], planned["coordinator"]
        fill(coordinator, home)
        completion_report(actor=fresh(coordinator), dwelling_id=home.pk)
        installation_confirm(actor=planned["lead"], dwelling_id=home.pk)
        photo = CompletionPhoto.objects.filter(completion__dwelling=home).first()
        other = member_of(planned["project"], OrganisationKind.INSTALLER, Role.INSTALLER)
        municipality = member_of(planned["project"], OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY)
        for outsider in (other, municipality):
            client.force_login(outsider)
            for url in (
                reverse("installations:completion", args=[home.pk]),
                reverse("installations:photo", args=[photo.pk]),
                reverse("installations_api:completion", args=[home.pk]),
                reverse("installations:project", args=[planned["project"].slug]),
                reverse("delivery_sets_api:delivery-set-detail", args=[DeliverySet.objects.get().pk]),
            ):
                assert client.get(url).status_code == 404, (outsider, url)
            assert client.get(reverse("delivery_sets_api:delivery-set-list")).json()["count"] == 0
            response = client.patch(
                reverse("installations_api:answers", args=[home.pk]),
                {"answers": {"heat_meter.meter_number": "X"}},
                content_type="application/json",
            )
            assert response.status_code == 404
        assert Completion.objects.get(dwelling=home).answers["heat_meter.meter_number"] == "HM-778812"


@pytest.fixture
def accepted(world):  # noqa: F811
    package_offer(actor=world["lead"], package_id=world["package"].pk, installer_id=world["installer"].pk)
    world["coordinator"] = UserFactory(organisation=world["installer"])
    package_accept(actor=world["coordinator"], package_id=world["package"].pk)
    return world


def plan_on(setting, home, day):
    return dwelling_transition(
        actor=fresh(setting["coordinator"]),
        dwelling_id=home.pk,
        transition="plan_installation",
        planned_on=day,
    )


class TestPlanning:
    def test_an_installation_outside_the_package_weeks_is_refused(self, accepted):
        home = accepted["homes"][0]
        with pytest.raises(ValidationError, match="within the weeks of work package"):
            plan_on(accepted, home, next_monday(6))
        assert state(home) == "assigned"
        plan_on(accepted, home, next_monday(3) + datetime.timedelta(days=4))
        assert state(home) == "installation_planned"

    def test_a_full_week_is_refused_counting_every_project(self, accepted):
        from procurement.models import InstallerProfile

        InstallerProfile.objects.filter(organisation=accepted["installer"]).update(connections_per_week=3)
        # One home of the installer planned that week in another project counts too.
        elsewhere = agreed_homes(1, another_project(), state="installation_planned")[0]
        Dwelling.objects.filter(pk=elsewhere.pk).update(
            installer=accepted["installer"], installation_planned_on=next_monday(2)
        )
        for home in accepted["homes"][:2]:
            plan_on(accepted, home, next_monday(2) + datetime.timedelta(days=1))
        with pytest.raises(ValidationError, match="is full"):
            plan_on(accepted, accepted["homes"][2], next_monday(2) + datetime.timedelta(days=2))
        assert state(accepted["homes"][2]) == "assigned"

    def test_my_week_shows_the_days_in_route_order_and_what_is_left_to_plan(self, accepted, client):
        homes = accepted["homes"]
        plan_on(accepted, homes[3], next_monday(2) + datetime.timedelta(days=1))
        plan_on(accepted, homes[1], next_monday(2) + datetime.timedelta(days=1))
        client.force_login(accepted["coordinator"])
        page = client.get(reverse("installations:my-week"), {"week": next_monday(2).isoformat()})
        tuesday = page.context["days"][1]
        by_number = sorted([homes[1], homes[3]], key=lambda home: home.house_number)
        assert [home.pk for home in tuesday["homes"]] == [home.pk for home in by_number]
        assert page.context["to_plan_count"] == 6
        # Planning from My week: another installer's home does not exist here.
        other = agreed_homes(1, accepted["project"], state="assigned")[0]
        response = client.post(
            reverse("installations:plan"),
            {"dwellings": [homes[0].pk, other.pk], "planned_on": next_monday(2).isoformat()},
        )
        assert response.status_code == 404 and state(homes[0]) == "assigned"
        client.post(
            reverse("installations:plan"),
            {"dwellings": [homes[0].pk], "planned_on": next_monday(2).isoformat()},
        )
        assert state(homes[0]) == "installation_planned"


def another_project():
    from tests.factories import ProjectFactory

    return ProjectFactory()


def test_costs_estimate_against_actual_at_the_agreements_rates(planned, client):
    home, coordinator = planned["homes"][0], planned["coordinator"]
    agreement = planned["package"].__class__.objects.get(pk=planned["package"].pk).agreement
    UnitRate.objects.create(agreement=agreement, work="delivery_set", price="1500.00")
    UnitRate.objects.create(agreement=agreement, work="indoor_pipes", unit="metre", price="40.00")
    Survey.objects.create(
        dwelling=home,
        works=[
            {"work": "delivery_set", "responsible": "heat_company"},
            {"work": "indoor_pipes", "responsible": "heat_company"},
            {"work": "radiators", "responsible": "owner"},
        ],
        answers={"delivery_set.pipe_length": {"value": 5, "by": "surveyor"}},
    )
    fill(coordinator, home)  # 1 set and 8 metres of pipe
    completion_report(actor=fresh(coordinator), dwelling_id=home.pk)
    from procurement.costs import dwelling_costs, project_costs

    row = dwelling_costs(home)
    assert (row.estimate, row.actual) == (1700, 1820)
    figures = project_costs(planned["project"])
    assert figures.done == 1 and figures.actual == 1820
    assert figures.over_dwellings == []  # 7% over its estimate, within the default margin of 10%
    from procurement.models import ProjectProcurement

    ProjectProcurement.objects.filter(project=planned["project"]).update(overrun_margin=5, budget=1000)
    figures = project_costs(planned["project"])
    assert [over.dwelling_id for over in figures.over_dwellings] == [home.pk]
    assert figures.over_budget
    client.force_login(planned["lead"])
    page = client.get(reverse("installations:project", args=[planned["project"].slug]))
    assert (
        b'data-figure="actual">\xe2\x82\xac 1,820.00' in page.content or "1.820,00" in page.content.decode()
    )


def test_my_week_takes_the_same_queries_for_10_homes_as_for_5000(accepted, client):
    """The week and the homes to plan, whatever their number: a fixed number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    installer, monday = accepted["installer"], next_monday(2)
    client.force_login(accepted["coordinator"])

    def add(count):
        Dwelling.objects.bulk_create(
            Dwelling(
                project=accepted["project"],
                street="Lijsterstraat",
                house_number=1000 + number + Dwelling.objects.count(),
                postcode="1234AB",
                city="Teststad",
                state="installation_planned" if number % 2 else "assigned",
                installer=installer,
                installation_planned_on=monday + datetime.timedelta(days=number % 5) if number % 2 else None,
            )
            for number in range(count)
        )

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("installations:my-week"), {"week": monday.isoformat()})
        assert page.status_code == 200
        return len(captured), sum(len(day["homes"]) for day in page.context["days"])

    add(10)
    few, shown_few = queries()
    add(4990)
    many, shown_many = queries()
    assert (shown_few, shown_many) == (5, 2500)
    assert many == few


def test_the_project_page_shows_budget_estimate_and_actual_to_the_lead_party_only(planned, client):
    from procurement.models import ProjectProcurement

    ProjectProcurement.objects.filter(project=planned["project"]).update(budget=50000)
    url = planned["project"].get_absolute_url()
    client.force_login(planned["lead"])
    page = client.get(url).content.decode()
    assert 'id="costs-panel"' in page and "50.000,00" in page
    municipality = member_of(planned["project"], OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY)
    client.force_login(municipality)
    page = client.get(url).content.decode()
    assert 'id="costs-panel"' not in page and "€" not in page


class TestMoving:
    @pytest.fixture
    def second(self, accepted):
        from procurement.models import Pool
        from tests.procurement.test_offers import agreement_for, installer_in

        installer = installer_in(accepted["project"], capacity=10, name="Installatiebedrijf Kolk")
        agreement_for(installer, accepted["lead"].organisation, pool=Pool.objects.get())
        accepted["second"] = installer
        accepted["second_coordinator"] = UserFactory(organisation=installer)
        return accepted

    def test_part_of_a_package_moves_and_the_new_installer_takes_it_over(self, second):
        from procurement.models import PackageDwelling, PackageStatus
        from procurement.services import package_move

        homes, package = second["homes"], second["package"]
        plan_on(second, homes[0], next_monday(2))
        completion_save_answers(
            actor=fresh(second["coordinator"]),
            dwelling_id=homes[0].pk,
            answers={"delivery_set.serial_number": "DS-KOLK"},
        )
        package.refresh_from_db()
        moved = package_move(
            actor=second["lead"],
            package_id=package.pk,
            installer_id=second["second"].pk,
            dwelling_ids=[homes[0].pk, homes[1].pk],
            expected_version=package.version,
        )
        assert moved.status == PackageStatus.OFFERED and moved.installer == second["second"]
        assert set(moved.open_dwelling_ids) == {homes[0].pk, homes[1].pk}
        assert Dwelling.objects.get(pk=homes[0].pk).installer == second["installer"]  # until it accepts
        package_accept(actor=fresh(second["second_coordinator"]), package_id=moved.pk)
        first, other = Dwelling.objects.get(pk=homes[0].pk), Dwelling.objects.get(pk=homes[1].pk)
        assert (first.state, first.installer, first.installation_planned_on) == (
            "assigned",
            second["second"],
            None,
        )
        assert other.installer == second["second"]
        assert first.transitions.filter(transition="reassign").count() == 1
        # What was recorded stays with the dwelling, now the new installer's to carry on.
        completion_save_answers(
            actor=fresh(second["second_coordinator"]),
            dwelling_id=first.pk,
            answers={"heat_meter.meter_number": "HM-KOLK"},
        )
        kept = Completion.objects.get(dwelling=first)
        assert kept.answers["delivery_set.serial_number"] == "DS-KOLK" and kept.installer == second["second"]
        # The rest of the first package stays with the first installer.
        assert PackageDwelling.objects.filter(package=package, open=True).count() == 6
        with pytest.raises(Exception):  # noqa: B017 - the first installer no longer fills this checklist
            completion_save_answers(
                actor=fresh(second["coordinator"]),
                dwelling_id=first.pk,
                answers={"checks.insulation": "done"},
            )

    def test_a_move_to_a_full_installer_is_refused_and_changes_nothing(self, second):
        from procurement.models import InstallerProfile, PackageDwelling, WorkPackage
        from procurement.services import package_move

        InstallerProfile.objects.filter(organisation=second["second"]).update(connections_per_week=1)
        package = WorkPackage.objects.get(pk=second["package"].pk)
        before = list(PackageDwelling.objects.values_list("package_id", "dwelling_id", "open").order_by("pk"))
        with pytest.raises(ValidationError, match="connections a week"):
            package_move(actor=second["lead"], package_id=package.pk, installer_id=second["second"].pk)
        assert (
            list(PackageDwelling.objects.values_list("package_id", "dwelling_id", "open").order_by("pk"))
            == before
        )
        assert WorkPackage.objects.count() == 1

    def test_only_the_lead_party_moves_work_and_a_stale_form_changes_nothing(self, second):
        from django.core.exceptions import PermissionDenied

        from procurement.services import PackageChanged, package_move

        package = second["package"]
        with pytest.raises(PermissionDenied):
            package_move(
                actor=fresh(second["coordinator"]), package_id=package.pk, installer_id=second["second"].pk
            )
        with pytest.raises(PackageChanged):
            package_move(
                actor=second["lead"],
                package_id=package.pk,
                installer_id=second["second"].pk,
                expected_version=1,
            )

    def test_the_page_and_the_api_move_work_and_another_installer_cannot(self, second, client):
        package = second["package"]
        package.refresh_from_db()
        client.force_login(second["lead"])
        response = client.post(
            reverse("packages:move", args=[second["project"].slug, package.number]),
            {
                "installer": second["second"].pk,
                "dwellings": [second["homes"][2].pk],
                "version": package.version,
            },
        )
        assert response.status_code == 302
        assert (
            Dwelling.objects.get(pk=second["homes"][2].pk)
            .package_items.filter(open=True)
            .get()
            .package.number
            == 2
        )
        package.refresh_from_db()
        client.force_login(second["second_coordinator"])
        response = client.post(
            f"/api/v1/packages/{package.pk}/move/",
            {"installer": second["second"].pk, "version": package.version},
            content_type="application/json",
        )
        assert response.status_code == 404  # another installer's package does not exist for it
        client.force_login(second["lead"])
        response = client.post(
            f"/api/v1/packages/{package.pk}/move/",
            {
                "installer": second["second"].pk,
                "dwellings": [second["homes"][3].pk],
                "version": package.version,
            },
            content_type="application/json",
        )
        assert response.status_code == 200 and response.json()["number"] == 3


def test_extra_work_approved_by_the_lead_party_counts_and_only_it_approves(planned, client):
    from procurement.costs import dwelling_costs
    from procurement.models import ExtraWork, UnitRate

    home, coordinator = planned["homes"][0], planned["coordinator"]
    agreement = planned["package"].__class__.objects.get(pk=planned["package"].pk).agreement
    UnitRate.objects.create(agreement=agreement, work="delivery_set", price="1500.00")
    fill(coordinator, home)
    completion_report(actor=fresh(coordinator), dwelling_id=home.pk)
    client.force_login(coordinator)
    client.post(
        reverse("installations:extra-work", args=[home.pk]),
        {"description": "Meterkast vergroot", "amount": "350", "reason": "Te krap"},
    )
    assert not ExtraWork.objects.exists()  # the installer does not approve its own extra work
    client.force_login(planned["lead"])
    client.post(
        reverse("installations:extra-work", args=[home.pk]),
        {"description": "Meterkast vergroot", "amount": "-5", "reason": "Te krap"},
    )
    assert not ExtraWork.objects.exists()  # a wrong amount changes nothing
    client.post(
        reverse("installations:extra-work", args=[home.pk]),
        {"description": "Meterkast vergroot", "amount": "350,00", "reason": "Te krap"},
    )
    assert dwelling_costs(home).actual == 1500 + 350
    client.force_login(coordinator)  # the installer sees its own amounts on its dwelling
    assert (
        "Meterkast vergroot"
        in client.get(reverse("installations:completion", args=[home.pk])).content.decode()
    )


def test_the_lead_party_sets_budget_and_optional_items_in_a_page(planned, client):
    from procurement.models import CommissioningChecklist, ProjectProcurement

    url = reverse("installations:settings", args=[planned["project"].slug])
    client.force_login(planned["coordinator"])
    assert client.get(url).status_code == 404  # an installer sees no project costs or settings
    client.force_login(planned["lead"])
    response = client.post(
        url,
        {"budget": "125000", "overrun_margin": "15", "optional_items": ["temperatures.hot_water_seconds"]},
    )
    assert response.status_code == 302
    choice = ProjectProcurement.objects.get(project=planned["project"])
    assert (choice.budget, choice.overrun_margin) == (125000, 15)
    assert CommissioningChecklist.objects.get(project=planned["project"]).optional_items == [
        "temperatures.hot_water_seconds"
    ]
    response = client.post(
        url, {"budget": "1", "overrun_margin": "15", "optional_items": ["heat_meter.seal_numbers"]}
    )
    assert response.status_code == 400  # not a choice: the register's items are never optional
    assert ProjectProcurement.objects.get(project=planned["project"]).budget == 125000
