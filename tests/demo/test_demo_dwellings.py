"""The demo's dwellings: spread over the states, each with a history that the service could have written."""

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, Lag
from django.test import override_settings

from procurement.models import CommissioningChecklist, ProjectProcurement
from projects.models import Contact, Dwelling, DwellingTransition, Organisation, Ownership
from projects.services import dwelling_transition
from projects.services.register import REGISTER_FIELDS
from projects.states import MAIN_PATH, DwellingState, Signatory, VisitFailure
from surveys.models import Survey, Visit
from tests.factories import fill_survey

pytestmark = pytest.mark.django_db

S = DwellingState
TUINDORP = "warmtenet-tuindorp-oost"
LINDEWIJK = "buurtwarmte-lindewijk"


def demo(*args) -> str:
    """The demo without its connection plans (tests/demo/test_demo.py has those)."""
    out = io.StringIO()
    call_command("demo", "--no-plans", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _debug(settings):
    settings.DEBUG = True


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for this module; every test runs (and is rolled back) inside it."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            DEBUG=True,
            MEDIA_ROOT=tmp_path_factory.mktemp("media"),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def scaled(loaded):
    demo("--dwellings", "1500")


def dwellings(slug):
    return Dwelling.objects.filter(project__slug=slug)


def rows():
    return [m.objects.count() for m in (Dwelling, Contact, DwellingTransition)]


def test_demo_fills_both_projects_with_people(loaded):
    assert dwellings(TUINDORP).count() >= 500
    assert dwellings(LINDEWIJK).count() == 64
    assert not Dwelling.objects.filter(~Exists(Contact.objects.filter(dwelling=OuterRef("pk")))).exists()
    rentals = Dwelling.objects.exclude(ownership=Ownership.OWNER_OCCUPIED)
    assert not rentals.filter(~Exists(Contact.objects.filter(dwelling=OuterRef("pk"), role="resident")))
    tuindorp = dwellings(TUINDORP)
    assert tuindorp.exclude(owners_association="").exists()  # apartment blocks with a VvE
    assert tuindorp.filter(extra_care=True).exclude(extra_care_note="").exists()
    assert tuindorp.exclude(house_number_addition="").exists()
    assert tuindorp.exclude(house_letter="").exists()


def test_second_run_adds_nothing(loaded):
    before = rows()
    assert "nothing added" in demo()
    assert rows() == before


def test_scaling_adds_what_is_missing_and_removes_nothing(loaded):
    lindewijk = dwellings(LINDEWIJK).count()
    assert "Added" in demo("--dwellings", "1500")
    assert dwellings(TUINDORP).count() == 1500
    before = rows()
    assert "nothing added" in demo("--dwellings", "1500")
    assert "removes none" in demo("--dwellings", "100")
    assert rows() == before
    assert dwellings(LINDEWIJK).count() == lindewijk
    assert demo("--dwellings", "70", "--project", LINDEWIJK).startswith("Added 6 dwellings")


def test_every_history_chains_from_registered_to_the_state(scaled):
    log = DwellingTransition.objects.annotate(
        previous=Window(
            Lag("target", default=Value(S.REGISTERED)),
            partition_by=[F("dwelling_id")],
            order_by=[F("at").asc(), F("pk").asc()],
        ),
        previous_pk=Window(Lag("pk", default=Value(0)), partition_by=[F("dwelling_id")], order_by=[F("at")]),
    )
    assert (
        log.exclude(source=F("previous")).count() == 0
    )  # the first from registered, then each from the last
    assert log.filter(previous_pk__gt=F("pk")).count() == 0  # written in the order they happened

    last = DwellingTransition.objects.filter(dwelling=OuterRef("pk")).order_by("-at", "-pk")
    ends = Dwelling.objects.annotate(
        last_target=Coalesce(Subquery(last.values("target")[:1]), Value(S.REGISTERED)),
        last_at=Subquery(last.values("at")[:1]),
    )
    assert ends.exclude(state=F("last_target")).count() == 0
    assert ends.filter(last_at__isnull=False).exclude(state_changed_at=F("last_at")).count() == 0


def test_states_are_spread_like_a_project_in_full_swing(loaded):
    counts = dict(dwellings(TUINDORP).values_list("state").annotate(n=Count("pk")))
    assert len(counts) >= 6
    assert counts[S.CONNECTED] > 0
    assert all(counts.get(state) for state in (S.DECLINED, S.ON_HOLD, S.WITHDRAWN))
    middle = sum(counts.get(s, 0) for s in (S.INFORMED, S.SURVEY_PLANNED, S.SURVEYED, S.PLAN_READY, S.AGREED))
    assert middle > sum(counts.values()) / 2
    assert not dwellings(TUINDORP).filter(state__in=[S.DECLINED, S.ON_HOLD, S.WITHDRAWN], state_reason="")
    assert not dwellings(TUINDORP).filter(state=S.ON_HOLD, held_state="").exists()
    assert len(set(dwellings(LINDEWIJK).values_list("state", flat=True))) >= 5


def test_each_move_is_made_by_the_party_whose_move_it_is(loaded):
    made = set(
        DwellingTransition.objects.filter(dwelling__project__slug=TUINDORP)
        .values_list("transition", "actor__email")
        .distinct()
    )
    by = {
        "cooperatie@demo.test": {"inform", "decline", "reopen", "record_agreement"},
        # The heat company's planner plans the visits of its surveyors.
        "planner@demo.test": {"plan_survey"},
        # Each installer's planner plans and reports the installations of its homes.
        "installateur@demo.test": {"plan_installation", "report_installed"},
        "onderaannemer@demo.test": {"plan_installation", "report_installed"},
        # The heat company leads, is the survey party and accepts the connection.
        "warmtebedrijf@demo.test": {
            "record_survey",
            "visit_failed",
            "approve_plan",
            "assign",
            "confirm_connection",
            "reject_installation",
            "hold",
            "resume",
            "withdraw",
        },
    }
    assert made <= {(transition, email) for email, moves in by.items() for transition in moves}
    assert {"inform", "record_agreement", "plan_installation", "confirm_connection"} <= {t for t, _ in made}
    assert {("plan_survey", "planner@demo.test"), ("plan_installation", "onderaannemer@demo.test")} <= made
    assert not DwellingTransition.objects.exclude(organisation=F("actor__organisation")).exists()


def test_ownership_and_housing_association_agree(loaded):
    tuindorp = dwellings(TUINDORP)
    association = Organisation.objects.get(slug="woonstichting-de-linde")
    owned = tuindorp.filter(ownership=Ownership.HOUSING_ASSOCIATION)
    assert owned.filter(housing_association=association).count() == owned.count()
    assert not Dwelling.objects.exclude(ownership=Ownership.HOUSING_ASSOCIATION).filter(
        housing_association__isnull=False
    )
    assert 0.3 < owned.count() / tuindorp.count() < 0.5
    assert not dwellings(LINDEWIJK).filter(ownership=Ownership.HOUSING_ASSOCIATION).exists()


def test_agreements_are_signed_by_the_right_party(loaded):
    signed = Dwelling.objects.filter(
        Exists(DwellingTransition.objects.filter(dwelling=OuterRef("pk"), transition="record_agreement"))
    )
    agreed_or_further = MAIN_PATH[MAIN_PATH.index(S.AGREED) :]
    assert signed.filter(state__in=agreed_or_further).count() == dwellings_in(agreed_or_further)
    fits = (
        Q(
            ownership=Ownership.OWNER_OCCUPIED,
            signatory=Signatory.OWNER_OCCUPIER,
            tenant_supports__isnull=True,
        )
        | Q(ownership=Ownership.PRIVATE_RENTAL, signatory=Signatory.LANDLORD, tenant_supports__isnull=False)
        | Q(
            ownership=Ownership.HOUSING_ASSOCIATION,
            signatory=Signatory.HOUSING_ASSOCIATION,
            tenant_supports__isnull=False,
        )
    )
    assert signed.count() > 50
    assert not signed.exclude(fits).exists()
    assert not signed.filter(Q(signatory_name="") | Q(agreement_signed_on__isnull=True)).exists()
    assert not signed.exclude(owners_association="").filter(owners_association_consent_on__isnull=True)


def dwellings_in(states):
    return Dwelling.objects.filter(state__in=states).count()


# --- the service, replayed -----------------------------------------------------------------------


def _params(step, row, original):
    if step == "plan_survey":
        return {
            "surveyor": original.surveyor,
            "appointment_at": original.survey_appointment_at or row.at,
        }
    if step in ("visit_failed", "record_survey"):
        visit = Visit.objects.get(dwelling=original, finished_at=row.at)
        params = {"second_visit_reason": visit.second_visit_reason}
        if step == "visit_failed":
            labels = {str(choice.label): choice.value for choice in VisitFailure}
            label, _sep, _note = row.reason.partition(": ")
            params["failure"] = labels[label]
            assert visit.outcome == params["failure"]
        return params
    if step == "record_agreement":
        return {
            "signatory": original.signatory,
            "signatory_name": original.signatory_name,
            "signed_on": original.agreement_signed_on,
            "document": SimpleUploadedFile("overeenkomst.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
            "owners_association_consent_on": original.owners_association_consent_on,
            "tenant_supports": original.tenant_supports,
        }
    if step == "assign":
        return {"installer": original.installer}
    if step == "plan_installation":
        return {"planned_on": original.installation_planned_on}
    if step == "report_installed":
        return {"installed_on": original.installed_on}
    if step == "confirm_connection":
        return {"connected_on": original.connected_on}
    return {}


COMPARED = [
    "state",
    "held_state",
    "state_reason",
    "survey_party_id",
    "surveyor_id",
    "visit_count",
    "signatory",
    "signatory_name",
    "agreement_signed_on",
    "owners_association_consent_on",
    "tenant_supports",
    "installer_id",
    "installed_on",
    "connected_on",
]


def test_the_service_makes_the_same_history_from_the_same_moves(loaded):
    """Replay the log of a few demo dwellings through the service, each move at its moment: same fields,
    same log."""
    longest = dwellings(TUINDORP).annotate(moves=Count("transitions")).order_by("-moves", "pk")
    failed_visit = Exists(
        DwellingTransition.objects.filter(dwelling=OuterRef("pk"), transition="visit_failed")
    )
    samples = [
        longest.filter(state=state).first() for state in (S.CONNECTED, S.ON_HOLD, S.DECLINED, S.WITHDRAWN)
    ]
    samples += [
        longest.filter(state=S.AGREED).exclude(owners_association="").first(),
        longest.filter(state=S.ASSIGNED, ownership=Ownership.HOUSING_ASSOCIATION).first(),
        longest.filter(failed_visit).first(),
    ]
    fields = ("transition", "source", "target", "actor_id", "organisation_id", "reason")
    # The history is from before the project worked from a pool: the lead party assigned homes itself.
    ProjectProcurement.objects.filter(project__slug=TUINDORP).update(pool=None)
    # ... and before its installers completed with a checklist.
    CommissioningChecklist.objects.filter(project__slug=TUINDORP).delete()
    for number, original in enumerate(filter(None, samples)):
        register = {name: getattr(original, name) for name in REGISTER_FIELDS}
        copy = Dwelling.objects.create(
            project=original.project, **{**register, "house_number_addition": f"Z{number}", "bag_id": ""}
        )
        if hasattr(original, "survey"):
            fill_survey(copy, by=original.surveyor)
        log = list(original.transitions.select_related("actor").order_by("at", "pk"))
        for row in log:
            failure_note = row.reason.partition(": ")[2]
            # At the moment the move was made: a visit is planned on that day, not on a day past.
            with time_machine.travel(row.at, tick=False):
                dwelling_transition(
                    actor=row.actor,
                    dwelling_id=copy.pk,
                    transition=row.transition,
                    reason=failure_note if row.transition == "visit_failed" else row.reason,
                    **_params(row.transition, row, original),
                )
        copy.refresh_from_db()
        assert [getattr(copy, f) for f in COMPARED] == [getattr(original, f) for f in COMPARED], original
        replayed = copy.transitions.order_by("at", "pk").values_list(*fields)
        assert list(replayed) == [tuple(getattr(row, f) for f in fields) for row in log]


def test_every_visit_is_recorded_and_every_surveyed_home_has_a_complete_survey(loaded):
    homes = Dwelling.objects.filter(project__slug=TUINDORP)
    mismatched = homes.annotate(rows=Count("visits")).exclude(rows=F("visit_count"))
    assert not mismatched.exists()
    outcomes = dict(
        Visit.objects.filter(dwelling__project__slug=TUINDORP).values_list("outcome").annotate(n=Count("pk"))
    )
    logged = DwellingTransition.objects.filter(dwelling__project__slug=TUINDORP)
    assert outcomes["completed"] == logged.filter(transition="record_survey").count()
    assert (
        sum(n for outcome, n in outcomes.items() if outcome != "completed")
        == logged.filter(transition="visit_failed").count()
    )
    assert outcomes.get(VisitFailure.SECOND_VISIT_NEEDED, 0) > 0
    seen = set()
    for dwelling_id, reason in (
        Visit.objects.filter(dwelling__project__slug=TUINDORP)
        .order_by("dwelling_id", "started_at")
        .values_list("dwelling_id", "second_visit_reason")
    ):
        assert bool(reason) == (dwelling_id in seen), "a second visit records why, a first does not"
        seen.add(dwelling_id)
    surveyed = homes.filter(survey_completed_at__isnull=False)
    assert surveyed.count() == Survey.objects.filter(dwelling__in=surveyed).count() > 0
    for survey in Survey.objects.filter(dwelling__in=surveyed).order_by("pk")[:25]:
        assert survey.is_complete(), survey.missing()


def test_the_demo_completes_with_evidence_and_reviews(loaded):
    """A connected home with its set in the register, a rejected one back for rework with its reasons,
    one that waits for the review, all with the photos the demo drew; and a budget to compare with."""
    from procurement.models import Completion, CompletionPhoto, DeliverySet, InstallationReview

    assert (
        DeliverySet.objects.filter(project__slug=TUINDORP, serial_number__startswith="AS-2026-").count() == 1
    )
    rejected = InstallationReview.objects.get(dwelling__project__slug=TUINDORP, decision="rejected")
    assert rejected.dwelling.state == S.INSTALLATION_PLANNED and "checks.insulation" in rejected.reasons
    assert dwellings(TUINDORP).filter(state=S.INSTALLED, completion__isnull=False).exists()
    assert CompletionPhoto.objects.filter(completion__in=Completion.objects.all()).count() >= 15
    assert ProjectProcurement.objects.get(project__slug=TUINDORP).budget > 0


def test_lindewijk_tendered_its_installation_and_smit_won(loaded):
    from procurement.models import Tender

    awarded = Tender.objects.get(project__slug="buurtwarmte-lindewijk", status="awarded")
    assert awarded.agreement.installer.slug == "installatietechniek-smit"
    assert awarded.agreement.project.slug == "buurtwarmte-lindewijk" and awarded.bids.count() == 2
    assert Tender.objects.filter(project__slug="buurtwarmte-lindewijk", status="open").exists()
