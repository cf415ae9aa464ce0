"""Who speaks to residents (governance 3.3), who asks, and who reads what was sent.

One communicating party per project: its people who communicate, and the lead party's, send messages.
Other parties ask them (``MessageRequest``). Under *dispersed* communication every party of the project
may message the residents of the homes it works on, and only those. A municipality sees counts only.
"""

from django.db.models import Q

from communication.models import Message, MessageRequest
from projects.models import Governance, Participation, Project, Role
from projects.models.governance import Communication
from projects.permissions import (
    COMMUNICATING,
    FULL_VIEW_ROLES,
    PLANNING,
    does,
    dwellings_visible_to,
    is_platform_admin,
    project_roles,
)
from projects.residents import is_resident

SPEAKING_ROLES = {Role.LEAD, Role.COMMUNICATING_PARTY}
# Parties that work on homes and may ask the communicating party to inform their residents.
ASKING_ROLES = {
    Role.SURVEY_PARTY,
    Role.MAIN_CONTRACTOR,
    Role.SUBCONTRACTOR,
    Role.INSTALLER,
    Role.HOUSING_ASSOCIATION,
    Role.HEAT_COMPANY,
}


def _dispersed_projects() -> list[int]:
    return list(
        Governance.objects.filter(communication=Communication.DISPERSED).values_list("project_id", flat=True)
    )


def is_dispersed(project: Project) -> bool:
    return Governance.objects.filter(project=project, communication=Communication.DISPERSED).exists()


def speaking_projects(user) -> set[int]:
    """The projects where the user may send messages to residents."""
    if not user.is_authenticated or user.in_field_only or not does(user, COMMUNICATING):
        return set()
    if is_platform_admin(user):
        return set(Project.objects.values_list("pk", flat=True))
    roles = project_roles(user)
    mine = {project for project, held in roles.items() if held & SPEAKING_ROLES}
    dispersed = set(_dispersed_projects()) & set(roles)
    return mine | dispersed


def can_speak(user, project: Project) -> bool:
    return project.pk in speaking_projects(user)


def speaks_for_all(user, project: Project) -> bool:
    """The lead or communicating party speaks to every home; a party under dispersed only to its own."""
    return is_platform_admin(user) or bool(project_roles(user).get(project.pk, set()) & SPEAKING_ROLES)


def recipients_dwellings(user, project: Project):
    """The homes whose people this user may message in the project."""
    from projects.models import Dwelling

    homes = Dwelling.objects.filter(project=project)
    if not can_speak(user, project):
        return homes.none()
    if speaks_for_all(user, project):
        return homes
    return homes.filter(pk__in=dwellings_visible_to(user).values("pk"))


def asking_projects(user) -> set[int]:
    """Projects where the user may ask the communicating party to inform residents."""
    if not user.is_authenticated or user.in_field_only:
        return set()
    if not (does(user, PLANNING) or does(user, COMMUNICATING)):
        return set()
    if is_platform_admin(user):
        return set(Project.objects.values_list("pk", flat=True))
    return {project for project, held in project_roles(user).items() if held & ASKING_ROLES}


def messages_visible_to(user):
    """Messages with their content: for the parties that see the people of the homes (lead, heat
    company, communicating party, a housing association for its homes) and for a party's own messages
    under dispersed communication. A municipality sees none, only counts. A resident (the portal)
    reads what was sent to them."""
    if is_resident(user):
        return Message.objects.filter(contact=user.contact, dwelling_id=user.contact.dwelling_id)
    if not user.is_authenticated or user.in_field_only:
        return Message.objects.none()
    if is_platform_admin(user):
        return Message.objects.all()
    roles = project_roles(user)
    full = [project for project, held in roles.items() if held & FULL_VIEW_ROLES]
    condition = Q(project_id__in=full) | Q(dwelling__housing_association_id=user.organisation_id)
    condition |= Q(campaign__organisation_id=user.organisation_id)
    return Message.objects.filter(condition)


def can_read_message_counts(user, project: Project) -> bool:
    return project.pk in project_roles(user) or is_platform_admin(user)


def requests_visible_to(user):
    """The queue of the user's party as communicating party (or lead), and the requests it made."""
    if not user.is_authenticated or user.in_field_only:
        return MessageRequest.objects.none()
    if is_platform_admin(user):
        return MessageRequest.objects.all()
    if user.organisation_id is None:
        return MessageRequest.objects.none()
    speaking = speaking_projects(user)
    return MessageRequest.objects.filter(
        Q(communicating_party_id=user.organisation_id)
        | Q(project_id__in=[p for p in speaking if _leads(user, p)])
        | Q(requested_by_id=user.organisation_id)
    )


def _leads(user, project_id: int) -> bool:
    return Role.LEAD in project_roles(user).get(project_id, set())


def communicating_party_of(project: Project):
    participation = (
        Participation.objects.filter(project=project, role=Role.COMMUNICATING_PARTY).order_by("pk").first()
        or Participation.objects.filter(project=project, role=Role.LEAD).order_by("pk").first()
    )
    return participation.organisation if participation else None
