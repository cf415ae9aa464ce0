"""Every write to projects, participations, governance and sub-teams goes through here.

Each service checks the actor's permission explicitly, runs in one transaction, and records the actor
on the audit log (``django-auditlog`` writes who, when, old and new value per field).
"""

from collections.abc import Iterable

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from projects.errors import Conflict
from projects.models import (
    Governance,
    Organisation,
    OrganisationKind,
    Participation,
    Project,
    Role,
    SubTeam,
    User,
)
from projects.permissions import can_create_project, can_edit_governance


class StaleObjectError(Conflict):
    """The object changed since the actor loaded it; nothing was saved."""


# The role an organisation takes besides "lead party" when it starts a project.
_STARTER_ROLE = {
    OrganisationKind.HEAT_COMPANY: Role.HEAT_COMPANY,
    OrganisationKind.MUNICIPALITY: Role.MUNICIPALITY,
}

# The facts of a project that its creator enters (forms and API share this list).
PROJECT_FIELDS = (
    "name",
    "slug",
    "municipality",
    "neighbourhood",
    "connection_approach",
    "heat_company_kind",
    "planned_dwellings",
    "signup_threshold",
    "private_share",
    "start_date",
    "target_date",
)

GOVERNANCE_FIELDS = (
    "lead_model",
    "collaboration",
    "collaboration_form",
    "agreement",
    "agreement_signed_on",
    "agreement_document",
    "responsibility_boundary",
    "installer_timing",
    "installer_structure",
    "survey_coverage",
    "survey_parties",
    "survey_visits",
    "survey_sign_off",
    "procurement",
    "tender",
    "communication",
)


def _ensure_governance_editor(actor: User, project: Project) -> None:
    if not can_edit_governance(actor, project):
        raise PermissionDenied(
            _("Only a coordinator of the lead party changes the governance of this project.")
        )


@transaction.atomic
def project_create(*, actor: User, **fields) -> Project:
    """Create a project with empty governance; the actor's organisation becomes its lead party."""
    if not can_create_project(actor):
        raise PermissionDenied(_("Your organisation cannot start projects."))
    with set_actor(actor):
        project = Project(**fields)
        project.full_clean()
        project.save()
        Governance.objects.create(project=project)
        organisation = actor.organisation
        if organisation is not None:
            Participation.objects.create(project=project, organisation=organisation, role=Role.LEAD)
            starter_role = _STARTER_ROLE.get(organisation.kind)
            if starter_role:
                Participation.objects.create(project=project, organisation=organisation, role=starter_role)
    return project


# The facts a lead party corrects later; the slug stays, as addresses and links use it.
PROJECT_UPDATE_FIELDS = tuple(name for name in PROJECT_FIELDS if name != "slug")


@transaction.atomic
def project_update(*, actor: User, project: Project, **fields) -> Project:
    """Correct the facts of a project (name, planned dwellings, threshold, dates, ...): a coordinator of
    the lead party. Every changed field is on the project's change log."""
    _ensure_governance_editor(actor, project)
    unknown = set(fields) - set(PROJECT_UPDATE_FIELDS)
    if unknown:
        raise ValueError(f"Not project fields: {sorted(unknown)}")
    project = Project.objects.select_for_update().get(pk=project.pk)
    changed = {name: value for name, value in fields.items() if getattr(project, name) != value}
    if not changed:
        return project
    for name, value in changed.items():
        setattr(project, name, value)
    project.full_clean()
    with set_actor(actor):
        project.save()
    return project


@transaction.atomic
def governance_update(*, actor: User, project: Project, version: int, **changes) -> Governance:
    """Record governance choices; refuse with StaleObjectError when ``version`` is not current.

    Only the fields given change; unchanged saves write no log row and keep the version.
    """
    _ensure_governance_editor(actor, project)
    unknown = set(changes) - set(GOVERNANCE_FIELDS)
    if unknown:
        raise ValueError(f"Not governance fields: {sorted(unknown)}")
    governance, _created = Governance.objects.select_for_update().get_or_create(project=project)
    if governance.version != version:
        raise StaleObjectError(
            _(
                "The governance of this project was changed meanwhile by someone else. Reload the "
                "page to see the current choices, then make your change again."
            )
        )
    changed = {name: value for name, value in changes.items() if getattr(governance, name) != value}
    if not changed:
        return governance
    for name, value in changed.items():
        setattr(governance, name, value)
    governance.full_clean(exclude=["project"])
    governance.version += 1
    with set_actor(actor):
        governance.save()
    return governance


@transaction.atomic
def participation_add(
    *,
    actor: User,
    project: Project,
    organisation: Organisation,
    role: str,
    phase: str = "",
    involved_on=None,
    note: str = "",
) -> Participation:
    _ensure_governance_editor(actor, project)
    participation = Participation(
        project=project,
        organisation=organisation,
        role=role,
        phase=phase if role == Role.LEAD else "",
        involved_on=involved_on,
        note=note,
    )
    participation.full_clean()
    with set_actor(actor):
        participation.save()
    return participation


@transaction.atomic
def participation_remove(*, actor: User, participation: Participation) -> None:
    project = participation.project
    _ensure_governance_editor(actor, project)
    if participation.role == Role.LEAD and actor.organisation_id == participation.organisation_id:
        other_leads = project.participations.filter(role=Role.LEAD).exclude(
            organisation_id=actor.organisation_id
        )
        if not actor.is_superuser and not other_leads.exists():
            raise ValidationError(
                _(
                    "You cannot remove your own organisation's lead role while no other party "
                    "leads; the project would have nobody to edit it."
                )
            )
    with set_actor(actor):
        participation.delete()


@transaction.atomic
def subteam_save(
    *,
    actor: User,
    project: Project,
    name: str,
    covers: str = "",
    members: Iterable[User] = (),
    subteam: SubTeam | None = None,
) -> SubTeam:
    """Create a sub-team, or update ``subteam``. Members must work for a participating party."""
    _ensure_governance_editor(actor, project)
    members = list(members)
    participating = set(project.participations.values_list("organisation_id", flat=True))
    outsiders = [m for m in members if m.organisation_id not in participating]
    if outsiders:
        raise ValidationError(
            {
                "members": _("%(names)s do not work for a party in this project.")
                % {"names": ", ".join(str(m) for m in outsiders)}
            }
        )
    subteam = subteam or SubTeam(project=project)
    if subteam.project_id != project.pk:
        raise PermissionDenied
    subteam.name = name
    subteam.covers = covers
    subteam.full_clean()
    with set_actor(actor):
        subteam.save()
        subteam.members.set(members)
    return subteam


@transaction.atomic
def subteam_delete(*, actor: User, subteam: SubTeam) -> None:
    _ensure_governance_editor(actor, subteam.project)
    with set_actor(actor):
        subteam.delete()
