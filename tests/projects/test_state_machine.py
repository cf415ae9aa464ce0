"""The connection state machine of a dwelling, through its one service.

The expected behaviour below is written out by hand from the rules of the issue (who may do what, from
which state, with what), never derived from the code under test:

- ``TABLE``: for every transition (and for the side exits from several states) what each party kind gets:
  the move, a refusal because its organisation may not make it (PermissionDenied), or nothing at all
  because the dwelling does not exist for it (Dwelling.DoesNotExist, a 404).
- ``SOURCES``: the states each transition starts from; from every other state the move is refused.
"""

import datetime
import itertools
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from projects.models import (
    Dwelling,
    DwellingTransition,
    Organisation,
    OrganisationKind,
    Ownership,
    Project,
    Role,
    User,
)
from projects.services import (
    DwellingChanged,
    TransitionRefused,
    dwelling_transition,
    dwellings_bulk_transition,
)
from projects.services.dwellings import available_transitions
from projects.states import DwellingState, VisitFailure
from surveys.models import Visit
from tests.conftest import member_of
from tests.factories import (
    DwellingFactory,
    OrganisationFactory,
    ParticipationFactory,
    UserFactory,
    fill_survey,
)

pytestmark = pytest.mark.django_db

S = DwellingState

# --- the parties ---------------------------------------------------------------------------------

PARTIES = (
    "lead",  # the heat company that leads (in the advised project also heat company and communicating party)
    "heat_company",  # a heat company in the project that does not lead
    "cooperative",  # a heat cooperative, communicating party
    "survey_party",  # a planner of the survey party (an installer)
    "surveyor",  # the surveyor of that survey party who is (or will be) assigned to the dwelling
    "installer",  # the main contractor, the dwelling's installer once it is assigned
    "other_installer",  # another installer (subcontractor) in the project
    "association",  # the housing association that owns the dwelling
    "municipality",
    "grid_operator",
    "water_company",
    "outsider",  # the lead of another project
)


@dataclass
class World:
    project: Project
    users: dict[str, User]
    survey_org: Organisation
    installer_org: Organisation
    other_installer_org: Organisation
    association_org: Organisation


@pytest.fixture
def world(advised_project, lead_user, outsider_project):
    project = advised_project
    survey_org = OrganisationFactory(kind=OrganisationKind.INSTALLER, name="Schouwbureau Noord")
    ParticipationFactory(project=project, organisation=survey_org, role=Role.SURVEY_PARTY)
    association_org = OrganisationFactory(kind=OrganisationKind.HOUSING_ASSOCIATION, name="Woonstichting")
    ParticipationFactory(project=project, organisation=association_org, role=Role.HOUSING_ASSOCIATION)
    installer_org = project.participations.get(role=Role.MAIN_CONTRACTOR).organisation
    stakeholders = project.participations.filter(role=Role.STAKEHOLDER).select_related("organisation")
    stakeholder = {p.organisation.kind: p.organisation for p in stakeholders}
    other_installer = member_of(project, OrganisationKind.INSTALLER, Role.SUBCONTRACTOR)
    users = {
        "lead": lead_user,
        "heat_company": member_of(project, OrganisationKind.HEAT_COMPANY, Role.HEAT_COMPANY),
        "cooperative": member_of(project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY),
        "survey_party": UserFactory(organisation=survey_org),
        "surveyor": UserFactory(organisation=survey_org),
        "installer": UserFactory(organisation=installer_org),
        "other_installer": other_installer,
        "association": UserFactory(organisation=association_org),
        "municipality": member_of(project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY),
        "grid_operator": UserFactory(organisation=stakeholder[OrganisationKind.GRID_OPERATOR]),
        "water_company": UserFactory(organisation=stakeholder[OrganisationKind.WATER_COMPANY]),
        "outsider": UserFactory(
            organisation=outsider_project.participations.get(role=Role.LEAD).organisation
        ),
    }
    assert set(users) == set(PARTIES)
    return World(
        project=project,
        users=users,
        survey_org=survey_org,
        installer_org=installer_org,
        other_installer_org=other_installer.organisation,
        association_org=association_org,
    )


# --- dwellings put in a state, with what that state implies --------------------------------------


def today():
    return timezone.localdate()


def state_fields(world: World, state: str) -> dict:
    """The fields a dwelling that honestly reached ``state`` on the main path has filled in."""
    fields = {}
    order = [s.value for s in (S.SURVEY_PLANNED, S.SURVEYED, S.PLAN_READY, S.AGREED, S.ASSIGNED)]
    order += [S.INSTALLATION_PLANNED.value, S.INSTALLED.value, S.CONNECTED.value]
    reached = order[: order.index(state) + 1] if state in order else []
    if S.SURVEY_PLANNED in reached:
        fields.update(
            survey_party=world.survey_org,
            surveyor=world.users["surveyor"],
            survey_appointment_at=timezone.now() + datetime.timedelta(days=2),
        )
    if S.SURVEYED in reached:
        fields.update(survey_completed_at=timezone.now() - datetime.timedelta(hours=1), visit_count=1)
    if S.PLAN_READY in reached:
        fields.update(plan_approved_at=timezone.now() - datetime.timedelta(minutes=30))
    if S.AGREED in reached:
        fields.update(
            signatory="housing_association",
            signatory_name="Woonstichting, afd. Vastgoed",
            agreement_signed_on=today() - datetime.timedelta(days=3),
            tenant_supports=True,
        )
    if S.ASSIGNED in reached:
        fields.update(installer=world.installer_org)
    if S.INSTALLATION_PLANNED in reached:
        fields.update(installation_planned_on=today())
    if S.INSTALLED in reached:
        fields.update(installed_on=today())
    if S.CONNECTED in reached:
        fields.update(connected_on=today())
    return fields


def make_dwelling(world: World, state: str, via: str | None = None, **overrides) -> Dwelling:
    """A housing-association home of ``world`` in ``state``.

    ``via``: for declined, on_hold and withdrawn the state it was in before (on_hold keeps it as the
    held state), so it carries that state's fields.
    """
    fields = {
        "project": world.project,
        "ownership": Ownership.HOUSING_ASSOCIATION,
        "housing_association": world.association_org,
        "state": state,
    }
    if state == S.ON_HOLD:
        fields["held_state"] = via
    if state in (S.DECLINED, S.ON_HOLD, S.WITHDRAWN):
        fields["state_reason"] = "Eerder vastgelegd."
    fields.update(state_fields(world, via or state))
    fields.update(overrides)
    dwelling = DwellingFactory(**fields)
    if dwelling.surveyor_id:
        fill_survey(dwelling)
    return dwelling


def agreement_document():
    return SimpleUploadedFile("akkoord.pdf", b"%PDF-1.4 getekend", content_type="application/pdf")


def valid_params(world: World, transition: str) -> dict:
    """Everything a transition needs, for the association home of ``world``."""
    return {
        "plan_survey": lambda: {
            "surveyor": world.users["surveyor"],
            "appointment_at": timezone.now() + datetime.timedelta(days=3),
        },
        "visit_failed": lambda: {"failure": VisitFailure.NOT_HOME},
        "reschedule_survey": lambda: {
            "surveyor": world.users["surveyor"],
            "appointment_at": timezone.now() + datetime.timedelta(days=5),
        },
        "record_agreement": lambda: {
            "signatory": "housing_association",
            "signatory_name": "Woonstichting, afd. Vastgoed",
            "signed_on": today(),
            "document": agreement_document(),
            "tenant_supports": True,
        },
        "assign": lambda: {"installer": world.installer_org},
        "reassign": lambda: {"installer": world.other_installer_org, "reason": "Ploeg valt uit."},
        "plan_installation": lambda: {"planned_on": today() + datetime.timedelta(days=7)},
        "reschedule_installation": lambda: {"planned_on": today() + datetime.timedelta(days=8)},
        "report_installed": lambda: {"installed_on": today()},
        "confirm_connection": lambda: {"connected_on": today()},
        "reject_installation": lambda: {"reason": "Afleverset lekt bij de retour."},
        "decline": lambda: {"reason": "De eigenaar wil niet."},
        "hold": lambda: {"reason": "Asbestonderzoek loopt."},
        "withdraw": lambda: {"reason": "Wordt gesloopt."},
    }.get(transition, dict)()


def snapshot(dwelling: Dwelling) -> dict:
    return Dwelling.objects.filter(pk=dwelling.pk).values().get()


def assert_refused(exc, *, actor, dwelling, transition, **kwargs):
    """The move raises exactly ``exc``, changes nothing and writes no log row."""
    before = snapshot(dwelling)
    rows_before = DwellingTransition.objects.count()
    with pytest.raises(exc) as info:
        dwelling_transition(actor=actor, dwelling_id=dwelling.pk, transition=transition, **kwargs)
    assert type(info.value) is exc, f"{transition}: expected {exc.__name__}, got {type(info.value).__name__}"
    assert snapshot(dwelling) == before
    assert DwellingTransition.objects.count() == rows_before
    return info.value


def assert_moved(*, actor, dwelling, transition, target, reason="", **kwargs) -> Dwelling:
    """The move succeeds and writes exactly one complete log row."""
    source = Dwelling.objects.get(pk=dwelling.pk).state
    rows_before = set(DwellingTransition.objects.filter(dwelling=dwelling).values_list("pk", flat=True))
    result = dwelling_transition(
        actor=actor, dwelling_id=dwelling.pk, transition=transition, reason=reason, **kwargs
    )
    stored = Dwelling.objects.get(pk=dwelling.pk)
    assert result.state == stored.state == target
    new_rows = DwellingTransition.objects.filter(dwelling=dwelling).exclude(pk__in=rows_before)
    assert new_rows.count() == 1
    row = new_rows.get()
    assert (row.transition, row.source, row.target) == (transition, source, target)
    assert row.actor == actor
    assert row.organisation_id == actor.organisation_id
    if transition == "visit_failed":  # the reason is the failure, plus what the surveyor added
        assert reason.strip() in row.reason
    else:
        assert row.reason == reason.strip()
    assert abs(row.at - stored.state_changed_at) < datetime.timedelta(seconds=1)
    return stored


# --- (1) who may do what: the table ---------------------------------------------------------------
#
# Y = the move is made; N = PermissionDenied (the party sees the dwelling but may not do this);
# - = Dwelling.DoesNotExist (the dwelling is outside the party's scope: 404).
# The installer sees a dwelling only once it is assigned to it; the survey party sees the dwellings
# assigned to it, and those without a survey party while registered or informed; municipality, grid
# operator, water company and outsiders see none. "was/held": for a side state, the state the
# dwelling was in before.
#
# fmt: off
TABLE = [
    #                                                             l h c s s i o a m g w o
    #                                                             e e o u v n i s u r a u
    #                                                             a a o r y s n s n i t t
    # transition             source                  was/held     d t p v r t s o i d r s
    ("inform",              "registered",           None,        "Y N Y N N - - N - - - -"),
    ("plan_survey",         "informed",             None,        "N N N Y Y - - N - - - -"),
    ("record_survey",       "survey_planned",       None,        "N N N N Y - - N - - - -"),
    ("visit_failed",        "survey_planned",       None,        "N N N N Y - - N - - - -"),
    ("reschedule_survey",   "survey_planned",       None,        "N N N Y Y - - N - - - -"),
    ("cancel_survey",       "survey_planned",       None,        "N N N Y Y - - N - - - -"),
    ("approve_plan",        "surveyed",             None,        "Y N N N N - - N - - - -"),
    ("record_agreement",    "plan_ready",           None,        "Y N Y N N - - N - - - -"),
    ("assign",              "agreed",               None,        "Y N N N N - - N - - - -"),
    ("reassign",            "assigned",             None,        "Y N N N N N - N - - - -"),
    ("reassign",            "installation_planned", None,        "Y N N N N N - N - - - -"),
    ("plan_installation",   "assigned",             None,        "N N N N N Y - N - - - -"),
    ("reschedule_installation", "installation_planned", None,    "N N N N N Y - N - - - -"),
    ("report_installed",    "installation_planned", None,        "N N N N N Y - N - - - -"),
    ("confirm_connection",  "installed",            None,        "Y Y N N N N - N - - - -"),
    ("reject_installation", "installed",            None,        "Y Y N N N N - N - - - -"),
    ("decline",             "informed",             None,        "Y N Y N N - - N - - - -"),
    ("decline",             "agreed",               None,        "Y N Y N N - - N - - - -"),
    ("reopen",              "declined",             "surveyed",  "Y N Y N N - - N - - - -"),
    ("hold",                "registered",           None,        "Y N N N N - - N - - - -"),
    ("hold",                "installation_planned", None,        "Y N N N N N - N - - - -"),
    ("resume",              "on_hold",              "surveyed",  "Y N N N N - - N - - - -"),
    ("resume",              "on_hold",              "installed", "Y N N N N N - N - - - -"),
    ("withdraw",            "registered",           None,        "Y N N N N - - N - - - -"),
    ("withdraw",            "declined",             "informed",  "Y N N - - - - N - - - -"),
    ("withdraw",            "on_hold",              "assigned",  "Y N N N N N - N - - - -"),
    ("withdraw",            "installed",            None,        "Y N N N N N - N - - - -"),
]
# fmt: on
# Where each move leads; resume goes back to the state the dwelling was held in.
TARGET = {
    "inform": S.INFORMED,
    "plan_survey": S.SURVEY_PLANNED,
    "record_survey": S.SURVEYED,
    "visit_failed": S.INFORMED,
    "reschedule_survey": S.SURVEY_PLANNED,
    "cancel_survey": S.INFORMED,
    "approve_plan": S.PLAN_READY,
    "record_agreement": S.AGREED,
    "assign": S.ASSIGNED,
    "reassign": S.ASSIGNED,
    "plan_installation": S.INSTALLATION_PLANNED,
    "reschedule_installation": S.INSTALLATION_PLANNED,
    "report_installed": S.INSTALLED,
    "confirm_connection": S.CONNECTED,
    "reject_installation": S.INSTALLATION_PLANNED,
    "decline": S.DECLINED,
    "reopen": S.INFORMED,
    "hold": S.ON_HOLD,
    "resume": None,
    "withdraw": S.WITHDRAWN,
}
OUTCOMES = {"Y": "allowed", "N": PermissionDenied, "-": Dwelling.DoesNotExist}

TABLE_CASES = [
    pytest.param(
        transition,
        source,
        via,
        target,
        party,
        OUTCOMES[code],
        id=f"{transition}-from-{source}{'-' + via if via else ''}-by-{party}",
    )
    for transition, source, via, row in TABLE
    for target in [TARGET[transition] or via]
    for party, code in zip(PARTIES, row.split(), strict=True)
]


def test_the_table_covers_every_transition():
    from projects.models import Dwelling
    from projects.workflow import MOVES

    assert {row[0] for row in TABLE} == set(MOVES)
    # Every transition of the model is declared in the workflow, and every declared move is one.
    model = {t.name for t in Dwelling._meta.get_field("state").get_all_transitions(Dwelling)}
    assert model == set(MOVES)


@pytest.mark.parametrize(("transition", "source", "via", "target", "party", "expected"), TABLE_CASES)
def test_who_may_do_what(world, transition, source, via, target, party, expected):
    dwelling = make_dwelling(world, source, via)
    actor = world.users[party]
    params = valid_params(world, transition)
    if expected == "allowed":
        assert transition in {spec.name for spec in available_transitions(actor, dwelling)}
        assert_moved(actor=actor, dwelling=dwelling, transition=transition, target=target, **params)
    else:
        if expected is PermissionDenied:
            assert transition not in {spec.name for spec in available_transitions(actor, dwelling)}
        assert_refused(expected, actor=actor, dwelling=dwelling, transition=transition, **params)


def test_a_lead_without_the_heat_company_role_cannot_accept_the_delivery_set(world):
    """Accepting the delivery set belongs to the role heat company, not to leading."""
    world.project.participations.filter(organisation=world.users["lead"].organisation).exclude(
        role=Role.LEAD
    ).delete()
    lead = User.objects.get(pk=world.users["lead"].pk)  # fresh: roles are cached per user object
    for transition in ("confirm_connection", "reject_installation"):
        dwelling = make_dwelling(world, S.INSTALLED)
        assert_refused(
            PermissionDenied,
            actor=lead,
            dwelling=dwelling,
            transition=transition,
            **valid_params(world, transition),
        )
    informed = make_dwelling(world, S.INFORMED)
    assert_moved(actor=lead, dwelling=informed, transition="decline", target=S.DECLINED, reason="Nee.")


def test_another_survey_partys_dwelling_is_out_of_scope(world):
    other = member_of(world.project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
    dwelling = make_dwelling(world, S.SURVEY_PLANNED)
    assert_refused(Dwelling.DoesNotExist, actor=other, dwelling=dwelling, transition="record_survey")
    assert_refused(
        Dwelling.DoesNotExist,
        actor=other,
        dwelling=dwelling,
        transition="visit_failed",
        failure=VisitFailure.NO_ACCESS,
    )


def test_a_surveyor_no_longer_assigned_may_not_record(world):
    colleague = UserFactory(organisation=world.survey_org)
    dwelling = make_dwelling(world, S.SURVEY_PLANNED, surveyor=colleague)
    assert_refused(
        PermissionDenied, actor=world.users["surveyor"], dwelling=dwelling, transition="record_survey"
    )
    assert_moved(actor=colleague, dwelling=dwelling, transition="record_survey", target=S.SURVEYED)


def test_another_installer_never_sees_an_assigned_dwelling(world):
    dwelling = make_dwelling(world, S.ASSIGNED)
    assert_refused(
        Dwelling.DoesNotExist,
        actor=world.users["other_installer"],
        dwelling=dwelling,
        transition="plan_installation",
        planned_on=today(),
    )


def test_an_association_does_not_see_another_associations_home(world):
    other_association = OrganisationFactory(kind=OrganisationKind.HOUSING_ASSOCIATION)
    dwelling = make_dwelling(world, S.REGISTERED, housing_association=other_association)
    assert_refused(
        Dwelling.DoesNotExist, actor=world.users["association"], dwelling=dwelling, transition="inform"
    )


def test_an_inactive_lead_user_sees_nothing(world):
    lead = world.users["lead"]
    lead.is_active = False
    lead.save()
    dwelling = make_dwelling(world, S.REGISTERED)
    assert_refused(Dwelling.DoesNotExist, actor=lead, dwelling=dwelling, transition="inform")


# --- (1) forbidden moves from the wrong states ---------------------------------------------------

ACTIVE = [
    S.REGISTERED,
    S.INFORMED,
    S.SURVEY_PLANNED,
    S.SURVEYED,
    S.PLAN_READY,
    S.AGREED,
    S.ASSIGNED,
    S.INSTALLATION_PLANNED,
    S.INSTALLED,
]
SOURCES = {
    "inform": {S.REGISTERED},
    "plan_survey": {S.INFORMED},
    "record_survey": {S.SURVEY_PLANNED},
    "visit_failed": {S.SURVEY_PLANNED},
    "approve_plan": {S.SURVEYED},
    "record_agreement": {S.PLAN_READY},
    "assign": {S.AGREED},
    "reassign": {S.ASSIGNED, S.INSTALLATION_PLANNED},
    "plan_installation": {S.ASSIGNED},
    "report_installed": {S.INSTALLATION_PLANNED},
    "confirm_connection": {S.INSTALLED},
    "reject_installation": {S.INSTALLED},
    "decline": {S.INFORMED, S.SURVEY_PLANNED, S.SURVEYED, S.PLAN_READY, S.AGREED},
    "reopen": {S.DECLINED},
    "hold": set(ACTIVE),
    "resume": {S.ON_HOLD},
    # "any state but connected"; withdrawing a withdrawn dwelling again is no move either.
    "withdraw": {*ACTIVE, S.DECLINED, S.ON_HOLD},
}
# The party that makes each move when the state is right.
ACTOR = {
    "inform": "lead",
    "plan_survey": "survey_party",
    "record_survey": "surveyor",
    "visit_failed": "surveyor",
    "approve_plan": "lead",
    "record_agreement": "cooperative",
    "assign": "lead",
    "reassign": "lead",
    "plan_installation": "installer",
    "report_installed": "installer",
    "confirm_connection": "heat_company",
    "reject_installation": "heat_company",
    "decline": "cooperative",
    "reopen": "cooperative",
    "hold": "lead",
    "resume": "lead",
    "withdraw": "lead",
}
# A side state carries the fields of the state it came from.
VIA = {S.DECLINED: S.PLAN_READY, S.ON_HOLD: S.SURVEYED, S.WITHDRAWN: S.AGREED}

WRONG_STATE_CASES = [
    pytest.param(transition, state, id=f"{transition}-from-{state}")
    for transition, sources in SOURCES.items()
    for state in S.values
    if state not in sources
]


@pytest.mark.parametrize(("transition", "state"), WRONG_STATE_CASES)
def test_no_move_from_a_wrong_state(world, transition, state):
    overrides = {}
    if ACTOR[transition] == "installer":
        overrides["installer"] = world.installer_org  # so that the installer sees the dwelling at all
    if ACTOR[transition] == "surveyor":
        overrides["surveyor"] = world.users["surveyor"]
    dwelling = make_dwelling(world, state, VIA.get(state), **overrides)
    actor = world.users[ACTOR[transition]]
    assert transition not in {spec.name for spec in available_transitions(actor, dwelling)}
    assert_refused(
        TransitionRefused,
        actor=actor,
        dwelling=dwelling,
        transition=transition,
        **valid_params(world, transition),
    )


def test_confirm_connection_from_registered_is_refused_even_for_the_heat_company(world):
    dwelling = make_dwelling(world, S.REGISTERED)
    for party in ("lead", "heat_company"):
        error = assert_refused(
            TransitionRefused,
            actor=world.users[party],
            dwelling=dwelling,
            transition="confirm_connection",
            connected_on=today(),
        )
        assert str(error)


def test_an_unknown_transition_is_refused(world):
    dwelling = make_dwelling(world, S.REGISTERED)
    assert_refused(TransitionRefused, actor=world.users["lead"], dwelling=dwelling, transition="teleport")
    assert_refused(TransitionRefused, actor=world.users["lead"], dwelling=dwelling, transition="save")


@pytest.mark.parametrize(
    ("transition", "state", "actor", "missing"),
    [
        ("record_survey", S.SURVEY_PLANNED, "surveyor", {"survey_appointment_at": None}),
        ("approve_plan", S.SURVEYED, "lead", {"survey_completed_at": None}),
        ("assign", S.AGREED, "lead", {"signatory": "", "agreement_signed_on": None}),
        ("report_installed", S.INSTALLATION_PLANNED, "installer", {"installation_planned_on": None}),
    ],
)
def test_unmet_conditions_refuse_the_move(world, transition, state, actor, missing):
    dwelling = make_dwelling(world, state, **missing)
    params = valid_params(world, transition)
    assert_refused(
        TransitionRefused, actor=world.users[actor], dwelling=dwelling, transition=transition, **params
    )


# --- (2) what a move needs ------------------------------------------------------------------------


def agreement_params(**overrides):
    params = {
        "signatory": "owner_occupier",
        "signatory_name": "J. de Vries",
        "signed_on": today(),
        "document": agreement_document(),
    }
    params.update(overrides)
    return params


def plan_ready_home(world, ownership, **fields):
    association = {"housing_association": world.association_org}
    return make_dwelling(
        world,
        S.PLAN_READY,
        ownership=ownership,
        **(association if ownership == Ownership.HOUSING_ASSOCIATION else {"housing_association": None}),
        **fields,
    )


SIGNATORY_FOR = {
    Ownership.OWNER_OCCUPIED: "owner_occupier",
    Ownership.HOUSING_ASSOCIATION: "housing_association",
    Ownership.PRIVATE_RENTAL: "landlord",
}


@pytest.mark.parametrize("ownership", list(SIGNATORY_FOR))
@pytest.mark.parametrize("signatory", ["owner_occupier", "housing_association", "landlord"])
def test_the_signatory_must_fit_the_ownership(world, ownership, signatory):
    dwelling = plan_ready_home(world, ownership)
    params = agreement_params(signatory=signatory, tenant_supports=True)
    if signatory == SIGNATORY_FOR[ownership]:
        stored = assert_moved(
            actor=world.users["cooperative"],
            dwelling=dwelling,
            transition="record_agreement",
            target=S.AGREED,
            **params,
        )
        assert stored.signatory == signatory
        assert stored.signatory_name == "J. de Vries"
        assert stored.agreement_signed_on == today()
        assert stored.agreement_document.name.endswith(".pdf")
    else:
        error = assert_refused(
            ValidationError,
            actor=world.users["cooperative"],
            dwelling=dwelling,
            transition="record_agreement",
            **params,
        )
        assert "signatory" in error.message_dict


@pytest.mark.parametrize("missing", ["signatory", "signed_on", "document"])
def test_the_agreement_needs_signatory_date_and_document(world, missing):
    dwelling = plan_ready_home(world, Ownership.OWNER_OCCUPIED)
    params = agreement_params()
    del params[missing]
    error = assert_refused(
        ValidationError, actor=world.users["lead"], dwelling=dwelling, transition="record_agreement", **params
    )
    assert missing in error.message_dict


def test_an_apartment_in_an_owners_association_needs_its_consent(world):
    dwelling = plan_ready_home(
        world, Ownership.OWNER_OCCUPIED, dwelling_type="apartment", owners_association="VvE Lindehof"
    )
    error = assert_refused(
        ValidationError,
        actor=world.users["lead"],
        dwelling=dwelling,
        transition="record_agreement",
        **agreement_params(),
    )
    assert "owners_association_consent_on" in error.message_dict
    consent = today() - datetime.timedelta(days=10)
    stored = assert_moved(
        actor=world.users["lead"],
        dwelling=dwelling,
        transition="record_agreement",
        target=S.AGREED,
        **agreement_params(owners_association_consent_on=consent),
    )
    assert stored.owners_association_consent_on == consent


def test_the_owners_association_consent_cannot_be_in_the_future(world):
    dwelling = plan_ready_home(
        world, Ownership.OWNER_OCCUPIED, dwelling_type="apartment", owners_association="VvE Lindehof"
    )
    assert_refused(
        ValidationError,
        actor=world.users["lead"],
        dwelling=dwelling,
        transition="record_agreement",
        **agreement_params(owners_association_consent_on=today() + datetime.timedelta(days=1)),
    )


@pytest.mark.parametrize("ownership", [Ownership.PRIVATE_RENTAL, Ownership.HOUSING_ASSOCIATION])
def test_a_rental_needs_the_tenants_support_recorded(world, ownership):
    dwelling = plan_ready_home(world, ownership)
    params = agreement_params(signatory=SIGNATORY_FOR[ownership])
    error = assert_refused(
        ValidationError, actor=world.users["lead"], dwelling=dwelling, transition="record_agreement", **params
    )
    assert "tenant_supports" in error.message_dict
    # Recorded either way is enough: a tenant who does not support it is recorded as such.
    stored = assert_moved(
        actor=world.users["lead"],
        dwelling=dwelling,
        transition="record_agreement",
        target=S.AGREED,
        **{**params, "document": agreement_document(), "tenant_supports": False},
    )
    assert stored.tenant_supports is False


def test_an_owner_occupier_needs_no_tenant_support(world):
    dwelling = plan_ready_home(world, Ownership.OWNER_OCCUPIED)
    stored = assert_moved(
        actor=world.users["lead"],
        dwelling=dwelling,
        transition="record_agreement",
        target=S.AGREED,
        **agreement_params(),
    )
    assert stored.tenant_supports is None


@pytest.mark.parametrize(
    ("transition", "state", "actor", "date_param"),
    [
        ("record_agreement", S.PLAN_READY, "lead", "signed_on"),
        ("report_installed", S.INSTALLATION_PLANNED, "installer", "installed_on"),
        ("confirm_connection", S.INSTALLED, "heat_company", "connected_on"),
    ],
)
def test_dates_of_what_happened_cannot_be_in_the_future(world, transition, state, actor, date_param):
    dwelling = make_dwelling(world, state)
    params = valid_params(world, transition)
    tomorrow = today() + datetime.timedelta(days=1)
    error = assert_refused(
        ValidationError,
        actor=world.users[actor],
        dwelling=dwelling,
        transition=transition,
        **{**params, date_param: tomorrow},
    )
    assert date_param in error.message_dict
    yesterday = today() - datetime.timedelta(days=1)
    params = valid_params(world, transition)  # a fresh document
    stored = assert_moved(
        actor=world.users[actor],
        dwelling=dwelling,
        transition=transition,
        target={"record_agreement": S.AGREED, "report_installed": S.INSTALLED}.get(transition, S.CONNECTED),
        **{**params, date_param: yesterday},
    )
    field = {"signed_on": "agreement_signed_on"}.get(date_param, date_param)
    assert getattr(stored, field) == yesterday


@pytest.mark.parametrize(
    ("transition", "state", "actor"),
    [
        ("reject_installation", S.INSTALLED, "heat_company"),
        ("decline", S.SURVEYED, "cooperative"),
        ("hold", S.AGREED, "lead"),
        ("withdraw", S.REGISTERED, "lead"),
    ],
)
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(world, transition, state, actor, reason):
    dwelling = make_dwelling(world, state)
    error = assert_refused(
        ValidationError, actor=world.users[actor], dwelling=dwelling, transition=transition, reason=reason
    )
    assert "reason" in error.message_dict


@pytest.mark.parametrize("failure", VisitFailure.values)
def test_a_failed_visit_records_why(world, failure):
    dwelling = make_dwelling(world, S.SURVEY_PLANNED, visit_count=1)
    stored = assert_moved(
        actor=world.users["surveyor"],
        dwelling=dwelling,
        transition="visit_failed",
        target=S.INFORMED,
        failure=failure,
        reason="Drie keer aangebeld.",
        second_visit_reason="De eerste keer was er niemand thuis.",
    )
    assert stored.visit_count == 2
    row = DwellingTransition.objects.get(dwelling=dwelling)
    assert str(VisitFailure(failure).label) in row.reason
    assert "Drie keer aangebeld." in row.reason
    visit = Visit.objects.get(dwelling=dwelling)
    assert (visit.outcome, visit.note, visit.surveyor) == (
        failure,
        "Drie keer aangebeld.",
        world.users["surveyor"],
    )
    assert visit.second_visit_reason == "De eerste keer was er niemand thuis."


@pytest.mark.parametrize("transition", ["record_survey", "visit_failed"])
def test_a_second_visit_needs_a_recorded_reason(world, transition):
    dwelling = make_dwelling(world, S.SURVEY_PLANNED, visit_count=1)
    error = assert_refused(
        ValidationError,
        actor=world.users["surveyor"],
        dwelling=dwelling,
        transition=transition,
        failure=VisitFailure.NOT_HOME,
    )
    assert "second_visit_reason" in error.message_dict
    assert not Visit.objects.filter(dwelling=dwelling).exists()


def test_record_survey_needs_a_complete_survey_and_names_what_is_missing(world):
    dwelling = make_dwelling(world, S.SURVEY_PLANNED)
    survey = dwelling.survey
    survey.answers.pop("dwelling_scan.meter_cupboard")
    survey.save()
    survey.photos.all().delete()
    with translation.override("en"):
        error = assert_refused(
            ValidationError, actor=world.users["surveyor"], dwelling=dwelling, transition="record_survey"
        )
    message = " ".join(error.message_dict["survey"])
    assert "Meter cupboard" in message
    assert "Photos of the place" in message
    assert not Visit.objects.filter(dwelling=dwelling).exists()


def test_a_dwelling_without_any_survey_cannot_be_recorded(world):
    dwelling = make_dwelling(world, S.SURVEY_PLANNED)
    dwelling.survey.delete()
    error = assert_refused(
        ValidationError, actor=world.users["surveyor"], dwelling=dwelling, transition="record_survey"
    )
    assert "survey" in error.message_dict


def test_a_visit_by_two_records_the_second_persons_organisation(world):
    dwelling = make_dwelling(world, S.SURVEY_PLANNED)
    assert_moved(
        actor=world.users["surveyor"],
        dwelling=dwelling,
        transition="record_survey",
        target=S.SURVEYED,
        second_person_organisation=world.association_org,
    )
    visit = Visit.objects.get(dwelling=dwelling)
    assert (visit.outcome, visit.second_person_organisation) == ("completed", world.association_org)


def test_the_second_person_must_come_from_a_party_of_the_project(world):
    dwelling = make_dwelling(world, S.SURVEY_PLANNED)
    stranger = OrganisationFactory(kind="installer")
    error = assert_refused(
        ValidationError,
        actor=world.users["surveyor"],
        dwelling=dwelling,
        transition="record_survey",
        second_person_organisation=stranger.pk,
    )
    assert "second_person_organisation" in error.message_dict


@pytest.mark.parametrize("failure", [None, "", "on_holiday"])
def test_a_failed_visit_needs_one_of_the_known_reasons(world, failure):
    dwelling = make_dwelling(world, S.SURVEY_PLANNED)
    params = {} if failure is None else {"failure": failure}
    error = assert_refused(
        ValidationError,
        actor=world.users["surveyor"],
        dwelling=dwelling,
        transition="visit_failed",
        reason="Niemand.",
        **params,
    )
    assert "failure" in error.message_dict


def test_the_survey_needs_an_appointment_and_a_surveyor(world):
    dwelling = make_dwelling(world, S.INFORMED)
    for missing in ("surveyor", "appointment_at"):
        params = valid_params(world, "plan_survey")
        del params[missing]
        error = assert_refused(
            ValidationError,
            actor=world.users["survey_party"],
            dwelling=dwelling,
            transition="plan_survey",
            **params,
        )
        assert missing in error.message_dict


@pytest.mark.parametrize("surveyor_of", ["lead", "other_survey_party", "installer"])
def test_a_surveyor_of_another_organisation_is_refused(world, surveyor_of):
    if surveyor_of == "other_survey_party":
        surveyor = member_of(world.project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
    else:
        surveyor = world.users[surveyor_of]
    dwelling = make_dwelling(world, S.INFORMED)
    error = assert_refused(
        ValidationError,
        actor=world.users["survey_party"],
        dwelling=dwelling,
        transition="plan_survey",
        surveyor=surveyor,
        appointment_at=timezone.now() + datetime.timedelta(days=1),
    )
    assert "surveyor" in error.message_dict


def test_planning_the_survey_records_surveyor_and_survey_party(world):
    dwelling = make_dwelling(world, S.INFORMED)
    appointment = timezone.now() + datetime.timedelta(days=4)
    stored = assert_moved(
        actor=world.users["survey_party"],
        dwelling=dwelling,
        transition="plan_survey",
        target=S.SURVEY_PLANNED,
        surveyor=world.users["surveyor"].pk,  # by id, as a form posts it
        appointment_at=appointment,
    )
    assert stored.surveyor == world.users["surveyor"]
    assert stored.survey_party == world.survey_org
    assert stored.survey_appointment_at == appointment


@pytest.mark.parametrize("installer", ["other_installer", "not_in_project", "grid_operator"])
def test_assign_only_to_an_installer_of_the_project(world, installer):
    dwelling = make_dwelling(world, S.AGREED)
    organisation = {
        "other_installer": world.other_installer_org,
        "not_in_project": OrganisationFactory(kind=OrganisationKind.INSTALLER),
        "grid_operator": world.users["grid_operator"].organisation,
    }[installer]
    if installer == "other_installer":
        stored = assert_moved(
            actor=world.users["lead"],
            dwelling=dwelling,
            transition="assign",
            target=S.ASSIGNED,
            installer=organisation,
        )
        assert stored.installer == organisation
    else:
        error = assert_refused(
            ValidationError,
            actor=world.users["lead"],
            dwelling=dwelling,
            transition="assign",
            installer=organisation,
        )
        assert "installer" in error.message_dict


# --- (3) side exits --------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.REGISTERED, S.SURVEY_PLANNED, S.AGREED, S.ASSIGNED, S.INSTALLED])
def test_resume_returns_to_the_held_state(world, state):
    dwelling = make_dwelling(world, state)
    before = snapshot(dwelling)
    lead = world.users["lead"]
    held = assert_moved(
        actor=lead,
        dwelling=dwelling,
        transition="hold",
        target=S.ON_HOLD,
        reason="Bewoner in het ziekenhuis.",
    )
    assert held.held_state == state
    assert held.state_reason == "Bewoner in het ziekenhuis."
    resumed = assert_moved(actor=lead, dwelling=dwelling, transition="resume", target=state)
    assert resumed.held_state == ""
    assert resumed.state_reason == ""
    after = snapshot(dwelling)
    for moving in ("state_changed_at", "updated_at"):
        before.pop(moving), after.pop(moving)
    assert after == before  # back where it was, everything it had kept
    assert list(
        DwellingTransition.objects.filter(dwelling=dwelling).values_list("transition", "source", "target")
    ) == [("hold", state, S.ON_HOLD), ("resume", S.ON_HOLD, state)]


def test_hold_twice_keeps_the_first_held_state(world):
    dwelling = make_dwelling(world, S.ON_HOLD, S.PLAN_READY)
    assert_refused(
        TransitionRefused, actor=world.users["lead"], dwelling=dwelling, transition="hold", reason="x"
    )
    assert Dwelling.objects.get(pk=dwelling.pk).held_state == S.PLAN_READY


def test_withdraw_from_connected_is_refused(world):
    dwelling = make_dwelling(world, S.CONNECTED)
    assert_refused(
        TransitionRefused,
        actor=world.users["lead"],
        dwelling=dwelling,
        transition="withdraw",
        reason="Sloop.",
    )


def test_withdraw_keeps_the_reason(world):
    dwelling = make_dwelling(world, S.SURVEYED)
    stored = assert_moved(
        actor=world.users["lead"],
        dwelling=dwelling,
        transition="withdraw",
        target=S.WITHDRAWN,
        reason=" Sloop. ",
    )
    assert stored.state_reason == "Sloop."


def test_decline_and_reopen(world):
    dwelling = make_dwelling(world, S.PLAN_READY)
    coop = world.users["cooperative"]
    declined = assert_moved(
        actor=coop, dwelling=dwelling, transition="decline", target=S.DECLINED, reason="Te duur."
    )
    assert declined.state_reason == "Te duur."
    reopened = assert_moved(actor=coop, dwelling=dwelling, transition="reopen", target=S.INFORMED)
    assert reopened.state_reason == ""


# --- (4) the log -----------------------------------------------------------------------------------


def test_the_whole_way_writes_one_log_row_per_move(world):
    dwelling = make_dwelling(world, S.REGISTERED)
    u = world.users
    fill_survey(dwelling, by=u["surveyor"])
    steps = [
        ("inform", "cooperative", S.INFORMED, {}),
        ("plan_survey", "survey_party", S.SURVEY_PLANNED, valid_params(world, "plan_survey")),
        ("visit_failed", "surveyor", S.INFORMED, {"failure": VisitFailure.NO_ACCESS}),
        ("plan_survey", "survey_party", S.SURVEY_PLANNED, valid_params(world, "plan_survey")),
        ("record_survey", "surveyor", S.SURVEYED, {"second_visit_reason": "Geen toegang tot de kelder."}),
        ("hold", "lead", S.ON_HOLD, {"reason": "Wacht op de VvE."}),
        ("resume", "lead", S.SURVEYED, {}),
        ("approve_plan", "lead", S.PLAN_READY, {}),
        ("record_agreement", "cooperative", S.AGREED, valid_params(world, "record_agreement")),
        ("assign", "lead", S.ASSIGNED, {"installer": world.installer_org}),
        ("plan_installation", "installer", S.INSTALLATION_PLANNED, {"planned_on": today()}),
        ("report_installed", "installer", S.INSTALLED, {"installed_on": today()}),
        ("reject_installation", "heat_company", S.INSTALLATION_PLANNED, {"reason": "Niet te regelen."}),
        ("report_installed", "installer", S.INSTALLED, {"installed_on": today()}),
        ("confirm_connection", "heat_company", S.CONNECTED, {"connected_on": today()}),
    ]
    for transition, party, target, params in steps:
        assert_moved(actor=u[party], dwelling=dwelling, transition=transition, target=target, **params)
    rows = list(DwellingTransition.objects.filter(dwelling=dwelling).order_by("at", "pk"))
    assert [(r.transition, r.actor_id, r.organisation_id) for r in rows] == [
        (transition, u[party].pk, u[party].organisation_id) for transition, party, _, _ in steps
    ]
    assert rows[0].source == S.REGISTERED
    assert all(prev.target == row.source for prev, row in itertools.pairwise(rows))
    final = Dwelling.objects.get(pk=dwelling.pk)
    assert rows[-1].target == final.state == S.CONNECTED
    assert final.visit_count == 2
    assert list(Visit.objects.filter(dwelling=dwelling).values_list("outcome", flat=True)) == [
        "no_access",
        "completed",
    ]
    assert final.connected_on == today()
    assert final.survey_completed_at is not None
    assert final.plan_approved_at is not None


# --- (5) the dwelling changed meanwhile -----------------------------------------------------------


def test_expected_state_mismatch_raises_dwelling_changed_and_saves_nothing(world):
    dwelling = make_dwelling(world, S.INFORMED)
    with translation.override("en"):
        error = assert_refused(
            DwellingChanged,
            actor=world.users["lead"],
            dwelling=dwelling,
            transition="decline",
            expected_state=S.REGISTERED,
            reason="Geen interesse.",
        )
        assert "changed meanwhile" in str(error)
    assert error.dwelling.state == S.INFORMED


def test_expected_state_mismatch_wins_over_a_refusal(world):
    """Who saw an old state learns it changed, rather than a refusal about a state it did not see."""
    dwelling = make_dwelling(world, S.INFORMED)
    assert_refused(
        DwellingChanged,
        actor=world.users["lead"],
        dwelling=dwelling,
        transition="inform",
        expected_state=S.REGISTERED,
    )


def test_expected_state_out_of_scope_still_does_not_exist(world):
    dwelling = make_dwelling(world, S.INFORMED)
    assert_refused(
        Dwelling.DoesNotExist,
        actor=world.users["municipality"],
        dwelling=dwelling,
        transition="inform",
        expected_state=S.REGISTERED,
    )


def test_expected_state_that_holds_lets_the_move_through(world):
    dwelling = make_dwelling(world, S.REGISTERED)
    assert_moved(
        actor=world.users["lead"],
        dwelling=dwelling,
        transition="inform",
        target=S.INFORMED,
        expected_state=S.REGISTERED,
    )


def test_a_missing_dwelling_does_not_exist(world):
    with pytest.raises(Dwelling.DoesNotExist):
        dwelling_transition(actor=world.users["lead"], dwelling_id=987654321, transition="inform")


# --- (6) many at once ----------------------------------------------------------------------------


def test_bulk_moves_the_allowed_skips_the_rest(world, outsider_project):
    lead = world.users["lead"]
    movable = [make_dwelling(world, S.REGISTERED) for _ in range(3)]
    wrong_state = make_dwelling(world, S.INFORMED)
    foreign = DwellingFactory(project=outsider_project)
    ids = [movable[0].pk, wrong_state.pk, foreign.pk, movable[1].pk, 987654321, movable[2].pk, movable[0].pk]
    wrong_before, foreign_before = snapshot(wrong_state), snapshot(foreign)
    calls = []
    result = dwellings_bulk_transition(
        actor=lead, dwelling_ids=ids, transition="inform", progress=calls.append, chunk_size=2
    )
    assert result.moved == 3
    assert [(pk, address) for pk, address, _ in result.skipped] == [(wrong_state.pk, str(wrong_state))]
    assert result.skipped[0][2]  # a reason
    assert calls == [2, 4, 6]  # per chunk of the six distinct ids
    for dwelling in movable:
        assert Dwelling.objects.get(pk=dwelling.pk).state == S.INFORMED
        row = DwellingTransition.objects.get(dwelling=dwelling)
        assert (row.transition, row.source, row.target, row.actor, row.organisation_id) == (
            "inform",
            S.REGISTERED,
            S.INFORMED,
            lead,
            lead.organisation_id,
        )
    assert snapshot(wrong_state) == wrong_before
    assert snapshot(foreign) == foreign_before
    assert not DwellingTransition.objects.filter(dwelling__in=[wrong_state, foreign]).exists()
    assert foreign.pk not in [pk for pk, _, _ in result.as_dict()["skipped"]]


def test_bulk_skips_what_the_actor_may_not_do_and_keeps_out_of_scope_silent(world):
    coop = world.users["cooperative"]
    surveyor = world.users["surveyor"]
    # The surveyor sees the dwellings of its survey party only; another survey party's are out of scope.
    other_surveyor = member_of(world.project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
    own = make_dwelling(world, S.SURVEY_PLANNED)
    elsewhere = make_dwelling(
        world, S.SURVEY_PLANNED, survey_party=other_surveyor.organisation, surveyor=other_surveyor
    )
    result = dwellings_bulk_transition(
        actor=surveyor, dwelling_ids=[own.pk, elsewhere.pk], transition="record_survey"
    )
    assert result.moved == 1
    assert result.skipped == []
    assert Dwelling.objects.get(pk=elsewhere.pk).state == S.SURVEY_PLANNED

    held = [make_dwelling(world, S.SURVEYED) for _ in range(2)]
    result = dwellings_bulk_transition(
        actor=coop, dwelling_ids=[d.pk for d in held], transition="hold", reason="Wacht."
    )
    assert result.moved == 0
    assert [pk for pk, _, _ in result.skipped] == sorted(d.pk for d in held)
    assert all(reason for _, _, reason in result.skipped)
    assert not DwellingTransition.objects.filter(dwelling__in=held).exists()
    assert set(Dwelling.objects.filter(pk__in=[d.pk for d in held]).values_list("state", flat=True)) == {
        S.SURVEYED
    }


def test_bulk_without_a_required_reason_moves_nothing(world):
    dwellings = [make_dwelling(world, S.AGREED) for _ in range(3)]
    calls = []
    result = dwellings_bulk_transition(
        actor=world.users["lead"],
        dwelling_ids=[d.pk for d in dwellings],
        transition="withdraw",
        progress=calls.append,
    )
    assert result.moved == 0
    assert len(result.skipped) == 3
    assert calls == [3]
    assert not DwellingTransition.objects.filter(dwelling__in=dwellings).exists()


def test_bulk_with_a_reason_and_mixed_states(world):
    lead = world.users["lead"]
    active = [make_dwelling(world, state) for state in (S.REGISTERED, S.AGREED, S.INSTALLED)]
    connected = make_dwelling(world, S.CONNECTED)
    result = dwellings_bulk_transition(
        actor=lead,
        dwelling_ids=[d.pk for d in [*active, connected]],
        transition="hold",
        reason="Aanbesteding opnieuw.",
        chunk_size=3,
    )
    assert result.moved == 3
    assert [pk for pk, _, _ in result.skipped] == [connected.pk]
    for dwelling in active:
        stored = Dwelling.objects.get(pk=dwelling.pk)
        assert (stored.state, stored.held_state, stored.state_reason) == (
            S.ON_HOLD,
            dwelling.state,
            "Aanbesteding opnieuw.",
        )
        assert (
            DwellingTransition.objects.filter(dwelling=dwelling, reason="Aanbesteding opnieuw.").count() == 1
        )


def test_bulk_refuses_an_unknown_transition(world):
    dwelling = make_dwelling(world, S.REGISTERED)
    with pytest.raises(TransitionRefused):
        dwellings_bulk_transition(
            actor=world.users["lead"], dwelling_ids=[dwelling.pk], transition="teleport"
        )
    assert Dwelling.objects.get(pk=dwelling.pk).state == S.REGISTERED
