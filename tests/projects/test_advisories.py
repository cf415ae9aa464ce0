"""The governance health check: every rule fires on the choice it is about, and only then.

Each test starts from ``advised_project`` (which follows every piece of advice), changes exactly the
thing a rule is about and checks that its advisory appears; the advised baseline or the nearest
compliant variant must not show it.
"""

import pytest
from django.utils import translation

from projects.advisories import RULES, Severity, advise, block_status, governance_of
from projects.models import (
    Agreement,
    Collaboration,
    Communication,
    Governance,
    InstallerStructure,
    InstallerTiming,
    LeadModel,
    OrganisationKind,
    Participation,
    Phase,
    Procurement,
    Project,
    ResponsibilityBoundary,
    Role,
    SubTeam,
    SurveyCoverage,
    SurveyParties,
    SurveyVisits,
)
from projects.selectors import project_list
from tests.factories import (
    GovernanceFactory,
    OrganisationFactory,
    ParticipationFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BLOCKS = ("1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "3.3")
UNDECIDED = {f"undecided_{block}" for block in BLOCKS}


# --- helpers ------------------------------------------------------------------------------------


def fetch(project):
    """A fresh instance: participations and sub-teams are cached on an instance once read."""
    return Project.objects.get(pk=project.pk)


def advisories_of(project):
    return advise(fetch(project))


def codes_of(project):
    return [advisory.code for advisory in advisories_of(project)]


def only(project, code):
    """The single advisory with ``code``."""
    found = [advisory for advisory in advisories_of(project) if advisory.code == code]
    assert len(found) == 1, f"{code} expected once, got {[a.code for a in advisories_of(project)]}"
    return found[0]


def set_governance(project, **fields):
    assert Governance.objects.filter(project=project).update(**fields) == 1


def set_project(project, **fields):
    assert Project.objects.filter(pk=project.pk).update(**fields) == 1


def participations(project, role):
    return Participation.objects.filter(project=project, role=role)


def organisation(kind):
    return OrganisationFactory(kind=kind)


def make_varying(project, leads):
    """A lead that varies per phase; ``leads`` maps each phase to the organisations leading it."""
    participations(project, Role.LEAD).delete()
    set_governance(project, lead_model=LeadModel.VARYING)
    for phase, organisations in leads.items():
        for each in organisations:
            ParticipationFactory(project=project, organisation=each, role=Role.LEAD, phase=phase)


def replace_lead(project, new_lead):
    participations(project, Role.LEAD).delete()
    ParticipationFactory(project=project, organisation=new_lead, role=Role.LEAD)


def replace_communicating_party(project, party):
    participations(project, Role.COMMUNICATING_PARTY).delete()
    ParticipationFactory(project=project, organisation=party, role=Role.COMMUNICATING_PARTY)


# --- the baseline -------------------------------------------------------------------------------


def test_advised_project_has_no_advisories(advised_project):
    assert advisories_of(advised_project) == []
    assert all(status["severity"] == 0 for status in block_status([]))


def test_project_list_loads_everything_the_rules_read(
    advised_project, heat_company, django_assert_num_queries
):
    set_governance(advised_project, communication=Communication.DISPERSED)
    user = UserFactory(organisation=heat_company)
    (listed,) = list(project_list(user=user))
    with django_assert_num_queries(0):
        listed_codes = [advisory.code for advisory in advise(listed)]
    assert listed_codes == codes_of(advised_project) == ["communication_dispersed"]


# --- 1.1 Lead role ------------------------------------------------------------------------------


def test_lead_missing(advised_project):
    participations(advised_project, Role.LEAD).delete()
    advisory = only(advised_project, "lead_missing")
    assert (advisory.severity, advisory.block) == (Severity.HIGH, "1.1")


def test_lead_missing_not_when_every_phase_of_a_varying_lead_is_led(advised_project, heat_company):
    make_varying(advised_project, {phase: [heat_company] for phase in Phase})
    assert "lead_missing" not in codes_of(advised_project)


def test_lead_central_several(advised_project):
    ParticipationFactory(
        project=advised_project, organisation=organisation(OrganisationKind.MUNICIPALITY), role=Role.LEAD
    )
    advisory = only(advised_project, "lead_central_several")
    assert (advisory.severity, advisory.block) == (Severity.HIGH, "1.1")
    assert "2" in str(advisory.reason)


def test_lead_central_with_exactly_one_lead_is_fine(advised_project):
    assert participations(advised_project, Role.LEAD).count() == 1
    assert "lead_central_several" not in codes_of(advised_project)


def test_several_leads_under_a_varying_lead_are_not_lead_central_several(advised_project, heat_company):
    municipality = organisation(OrganisationKind.MUNICIPALITY)
    make_varying(
        advised_project,
        {
            Phase.SURVEY: [heat_company],
            Phase.COMMUNICATION: [municipality],
            Phase.EXECUTION: [heat_company],
            Phase.AFTERCARE: [municipality],
        },
    )
    assert "lead_central_several" not in codes_of(advised_project)


def test_lead_shared(advised_project):
    set_governance(advised_project, lead_model=LeadModel.SHARED)
    advisory = only(advised_project, "lead_shared")
    assert (advisory.severity, advisory.block) == (Severity.MEDIUM, "1.1")


@pytest.mark.parametrize("lead_model", [LeadModel.CENTRAL, LeadModel.VARYING])
def test_lead_shared_only_for_a_shared_lead(advised_project, lead_model):
    set_governance(advised_project, lead_model=lead_model)
    assert "lead_shared" not in codes_of(advised_project)


def test_lead_varying_with_every_phase_led_once_is_only_the_low_advisory(advised_project, heat_company):
    make_varying(advised_project, {phase: [heat_company] for phase in Phase})
    advisories = advisories_of(advised_project)
    assert [advisory.code for advisory in advisories] == ["lead_varying"]
    assert (advisories[0].severity, advisories[0].block) == (Severity.LOW, "1.1")


def test_lead_varying_not_for_a_central_lead(advised_project):
    assert not [code for code in codes_of(advised_project) if code.startswith("lead_")]


@pytest.mark.parametrize("missing", list(Phase), ids=lambda phase: phase.value)
def test_lead_phase_missing(advised_project, heat_company, missing):
    make_varying(advised_project, {phase: [heat_company] for phase in Phase if phase != missing})
    codes = codes_of(advised_project)
    assert "lead_varying" in codes
    advisory = only(advised_project, f"lead_phase_missing_{missing.value}")
    assert (advisory.severity, advisory.block) == (Severity.HIGH, "1.1")
    assert [code for code in codes if code.startswith("lead_phase_")] == [
        f"lead_phase_missing_{missing.value}"
    ]


def test_varying_lead_without_phases_misses_every_phase(advised_project):
    set_governance(advised_project, lead_model=LeadModel.VARYING)
    phase_codes = {code for code in codes_of(advised_project) if code.startswith("lead_phase_")}
    assert phase_codes == {f"lead_phase_missing_{phase.value}" for phase in Phase}


@pytest.mark.parametrize("crowded", list(Phase), ids=lambda phase: phase.value)
def test_lead_phase_several(advised_project, heat_company, crowded):
    municipality = organisation(OrganisationKind.MUNICIPALITY)
    make_varying(
        advised_project,
        {phase: [heat_company, municipality] if phase == crowded else [heat_company] for phase in Phase},
    )
    codes = codes_of(advised_project)
    advisory = only(advised_project, f"lead_phase_several_{crowded.value}")
    assert (advisory.severity, advisory.block) == (Severity.HIGH, "1.1")
    assert "2" in str(advisory.reason)
    assert [code for code in codes if code.startswith("lead_phase_")] == [
        f"lead_phase_several_{crowded.value}"
    ]


@pytest.mark.parametrize("kind", [OrganisationKind.HOUSING_ASSOCIATION, OrganisationKind.INSTALLER])
def test_lead_unsuitable(advised_project, kind):
    lead = organisation(kind)
    replace_lead(advised_project, lead)
    advisory = only(advised_project, f"lead_unsuitable_{lead.pk}")
    assert (advisory.severity, advisory.block) == (Severity.MEDIUM, "1.1")
    assert lead.name in str(advisory.reason)


@pytest.mark.parametrize("kind", [OrganisationKind.MUNICIPALITY, OrganisationKind.HEAT_COMPANY])
def test_lead_suitable(advised_project, kind):
    replace_lead(advised_project, organisation(kind))
    assert codes_of(advised_project) == []


def test_lead_unsuitable_only_for_the_unsuitable_one_of_several_leads(advised_project):
    association = organisation(OrganisationKind.HOUSING_ASSOCIATION)
    ParticipationFactory(project=advised_project, organisation=association, role=Role.LEAD)
    codes = codes_of(advised_project)
    assert [code for code in codes if code.startswith("lead_unsuitable_")] == [
        f"lead_unsuitable_{association.pk}"
    ]


# --- 1.2 Collaboration structure ----------------------------------------------------------------


def test_collaboration_informal(advised_project):
    # An informal collaboration has no form (a database constraint); the agreement stays as it was.
    set_governance(advised_project, collaboration=Collaboration.INFORMAL, collaboration_form="")
    codes = codes_of(advised_project)
    advisory = only(advised_project, "collaboration_informal")
    assert (advisory.severity, advisory.block) == (Severity.HIGH, "1.2")
    assert "collaboration_unsigned" not in codes


def test_formal_collaboration_is_not_informal(advised_project):
    assert "collaboration_informal" not in codes_of(advised_project)


@pytest.mark.parametrize(
    ("agreement", "words"),
    [
        (Agreement.LETTER_OF_INTENT, "letter of intent"),
        (Agreement.NONE, "no collaboration agreement"),
    ],
)
def test_collaboration_unsigned(advised_project, agreement, words):
    set_governance(advised_project, agreement=agreement, agreement_signed_on=None)
    with translation.override("en"):
        advisory = only(advised_project, "collaboration_unsigned")
        assert words in str(advisory.reason)
    assert (advisory.severity, advisory.block) == (Severity.MEDIUM, "1.2")


def test_signed_agreement_is_fine(advised_project):
    assert Governance.objects.get(project=advised_project).agreement == Agreement.SIGNED
    assert "collaboration_unsigned" not in codes_of(advised_project)


# --- context: stakeholders and scale (block 1.2) ------------------------------------------------


@pytest.mark.parametrize("kind", [OrganisationKind.GRID_OPERATOR, OrganisationKind.WATER_COMPANY])
@pytest.mark.parametrize("how", ["missing", "not_involved"])
def test_stakeholder_not_involved(advised_project, kind, how):
    stakeholder = participations(advised_project, Role.STAKEHOLDER).filter(organisation__kind=kind)
    if how == "missing":
        stakeholder.delete()
    else:
        stakeholder.update(involved_on=None)
    advisories = advisories_of(advised_project)
    assert [advisory.code for advisory in advisories] == [f"stakeholder_{kind.value}"]
    assert (advisories[0].severity, advisories[0].block) == (Severity.MEDIUM, "1.2")


def test_involved_stakeholders_are_fine(advised_project):
    codes = codes_of(advised_project)
    assert "stakeholder_grid_operator" not in codes
    assert "stakeholder_water_company" not in codes


def test_stakeholders_of_a_project_without_participations(db):
    codes = codes_of(ProjectFactory())
    assert {"stakeholder_grid_operator", "stakeholder_water_company"} <= set(codes)


def test_large_without_subteams(advised_project, settings):
    settings.GOVERNANCE_LARGE_PROJECT_DWELLINGS = 300
    set_project(advised_project, planned_dwellings=300)
    advisory = only(advised_project, "large_without_subteams")
    assert (advisory.severity, advisory.block) == (Severity.LOW, "1.2")
    assert "300" in str(advisory.reason)

    SubTeam.objects.create(project=advised_project, name="Corporatie Oost")
    assert "large_without_subteams" not in codes_of(advised_project)


def test_small_project_without_subteams_is_fine(advised_project, settings):
    settings.GOVERNANCE_LARGE_PROJECT_DWELLINGS = 300
    set_project(advised_project, planned_dwellings=299)
    assert not SubTeam.objects.filter(project=advised_project).exists()
    assert "large_without_subteams" not in codes_of(advised_project)


# --- simple governance choices -------------------------------------------------------------------

FIRING_CHOICES = [
    ("responsibility_boundary", ResponsibilityBoundary.FACADE, "boundary_facade", Severity.HIGH, "2.1"),
    ("installer_timing", InstallerTiming.LATER, "installers_late", Severity.MEDIUM, "2.2"),
    ("installer_structure", InstallerStructure.SEPARATE, "installers_separate", Severity.HIGH, "2.2"),
    ("survey_visits", SurveyVisits.SEVERAL, "survey_several_visits", Severity.MEDIUM, "3.1"),
    ("survey_parties", SurveyParties.SEVERAL, "survey_several_parties", Severity.MEDIUM, "3.1"),
    ("procurement", Procurement.AD_HOC, "procurement_ad_hoc", Severity.MEDIUM, "3.2"),
    ("communication", Communication.DISPERSED, "communication_dispersed", Severity.HIGH, "3.3"),
    ("communication", Communication.CENTRAL_PASSIVE, "communication_passive", Severity.LOW, "3.3"),
]

COMPLIANT_CHOICES = [
    ("responsibility_boundary", ResponsibilityBoundary.DELIVERY_SET, "boundary_facade"),
    ("responsibility_boundary", ResponsibilityBoundary.FULL_CONNECTION, "boundary_facade"),
    ("installer_timing", InstallerTiming.FROM_START, "installers_late"),
    ("installer_structure", InstallerStructure.MAIN_CONTRACTOR, "installers_separate"),
    ("survey_visits", SurveyVisits.ONCE, "survey_several_visits"),
    ("survey_parties", SurveyParties.ONE, "survey_several_parties"),
    ("survey_coverage", SurveyCoverage.EVERY_DWELLING, "survey_selection_private"),
    ("procurement", Procurement.FRAMEWORK, "procurement_ad_hoc"),
    ("procurement", Procurement.INTEGRATED, "procurement_ad_hoc"),
    ("communication", Communication.CENTRAL_ACTIVE, "communication_dispersed"),
    ("communication", Communication.CENTRAL_ACTIVE, "communication_passive"),
    ("communication", Communication.CENTRAL_PASSIVE, "communication_dispersed"),
    ("communication", Communication.DISPERSED, "communication_passive"),
]


@pytest.mark.parametrize(
    ("field", "value", "code", "severity", "block"),
    FIRING_CHOICES,
    ids=[f"{field}={value}" for field, value, *_rest in FIRING_CHOICES],
)
def test_choice_against_the_advice(advised_project, field, value, code, severity, block):
    set_governance(advised_project, **{field: value})
    advisories = advisories_of(advised_project)
    assert [advisory.code for advisory in advisories] == [code]
    assert (advisories[0].severity, advisories[0].block) == (severity, block)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    COMPLIANT_CHOICES,
    ids=[f"{field}={value}-not-{code}" for field, value, code in COMPLIANT_CHOICES],
)
def test_choice_that_does_not_fire(advised_project, field, value, code):
    set_governance(advised_project, **{field: value})
    assert code not in codes_of(advised_project)


# --- 2.2 Installer involvement: separate installers by participation -----------------------------


def test_installers_separate_by_two_installers_without_main_contractor(advised_project):
    participations(advised_project, Role.MAIN_CONTRACTOR).delete()
    for _ in range(2):
        ParticipationFactory(
            project=advised_project,
            organisation=organisation(OrganisationKind.INSTALLER),
            role=Role.INSTALLER,
        )
    assert Governance.objects.get(project=advised_project).installer_structure == (
        InstallerStructure.MAIN_CONTRACTOR
    )
    advisory = only(advised_project, "installers_separate")
    assert (advisory.severity, advisory.block) == (Severity.HIGH, "2.2")


def test_one_installer_without_main_contractor_is_not_separate(advised_project):
    participations(advised_project, Role.MAIN_CONTRACTOR).delete()
    ParticipationFactory(
        project=advised_project, organisation=organisation(OrganisationKind.INSTALLER), role=Role.INSTALLER
    )
    assert "installers_separate" not in codes_of(advised_project)


def test_two_subcontractors_under_a_main_contractor_are_fine(advised_project):
    for _ in range(2):
        ParticipationFactory(
            project=advised_project,
            organisation=organisation(OrganisationKind.INSTALLER),
            role=Role.SUBCONTRACTOR,
        )
    assert codes_of(advised_project) == []


# --- 3.1 Survey: a selection of mostly private dwellings -----------------------------------------


def test_survey_selection_private_at_the_threshold(advised_project, settings):
    settings.GOVERNANCE_MOSTLY_PRIVATE_PERCENT = 60
    set_governance(advised_project, survey_coverage=SurveyCoverage.SELECTION)
    set_project(advised_project, private_share=60)
    advisory = only(advised_project, "survey_selection_private")
    assert (advisory.severity, advisory.block) == (Severity.HIGH, "3.1")
    assert "60%" in str(advisory.reason)


def test_survey_selection_private_above_the_threshold(advised_project, settings):
    settings.GOVERNANCE_MOSTLY_PRIVATE_PERCENT = 60
    set_governance(advised_project, survey_coverage=SurveyCoverage.SELECTION)
    set_project(advised_project, private_share=95)
    assert codes_of(advised_project) == ["survey_selection_private"]


@pytest.mark.parametrize("private_share", [59, 0, None])
def test_survey_selection_of_not_mostly_private_dwellings_is_fine(advised_project, settings, private_share):
    settings.GOVERNANCE_MOSTLY_PRIVATE_PERCENT = 60
    set_governance(advised_project, survey_coverage=SurveyCoverage.SELECTION)
    set_project(advised_project, private_share=private_share)
    assert codes_of(advised_project) == []


def test_survey_selection_private_threshold_is_a_setting(advised_project, settings):
    set_governance(advised_project, survey_coverage=SurveyCoverage.SELECTION)
    set_project(advised_project, private_share=40)
    settings.GOVERNANCE_MOSTLY_PRIVATE_PERCENT = 41
    assert "survey_selection_private" not in codes_of(advised_project)
    settings.GOVERNANCE_MOSTLY_PRIVATE_PERCENT = 40
    assert "survey_selection_private" in codes_of(advised_project)


def test_surveying_every_mostly_private_dwelling_is_fine(advised_project, settings):
    settings.GOVERNANCE_MOSTLY_PRIVATE_PERCENT = 60
    set_project(advised_project, private_share=100)
    assert codes_of(advised_project) == []


# --- 3.3 Resident communication: the communicating party ----------------------------------------


@pytest.mark.parametrize("communication", [Communication.CENTRAL_ACTIVE, Communication.CENTRAL_PASSIVE])
def test_communication_no_party(advised_project, communication):
    set_governance(advised_project, communication=communication)
    participations(advised_project, Role.COMMUNICATING_PARTY).delete()
    advisory = only(advised_project, "communication_no_party")
    assert (advisory.severity, advisory.block) == (Severity.MEDIUM, "3.3")


def test_communication_party_named_is_fine(advised_project):
    assert participations(advised_project, Role.COMMUNICATING_PARTY).exists()
    assert "communication_no_party" not in codes_of(advised_project)


def test_dispersed_communication_needs_no_communicating_party(advised_project):
    set_governance(advised_project, communication=Communication.DISPERSED)
    participations(advised_project, Role.COMMUNICATING_PARTY).delete()
    assert codes_of(advised_project) == ["communication_dispersed"]


def test_communication_installer(advised_project):
    installer = organisation(OrganisationKind.INSTALLER)
    replace_communicating_party(advised_project, installer)
    advisories = advisories_of(advised_project)
    assert [advisory.code for advisory in advisories] == [f"communication_installer_{installer.pk}"]
    assert (advisories[0].severity, advisories[0].block) == (Severity.MEDIUM, "3.3")
    assert installer.name in str(advisories[0].reason)


@pytest.mark.parametrize("kind", [OrganisationKind.MUNICIPALITY, OrganisationKind.HEAT_COOPERATIVE])
def test_communicating_party_other_than_installer_is_fine(advised_project, kind):
    replace_communicating_party(advised_project, organisation(kind))
    assert codes_of(advised_project) == []


def test_communication_cooperative_capacity_for_a_large_project(advised_project, settings):
    settings.GOVERNANCE_LARGE_PROJECT_DWELLINGS = 300
    SubTeam.objects.create(project=advised_project, name="Blok A")
    set_project(advised_project, planned_dwellings=300)
    cooperative = organisation(OrganisationKind.HEAT_COOPERATIVE)
    replace_communicating_party(advised_project, cooperative)
    advisories = advisories_of(advised_project)
    assert [advisory.code for advisory in advisories] == [
        f"communication_cooperative_capacity_{cooperative.pk}"
    ]
    assert (advisories[0].severity, advisories[0].block) == (Severity.MEDIUM, "3.3")
    assert cooperative.name in str(advisories[0].reason)
    assert "300" in str(advisories[0].reason)


def test_communication_cooperative_for_a_small_project_is_fine(advised_project, settings):
    settings.GOVERNANCE_LARGE_PROJECT_DWELLINGS = 300
    set_project(advised_project, planned_dwellings=299)
    replace_communicating_party(advised_project, organisation(OrganisationKind.HEAT_COOPERATIVE))
    assert codes_of(advised_project) == []


def test_communication_cooperative_capacity_follows_the_default_setting(advised_project, settings):
    set_project(advised_project, planned_dwellings=settings.GOVERNANCE_LARGE_PROJECT_DWELLINGS)
    SubTeam.objects.create(project=advised_project, name="Blok A")
    cooperative = organisation(OrganisationKind.HEAT_COOPERATIVE)
    replace_communicating_party(advised_project, cooperative)
    assert codes_of(advised_project) == [f"communication_cooperative_capacity_{cooperative.pk}"]


# --- choices not made yet -------------------------------------------------------------------------


def undecided_project(project):
    Governance.objects.filter(project=project).delete()
    GovernanceFactory(project=project, undecided=True)
    return project


def test_undecided_governance_gives_one_low_advisory_per_block(advised_project):
    advisories = advisories_of(undecided_project(advised_project))
    assert {advisory.code for advisory in advisories} == UNDECIDED
    assert len(advisories) == len(UNDECIDED)
    for advisory in advisories:
        assert advisory.severity == Severity.LOW
        assert advisory.code == f"undecided_{advisory.block}"


def test_undecided_project_from_the_factory_trait(db):
    project = ProjectFactory(governance__undecided=True)
    assert set(codes_of(project)) >= UNDECIDED


def test_project_without_governance_is_undecided_and_does_not_crash(advised_project, heat_company):
    Governance.objects.filter(project=advised_project).delete()
    assert set(codes_of(advised_project)) == UNDECIDED
    (listed,) = list(project_list(user=UserFactory(organisation=heat_company)))
    assert {advisory.code for advisory in advise(listed)} == UNDECIDED


def test_project_from_the_factory_without_governance(db):
    project = ProjectFactory(governance=None)
    assert not Governance.objects.filter(project=project).exists()
    assert set(codes_of(project)) >= UNDECIDED


UNDECIDED_FIELDS = [
    ("1.1", {"lead_model": ""}),
    ("1.2", {"collaboration": "", "collaboration_form": ""}),
    ("2.1", {"responsibility_boundary": ""}),
    ("2.2", {"installer_timing": ""}),
    ("2.2", {"installer_structure": ""}),
    ("3.1", {"survey_coverage": ""}),
    ("3.1", {"survey_parties": ""}),
    ("3.1", {"survey_visits": ""}),
    ("3.2", {"procurement": ""}),
    ("3.3", {"communication": ""}),
]


@pytest.mark.parametrize(
    ("block", "fields"), UNDECIDED_FIELDS, ids=[next(iter(fields)) for _block, fields in UNDECIDED_FIELDS]
)
def test_one_undecided_choice_marks_only_its_block(advised_project, block, fields):
    set_governance(advised_project, **fields)
    advisories = advisories_of(advised_project)
    assert [advisory.code for advisory in advisories] == [f"undecided_{block}"]
    assert (advisories[0].severity, advisories[0].block) == (Severity.LOW, block)


def test_decided_project_has_no_undecided_block(advised_project):
    assert not [code for code in codes_of(advised_project) if code.startswith("undecided_")]


# --- order, status and text ---------------------------------------------------------------------


@pytest.fixture
def ill_advised_project(advised_project, heat_company, settings):
    """A project that goes against nearly every piece of advice at once."""
    settings.GOVERNANCE_LARGE_PROJECT_DWELLINGS = 500
    settings.GOVERNANCE_MOSTLY_PRIVATE_PERCENT = 50
    set_project(advised_project, planned_dwellings=600, private_share=80)
    set_governance(
        advised_project,
        agreement=Agreement.LETTER_OF_INTENT,
        agreement_signed_on=None,
        responsibility_boundary=ResponsibilityBoundary.FACADE,
        installer_timing=InstallerTiming.LATER,
        installer_structure=InstallerStructure.SEPARATE,
        survey_coverage=SurveyCoverage.SELECTION,
        survey_parties=SurveyParties.SEVERAL,
        survey_visits=SurveyVisits.SEVERAL,
        procurement=Procurement.AD_HOC,
        communication=Communication.CENTRAL_PASSIVE,
    )
    association = organisation(OrganisationKind.HOUSING_ASSOCIATION)
    installer = organisation(OrganisationKind.INSTALLER)
    municipality = organisation(OrganisationKind.MUNICIPALITY)
    make_varying(
        advised_project,
        {
            Phase.SURVEY: [association],
            Phase.EXECUTION: [installer, municipality],
        },
    )
    replace_communicating_party(advised_project, installer)
    ParticipationFactory(
        project=advised_project,
        organisation=organisation(OrganisationKind.HEAT_COOPERATIVE),
        role=Role.COMMUNICATING_PARTY,
    )
    stakeholders = participations(advised_project, Role.STAKEHOLDER)
    stakeholders.filter(organisation__kind=OrganisationKind.GRID_OPERATOR).delete()
    stakeholders.update(involved_on=None)
    return advised_project


@pytest.fixture
def projects_covering_every_rule(ill_advised_project, heat_company):
    """Projects between them showing an advisory of every rule."""
    shared = ProjectFactory(governance__lead_model=LeadModel.SHARED)
    informal = ProjectFactory(
        governance__collaboration=Collaboration.INFORMAL,
        governance__collaboration_form="",
        governance__communication=Communication.DISPERSED,
    )
    several = ProjectFactory(governance__undecided=True, governance__lead_model=LeadModel.CENTRAL)
    for kind in (OrganisationKind.HEAT_COMPANY, OrganisationKind.MUNICIPALITY):
        ParticipationFactory(project=several, organisation=organisation(kind), role=Role.LEAD)
    no_lead = ProjectFactory()
    projects = [ill_advised_project, shared, informal, several, no_lead]
    for check in RULES:
        assert any(list(check(p, governance_of(p))) for p in map(fetch, projects)), check.__name__
    return projects


def test_advisories_are_sorted_most_severe_first(ill_advised_project):
    advisories = advisories_of(ill_advised_project)
    assert len(advisories) >= 20
    severities = [advisory.severity for advisory in advisories]
    assert severities == sorted(severities, reverse=True)
    assert severities[0] == Severity.HIGH
    assert severities[-1] == Severity.LOW
    assert advisories == sorted(advisories, key=lambda a: (-a.severity, a.block, a.code))


def test_block_status_shows_the_worst_severity_per_block(ill_advised_project):
    status = {
        entry["number"]: entry["severity"] for entry in block_status(advisories_of(ill_advised_project))
    }
    high, medium = int(Severity.HIGH), int(Severity.MEDIUM)
    assert status == {
        "1.1": high,
        "1.2": medium,
        "2.1": high,
        "2.2": high,
        "3.1": high,
        "3.2": medium,
        "3.3": medium,
    }


def render(projects, language):
    """Per (project, code) the advisory's texts, rendered in ``language``."""
    with translation.override(language):
        return {
            (project.pk, advisory.code): (
                str(advisory.reason),
                str(advisory.action),
                str(advisory.severity_label),
                advisory.block_title,
            )
            for project in map(fetch, projects)
            for advisory in advise(project)
        }


def test_every_advisory_renders_as_text(projects_covering_every_rule):
    english = render(projects_covering_every_rule, "en")
    assert english
    for key, texts in english.items():
        for text in texts:
            assert text.strip(), key
            assert "%(" not in text, key


LEAD_MISSING_REASON = (
    "Nobody has the lead role. Without one party that directs the last metre, "
    "decisions stall and responsibilities stay unclear."
)


def dutch_catalogue_compiled():
    with translation.override("nl"):
        return translation.gettext(LEAD_MISSING_REASON) != LEAD_MISSING_REASON


@pytest.mark.skipif(
    not dutch_catalogue_compiled(),
    reason="the Dutch catalogue has no compiled translation of the advisories yet (run `make messages`, "
    "translate locale/nl/LC_MESSAGES/django.po and compile it)",
)
def test_every_advisory_renders_in_dutch(projects_covering_every_rule):
    dutch = render(projects_covering_every_rule, "nl")
    english = render(projects_covering_every_rule, "en")
    assert dutch.keys() == english.keys()
    for key, (reason, action, severity, title) in dutch.items():
        english_reason, english_action, english_severity, english_title = english[key]
        assert reason.strip() and action.strip(), key
        assert "%(" not in reason + action, key
        assert reason != english_reason, key
        assert action != english_action, key
        assert severity != english_severity, key
        assert title != english_title, key


def test_unsuitable_lead_of_several_phases_is_advised_once(advised_project):
    association = OrganisationFactory(kind=OrganisationKind.HOUSING_ASSOCIATION)
    for phase in ("survey", "communication", "execution", "aftercare"):
        ParticipationFactory(project=advised_project, organisation=association, role=Role.LEAD, phase=phase)
    Governance.objects.filter(project=advised_project).update(lead_model="varying")
    codes = [a.code for a in advise(Project.objects.get(pk=advised_project.pk))]
    assert codes.count(f"lead_unsuitable_{association.pk}") == 1


@pytest.mark.parametrize(
    ("changes", "fires"),
    [
        ({"tender": ""}, True),
        ({"tender": "", "procurement": "integrated"}, False),
        ({"collaboration_form": ""}, True),
    ],
)
def test_undecided_dependent_choices(advised_project, changes, fires):
    Governance.objects.filter(project=advised_project).update(**changes)
    codes = {a.code for a in advise(Project.objects.get(pk=advised_project.pk))}
    block = "1.2" if "collaboration_form" in changes else "3.2"
    assert (f"undecided_{block}" in codes) is fires


def test_advising_a_project_without_governance_leaves_it_unchanged(db):
    project = ProjectFactory(governance=None)
    advise(project)
    with pytest.raises(Governance.DoesNotExist):
        project.governance  # noqa: B018
