"""The rules of the health check, per building block of the research report, in its order. Each reads
a loaded project (no queries of its own) and yields an ``Advisory`` where a choice goes against the
advice.
"""

from collections import Counter

from django.utils.translation import gettext_lazy as _

from projects.models import (
    Agreement,
    Collaboration,
    Communication,
    InstallerStructure,
    InstallerTiming,
    LeadModel,
    OrganisationKind,
    Phase,
    Procurement,
    ResponsibilityBoundary,
    Role,
    SurveyCoverage,
    SurveyParties,
    SurveyVisits,
)
from projects.models.project import INSTALLING_ROLES

from .base import BLOCK_TITLES, Advisory, Severity, leads_of, participations_of, rule

# --- 1.1 Lead role -----------------------------------------------------------------------------


@rule
def lead_missing(project, governance):
    if not leads_of(project):
        yield Advisory(
            "lead_missing",
            Severity.HIGH,
            "1.1",
            _(
                "Nobody has the lead role. Without one party that directs the last metre, "
                "decisions stall and responsibilities stay unclear."
            ),
            _("Assign the lead role explicitly to one party, usually the heat company or the municipality."),
        )


@rule
def lead_central_several(project, governance):
    leads = {p.organisation_id for p in leads_of(project)}
    if governance.lead_model == LeadModel.CENTRAL and len(leads) > 1:
        yield Advisory(
            "lead_central_several",
            Severity.HIGH,
            "1.1",
            _("The lead role is central, but %(count)d parties are recorded as lead party.")
            % {"count": len(leads)},
            _("Keep exactly one lead party, or record the lead model as it really is."),
        )


@rule
def lead_shared(project, governance):
    if governance.lead_model == LeadModel.SHARED:
        yield Advisory(
            "lead_shared",
            Severity.MEDIUM,
            "1.1",
            _(
                "A shared lead decides by consensus. In practice this slows projects down and "
                "nobody is finally responsible."
            ),
            _(
                "Choose one party that leads the whole phase, with clear agreements on the roles "
                "of the others."
            ),
        )


@rule
def lead_varying(project, governance):
    if governance.lead_model != LeadModel.VARYING:
        return
    yield Advisory(
        "lead_varying",
        Severity.LOW,
        "1.1",
        _("The lead changes per phase. Every hand-over between lead parties costs time and information."),
        _("Prefer one central lead party; if the lead must vary, bound each phase clearly."),
    )
    per_phase = Counter(p.phase for p in leads_of(project) if p.phase)
    for phase in Phase:
        count = per_phase.get(phase.value, 0)
        if count == 0:
            yield Advisory(
                f"lead_phase_missing_{phase.value}",
                Severity.HIGH,
                "1.1",
                _("The lead varies per phase, but the phase “%(phase)s” has no lead party.")
                % {"phase": phase.label},
                _("Assign a lead party to this phase."),
            )
        elif count > 1:
            yield Advisory(
                f"lead_phase_several_{phase.value}",
                Severity.HIGH,
                "1.1",
                _("The phase “%(phase)s” has %(count)d lead parties; nobody knows who decides.")
                % {"phase": phase.label, "count": count},
                _("Leave one lead party per phase."),
            )


@rule
def lead_unsuitable(project, governance):
    unsuitable = (OrganisationKind.HOUSING_ASSOCIATION, OrganisationKind.INSTALLER)
    # One advisory per organisation, even when it leads several phases.
    organisations = {lead.organisation_id: lead.organisation for lead in leads_of(project)}
    for organisation in organisations.values():
        if organisation.kind in unsuitable:
            yield Advisory(
                f"lead_unsuitable_{organisation.pk}",
                Severity.MEDIUM,
                "1.1",
                _(
                    "%(organisation)s (%(kind)s) is a lead party. Housing associations and "
                    "installers are seldom suited to direct the whole connection process: their "
                    "own interests and limited view of the heat network get in the way."
                )
                % {"organisation": organisation.name, "kind": organisation.get_kind_display()},
                _(
                    "Give the lead role to the heat company or the municipality; involve this party "
                    "in its own role."
                ),
            )


# --- 1.2 Collaboration structure ---------------------------------------------------------------


@rule
def collaboration_informal(project, governance):
    if governance.collaboration == Collaboration.INFORMAL:
        yield Advisory(
            "collaboration_informal",
            Severity.HIGH,
            "1.2",
            _(
                "The parties work together informally, without an agreement. When interests clash "
                "there is nothing to fall back on."
            ),
            _(
                "Formalise the collaboration: a signed agreement, regular meetings and decision "
                "rules. Consider a building team or chain collaboration."
            ),
        )


@rule
def collaboration_unsigned(project, governance):
    if governance.collaboration != Collaboration.FORMAL or governance.agreement == Agreement.SIGNED:
        return
    if governance.agreement == Agreement.LETTER_OF_INTENT:
        reason = _(
            "The collaboration rests on a letter of intent only. A non-binding letter of "
            "intent proved too weak in practice."
        )
    else:
        reason = _("The collaboration is called formal, but no collaboration agreement has been signed.")
    yield Advisory(
        "collaboration_unsigned",
        Severity.MEDIUM,
        "1.2",
        reason,
        _(
            "Sign a collaboration agreement with roles, responsibilities and decision rules, and "
            "record its date and document."
        ),
    )


# --- 2.1 Heat company's responsibility ---------------------------------------------------------


@rule
def boundary_facade(project, governance):
    if governance.responsibility_boundary == ResponsibilityBoundary.FACADE:
        yield Advisory(
            "boundary_facade",
            Severity.HIGH,
            "2.1",
            _(
                "The heat company is responsible only up to the facade. Delivery sets placed by "
                "owners malfunctioned and could not be steered by the heat company."
            ),
            _("Make the heat company responsible at least up to and including the delivery set."),
        )


# --- 2.2 Installer involvement -----------------------------------------------------------------


@rule
def installers_late(project, governance):
    if governance.installer_timing == InstallerTiming.LATER:
        yield Advisory(
            "installers_late",
            Severity.MEDIUM,
            "2.2",
            _(
                "Installers join later on. Their practical knowledge then comes too late for the "
                "survey and the connection plans."
            ),
            _("Involve the installer from the start, for example in a building team."),
        )


@rule
def installers_separate(project, governance):
    installers = {p.organisation_id for p in participations_of(project, *INSTALLING_ROLES)}
    has_main = bool(participations_of(project, Role.MAIN_CONTRACTOR))
    if governance.installer_structure == InstallerStructure.SEPARATE or (
        len(installers) > 1 and not has_main
    ):
        yield Advisory(
            "installers_separate",
            Severity.HIGH,
            "2.2",
            _(
                "Several separate installers work without a main contractor. Coordination, "
                "quality and planning then fall apart between them."
            ),
            _("Contract one main contractor that directs its subcontractors."),
        )


# --- 3.1 Survey ---------------------------------------------------------------------------------


@rule
def survey_selection_private(project, governance):
    if governance.survey_coverage == SurveyCoverage.SELECTION and project.is_mostly_private():
        yield Advisory(
            "survey_selection_private",
            Severity.HIGH,
            "3.1",
            _(
                "Only a selection of dwellings is surveyed, while most dwellings are privately "
                "owned (%(share)d%%). Every private home is different; extrapolating from a sample "
                "leads to surprises during installation."
            )
            % {"share": project.private_share},
            _("Survey every dwelling."),
        )


@rule
def survey_several_visits(project, governance):
    if governance.survey_visits == SurveyVisits.SEVERAL:
        yield Advisory(
            "survey_several_visits",
            Severity.MEDIUM,
            "3.1",
            _("Dwellings are visited several times. Every extra visit burdens residents and costs money."),
            _(
                "Visit each home once and record everything every party needs: the kitchen-table "
                "talk, the dwelling scan and the place of the delivery set."
            ),
        )


@rule
def survey_several_parties(project, governance):
    if governance.survey_parties == SurveyParties.SEVERAL:
        yield Advisory(
            "survey_several_parties",
            Severity.MEDIUM,
            "3.1",
            _(
                "Several parties survey the same dwellings. Residents tell their story more than "
                "once, and information is lost between parties."
            ),
            _("Let one party, ideally one person, do the whole survey; two people only when truly needed."),
        )


# --- 3.2 Installer procurement -----------------------------------------------------------------


@rule
def procurement_ad_hoc(project, governance):
    if governance.procurement == Procurement.AD_HOC:
        yield Advisory(
            "procurement_ad_hoc",
            Severity.MEDIUM,
            "3.2",
            _(
                "Installers are tendered ad hoc for this project. Every tender starts the learning "
                "curve anew and takes time."
            ),
            _(
                "Move to long-term framework agreements, for example a pool of fixed installers to "
                "choose from per project."
            ),
            _(
                "Today each work package goes only to the installer awarded this project's tender, under "
                "an agreement for this project alone. With framework agreements the contracting party "
                "keeps a pool of installers with fixed unit rates over several years; per project the "
                "lead party picks the main contractor from the pool and offers work packages to it "
                "without a new tender, and the installers learn from project to project."
            ),
        )


# --- 3.3 Resident communication ----------------------------------------------------------------


@rule
def communication_dispersed(project, governance):
    if governance.communication == Communication.DISPERSED:
        yield Advisory(
            "communication_dispersed",
            Severity.HIGH,
            "3.3",
            _(
                "Every party talks to residents about its own work. Residents get confused about "
                "who to call and what is agreed."
            ),
            _("Organise communication centrally: one contact point for residents, all the way."),
        )


@rule
def communication_passive(project, governance):
    if governance.communication == Communication.CENTRAL_PASSIVE:
        yield Advisory(
            "communication_passive",
            Severity.LOW,
            "3.3",
            _(
                "Communication is central but passive: letters, e-mail and a website. Residents "
                "with questions or doubts are not reached personally."
            ),
            _(
                "Make it active: home visits, kitchen-table talks, support with contracts and a "
                "sounding-board group."
            ),
        )


@rule
def communication_contact(project, governance):
    communicating = participations_of(project, Role.COMMUNICATING_PARTY)
    central = (Communication.CENTRAL_ACTIVE, Communication.CENTRAL_PASSIVE)
    if governance.communication in central and not communicating:
        yield Advisory(
            "communication_no_party",
            Severity.MEDIUM,
            "3.3",
            _("Communication is central, but no communicating party has been named."),
            _("Name the party that is the residents' one contact point."),
        )
    for participation in communicating:
        kind = participation.organisation.kind
        if kind == OrganisationKind.INSTALLER:
            yield Advisory(
                f"communication_installer_{participation.organisation_id}",
                Severity.MEDIUM,
                "3.3",
                _(
                    "%(organisation)s, an installer, is the communicating party. Installers want "
                    "only short, practical contact with residents (access, parking)."
                )
                % {"organisation": participation.organisation.name},
                _(
                    "Let the heat company, the municipality or a cooperative be the contact point; "
                    "keep the installer's contact practical."
                ),
            )
        elif kind == OrganisationKind.HEAT_COOPERATIVE and project.is_large():
            yield Advisory(
                f"communication_cooperative_capacity_{participation.organisation_id}",
                Severity.MEDIUM,
                "3.3",
                _(
                    "%(organisation)s, a cooperative, communicates with the residents of a large "
                    "project (%(count)d dwellings). A cooperative is trusted as independent, but "
                    "has little capacity."
                )
                % {
                    "organisation": participation.organisation.name,
                    "count": project.planned_dwellings,
                },
                _(
                    "Agree on the cooperative's capacity and support it, for example with the "
                    "heat company's resident liaisons."
                ),
            )


# --- Context: stakeholders and scale ------------------------------------------------------------


@rule
def stakeholders_not_involved(project, governance):
    involved = {
        p.organisation.kind for p in participations_of(project, Role.STAKEHOLDER) if p.involved_on is not None
    }
    missing = {
        OrganisationKind.GRID_OPERATOR: _(
            "The grid operator has not been involved. Its cables and connections decide entry "
            "points and pipe routes, and electric cooking may need a heavier connection."
        ),
        OrganisationKind.WATER_COMPANY: _(
            "The water company has not been involved. Its pipes share the entry points and the "
            "route into the dwellings."
        ),
    }
    for kind, reason in missing.items():
        if kind not in involved:
            yield Advisory(
                f"stakeholder_{kind.value}",
                Severity.MEDIUM,
                "1.2",
                reason,
                _("Involve it early, and record the date it was involved."),
            )


@rule
def large_without_subteams(project, governance):
    if project.is_large() and not project.subteams.all():
        yield Advisory(
            "large_without_subteams",
            Severity.LOW,
            "1.2",
            _("A large project (%(count)d dwellings) works without sub-teams.")
            % {"count": project.planned_dwellings},
            _("Form sub-teams, for example per housing association, installer or area."),
        )


# --- Choices not made yet -----------------------------------------------------------------------


@rule
def undecided(project, governance):
    required = {
        "1.1": ["lead_model"],
        "1.2": ["collaboration"],
        "2.1": ["responsibility_boundary"],
        "2.2": ["installer_timing", "installer_structure"],
        "3.1": ["survey_coverage", "survey_parties", "survey_visits"],
        "3.2": ["procurement"],
        "3.3": ["communication"],
    }
    if governance.collaboration == Collaboration.FORMAL:
        required["1.2"].append("collaboration_form")
    if governance.procurement != Procurement.INTEGRATED:
        required["3.2"].append("tender")  # an integrated installer is not tendered
    for block, fields in required.items():
        if any(not getattr(governance, field) for field in fields):
            yield Advisory(
                f"undecided_{block}",
                Severity.LOW,
                block,
                _("Building block %(block)s (%(title)s) has not been decided yet.")
                % {"block": block, "title": BLOCK_TITLES[block]},
                _("Make and record this choice early, together with the other parties."),
            )
