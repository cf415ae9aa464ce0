"""Who may see and do what with projects. Every rule comes as a predicate and its queryset twin.

Two layers decide. The roles of a person's organisation in a project (lead party, survey party,
installer, ...) are the ceiling: what the organisation may see and do there. A person's work roles
(``WorkRole``: administrator, coordinator, planner, field worker, communication, read-only) choose
within it:

- everyone but a field worker sees what the organisation sees; a person whose only role is field
  worker sees only the homes planned for them personally, in every page, list, search, export, job
  and document, and no project-wide page (register, import, planning, governance) at all;
- a coordinator does the organisation's project work: governance, parties and sub-teams, the register,
  imports and bulk moves, the sample, and the decisions on a dwelling's way (approve the plan, assign
  the installer, hold, withdraw, accept the connection);
- a planner plans survey visits, slots and installations; a communication officer informs residents,
  records their agreements and declines;
- an administrator manages the organisation's people; read-only changes nothing.

Outside a party's scope an object does not exist for it: views turn an empty scope into 404.
Platform superusers (who run the installation) see and do everything.
"""

from django.db.models import Q, QuerySet

from projects import workflow
from projects.models import Organisation, OrganisationKind, Participation, Project, Role, User, WorkRole
from projects.residents import acts_for, is_resident

# Organisation kinds that can start a project (and so become its first lead party).
PROJECT_STARTER_KINDS = (OrganisationKind.HEAT_COMPANY, OrganisationKind.MUNICIPALITY)


# The work roles that do each kind of work, within the organisation's rights.
COORDINATING = (WorkRole.COORDINATOR,)
PLANNING = (WorkRole.PLANNER, WorkRole.COORDINATOR)
COMMUNICATING = (WorkRole.COMMUNICATION, WorkRole.COORDINATOR)
# Who may be planned as the surveyor of a visit, and record it; likewise the technician of an installation.
SURVEYING = (WorkRole.FIELD_WORKER, WorkRole.PLANNER, WorkRole.COORDINATOR)
INSTALLING = SURVEYING
MANAGING_PEOPLE = (WorkRole.ADMINISTRATOR,)


def is_platform_admin(user) -> bool:
    """Who runs the platform (a superuser) sees and does everything."""
    return user.is_active and user.is_superuser


_is_platform_admin = is_platform_admin


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def does(user, work: tuple[str, ...]) -> bool:
    """Whether the person does this kind of work (holds one of its work roles)."""
    return _active(user) and user.has_work_role(*work)


def with_work_roles(queryset: QuerySet[User], work: tuple[str, ...]) -> QuerySet[User]:
    """The queryset twin of ``does``: the people holding one of ``work``'s roles.

    The roles are a JSON list of fixed words; a match on the quoted word in its text works alike on
    SQLite and PostgreSQL (no role is part of another)."""
    condition = Q(is_superuser=True)
    for role in work:
        condition |= Q(work_roles__icontains=f'"{role}"')
    return queryset.filter(condition)


def projects_visible_to(user: User) -> QuerySet[Project]:
    """The projects in which the user's organisation takes part, in any role."""
    if not user.is_authenticated or not user.is_active:
        return Project.objects.none()
    if _is_platform_admin(user):
        return Project.objects.all()
    if user.organisation_id is None:
        return Project.objects.none()
    return Project.objects.filter(
        pk__in=Participation.objects.filter(organisation_id=user.organisation_id).values("project_id")
    )


def can_view_project(user: User, project: Project) -> bool:
    return projects_visible_to(user).filter(pk=project.pk).exists()


def projects_led_by(user: User) -> QuerySet[Project]:
    """The projects in which the user's organisation is a lead party (in any phase) and the person sees
    its scope (not someone who only works in the field)."""
    if not _active(user):
        return Project.objects.none()
    if _is_platform_admin(user):
        return Project.objects.all()
    if user.in_field_only:
        return Project.objects.none()
    return Project.objects.filter(
        pk__in=Participation.objects.filter(organisation_id=user.organisation_id, role=Role.LEAD).values(
            "project_id"
        )
    )


def is_lead_party(user: User, project: Project) -> bool:
    # Read from the database, not the per-user cache: a project the user just started counts at once.
    return projects_led_by(user).filter(pk=project.pk).exists()


def projects_coordinated_by(user: User) -> QuerySet[Project]:
    """The projects whose governance, parties and register the person keeps: a coordinator of a lead party."""
    if not does(user, COORDINATING):
        return Project.objects.none()
    return projects_led_by(user)


def can_edit_governance(user: User, project: Project) -> bool:
    """Governance, participations and sub-teams: a coordinator of the lead party."""
    return is_lead_party(user, project) and does(user, COORDINATING)


def can_create_project(user: User) -> bool:
    """Start a project (and so become its lead party): a coordinator of a heat company or municipality."""
    if _is_platform_admin(user):
        return True
    return (
        does(user, COORDINATING)
        and user.organisation is not None
        and user.organisation.kind in PROJECT_STARTER_KINDS
    )


def can_view_project_records(user: User, project: Project) -> bool:
    """The project's records beyond its overview (the governance change log, the signed collaboration
    agreement): every party of the project, but not someone who only works in the field."""
    return _is_platform_admin(user) or bool(project_roles(user).get(project.pk))


def organisations_visible_to(user: User) -> QuerySet[Organisation]:
    """Own organisation plus every organisation that shares a project with it."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if _is_platform_admin(user):
        return Organisation.objects.all()
    shared = Participation.objects.filter(project__in=projects_visible_to(user)).values("organisation_id")
    return Organisation.objects.filter(pk__in=shared) | Organisation.objects.filter(pk=user.organisation_id)


def users_visible_to(user: User) -> QuerySet[User]:
    """The people of one's own organisation (colleagues), or everyone for platform admins."""
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if _is_platform_admin(user):
        return User.objects.all()
    return User.objects.filter(organisation_id=user.organisation_id)


def people_managed_by(user: User) -> QuerySet[User]:
    """The people whose roles, access and lockout a person manages: an administrator's own
    organisation (never a platform superuser), or everyone for platform admins."""
    if _is_platform_admin(user):
        return User.objects.all()
    if not does(user, MANAGING_PEOPLE) or user.organisation_id is None:
        return User.objects.none()
    return User.objects.filter(organisation_id=user.organisation_id, is_superuser=False)


def can_manage_people(user: User) -> bool:
    return _is_platform_admin(user) or (does(user, MANAGING_PEOPLE) and user.organisation_id is not None)


def can_manage_person(user: User, person: User) -> bool:
    """The predicate twin of ``people_managed_by``."""
    if _is_platform_admin(user):
        return True
    return (
        can_manage_people(user) and person.organisation_id == user.organisation_id and not person.is_superuser
    )


# --- Dwellings ---------------------------------------------------------------------------------
#
# What each party may see (DOMAIN.md): the lead party everything in its projects; the heat company
# and the communicating party the dwellings of their projects; a survey party the dwellings it is to
# survey; an installer the dwellings assigned to it; a housing association its own dwellings; a
# municipality, grid operator or water company no single dwelling at all (progress in aggregate).
# A person who only works in the field (a surveyor on a tablet) sees only the dwellings planned for
# them personally, whatever the roles of the organisation.

FULL_VIEW_ROLES = {Role.LEAD, Role.HEAT_COMPANY, Role.COMMUNICATING_PARTY}
# A survey party sees the dwellings assigned to it, and the ones still waiting for a survey party
# (to plan them); not a declined or withdrawn home that nobody has surveyed.
UNASSIGNED_SURVEY_STATES = ("registered", "informed")


def organisation_roles(user: User) -> dict[int, set[str]]:
    """The roles of the user's organisation per project id (the ceiling), read once per user object."""
    cached = getattr(user, "_organisation_roles", None)
    if cached is None:
        cached = {}
        if user.is_authenticated and user.organisation_id:
            rows = Participation.objects.filter(organisation_id=user.organisation_id).values_list(
                "project_id", "role"
            )
            for project_id, role in rows:
                cached.setdefault(project_id, set()).add(role)
        user._organisation_roles = cached
    return cached


def project_roles(user: User) -> dict[int, set[str]]:
    """The organisation's roles per project whose scope this person sees: all of them, or none for
    someone who only works in the field (they see the homes planned for them, nothing project-wide)."""
    if not _active(user) or user.in_field_only:
        return {}
    return organisation_roles(user)


def projects_with_roles(user: User, roles) -> list[int]:
    return [pid for pid, held in project_roles(user).items() if held & set(roles)]


def dwellings_visible_to(user: User):
    from projects.models import Dwelling

    if not user.is_authenticated or not user.is_active:
        return Dwelling.objects.none()
    if _is_platform_admin(user):
        return Dwelling.objects.all()
    if user.organisation_id is None:
        return Dwelling.objects.none()
    contributed = Q()
    for scope in workflow.scopes():
        if scope.personal or not user.in_field_only:
            contributed |= scope.condition(user)
    if user.in_field_only:
        return Dwelling.objects.filter(Q(surveyor_id=user.pk) | Q(technician_id=user.pk) | contributed)
    org = user.organisation_id
    condition = (
        Q(project_id__in=projects_with_roles(user, FULL_VIEW_ROLES))
        | Q(
            project_id__in=projects_with_roles(user, {Role.SURVEY_PARTY}),
            survey_party_id__in=[org],
        )
        | Q(
            project_id__in=projects_with_roles(user, {Role.SURVEY_PARTY}),
            survey_party__isnull=True,
            state__in=UNASSIGNED_SURVEY_STATES,
        )
        | Q(surveyor_id=user.pk)
        | Q(technician_id=user.pk)
        | Q(installer_id=org)
        | Q(housing_association_id=org)
        | contributed
    )
    return Dwelling.objects.filter(condition)


def dwelling_relations(user: User, dwelling) -> set[str]:
    """How the user relates to one dwelling; the predicate twin of ``dwellings_visible_to``. A resident
    acting through their personal link (``projects.residents``) relates to their own home only."""
    if is_resident(user):
        return {"resident"} if acts_for(user, dwelling) else set()
    if not user.is_authenticated or not user.is_active:
        return set()
    if _is_platform_admin(user):
        return {"admin", *FULL_VIEW_ROLES}
    org = user.organisation_id
    if org is None:
        return set()
    if user.in_field_only:
        # Someone in the field sees only the homes planned for them, not the organisation's others.
        return _personal_relations(user, dwelling) | _contributed_relations(
            user, dwelling, personal_only=True
        )
    roles = project_roles(user).get(dwelling.project_id, set())
    relations = set(roles & FULL_VIEW_ROLES)
    if Role.SURVEY_PARTY in roles and (
        dwelling.survey_party_id == org
        or (dwelling.survey_party_id is None and dwelling.state in UNASSIGNED_SURVEY_STATES)
    ):
        relations.add(Role.SURVEY_PARTY)
    relations |= _personal_relations(user, dwelling)
    if dwelling.installer_id == org:
        relations.add("installer")
    if dwelling.housing_association_id == org:
        relations.add(Role.HOUSING_ASSOCIATION)
    relations |= _contributed_relations(user, dwelling, personal_only=False)
    return relations


def _personal_relations(user: User, dwelling) -> set[str]:
    """The homes planned for the person: the visit they survey, the installation they do."""
    relations = set()
    if dwelling.surveyor_id == user.pk:
        relations.add("surveyor")
    if dwelling.technician_id == user.pk:
        relations.add("technician")
    return relations


def _contributed_relations(user: User, dwelling, *, personal_only: bool) -> set[str]:
    """The relations other apps know of (``projects.workflow.scope``)."""
    return {
        scope.relation
        for scope in workflow.scopes()
        if (scope.personal or not personal_only) and scope.holds(user, dwelling)
    }


def can_view_dwelling(user: User, dwelling) -> bool:
    return bool(dwelling_relations(user, dwelling))


def can_see_contacts(user: User, dwelling) -> bool:
    """Names, e-mail and phone of owner and resident, and their preferred channel."""
    relations = dwelling_relations(user, dwelling)
    return bool(relations & (FULL_VIEW_ROLES | {Role.HOUSING_ASSOCIATION}))


def can_see_access_contact(user: User, dwelling) -> bool:
    """The resident's name and phone, for the appointment or access to the home."""
    relations = dwelling_relations(user, dwelling)
    return can_see_contacts(user, dwelling) or bool(
        relations & {Role.SURVEY_PARTY, "surveyor", "installer", Role.SUBCONTRACTOR, "technician"}
    )


def can_see_extra_care_note(user: User, dwelling) -> bool:
    return bool(dwelling_relations(user, dwelling) & {Role.LEAD, Role.COMMUNICATING_PARTY, "admin"})


# Who may find a dwelling by the name of its people: whoever sees the people of the project's dwellings.
PEOPLE_SEARCH_ROLES = {*FULL_VIEW_ROLES, Role.HOUSING_ASSOCIATION}


def people_search_projects(user: User) -> list[int] | None:
    """The project ids in which the person may search dwellings by their people's names (None: all).

    Decided per project: an organisation that is the communicating party in one project and the survey
    party in another finds only the first project's homes by a name."""
    if _is_platform_admin(user):
        return None
    return projects_with_roles(user, PEOPLE_SEARCH_ROLES)


def can_search_people(user: User, project: Project) -> bool:
    """The predicate twin of ``people_search_projects`` for one project."""
    allowed = people_search_projects(user)
    return allowed is None or project.pk in allowed


# Organisation roles that work with single dwellings; the others (municipality, grid operator, water
# company) see progress in aggregate only.
DWELLING_LEVEL_ROLES = {
    *FULL_VIEW_ROLES,
    Role.SURVEY_PARTY,
    Role.HOUSING_ASSOCIATION,
    Role.MAIN_CONTRACTOR,
    Role.SUBCONTRACTOR,
    Role.INSTALLER,
}


def works_with_dwellings(user: User, project: Project) -> bool:
    """Whether the dwelling list of the project is for this person at all (a field worker's shows only
    the homes planned for them)."""
    if _is_platform_admin(user):
        return True
    if not _active(user):
        return False
    return bool(organisation_roles(user).get(project.pk, set()) & DWELLING_LEVEL_ROLES)


def _has_role(user, dwelling, *roles, work: tuple[str, ...] | None = None) -> bool:
    """The organisation relates to the dwelling in one of ``roles`` and the person does ``work``."""
    if work is not None and not does(user, work):
        return False
    return bool(dwelling_relations(user, dwelling) & {*roles, "admin"})


def can_inform(user: User, dwelling) -> bool:
    return _has_role(user, dwelling, Role.LEAD, Role.COMMUNICATING_PARTY, work=COMMUNICATING)


def can_record_agreement(user: User, dwelling) -> bool:
    """The lead or communicating party records the signatory's agreement; an app may let the signatory
    give it (the portal: an owner-occupier accepts with a one-time code)."""
    return can_inform(user, dwelling) or granted("record_agreement", user, dwelling)


def can_plan_survey(user: User, dwelling) -> bool:
    """The survey party's planner; an app may let someone else book (the portal: the resident picks
    one of the published times)."""
    return _has_role(user, dwelling, Role.SURVEY_PARTY, work=PLANNING) or granted(
        "plan_survey", user, dwelling
    )


def can_change_survey(user: User, dwelling) -> bool:
    """Move or call off a planned survey visit: the survey party's planner, or whom an app lets (the
    portal: the resident, up to a set time before the visit)."""
    return _has_role(user, dwelling, Role.SURVEY_PARTY, work=PLANNING) or granted(
        "change_survey", user, dwelling
    )


def can_record_survey(user: User, dwelling) -> bool:
    """The surveyor planned for the visit, as long as surveying is (still) their work."""
    return _has_role(user, dwelling, "surveyor", work=SURVEYING)


can_record_visit = can_record_survey


def can_lead(user: User, dwelling) -> bool:
    return _has_role(user, dwelling, Role.LEAD, work=COORDINATING)


can_approve_plan = can_lead


def granted(move: str, user: User, dwelling) -> bool:
    """Whether another app lets ``user`` make ``move`` for ``dwelling`` (``projects.workflow.grant``)."""
    return any(grant(user, dwelling) for grant in workflow.grants(move))


def can_assign(user: User, dwelling) -> bool:
    """The lead party assigns a dwelling to an installer; an app may let someone else take the work
    (procurement: the installer that accepts the work package the dwelling is in)."""
    return can_lead(user, dwelling) or granted("assign", user, dwelling)


def can_reassign(user: User, dwelling) -> bool:
    """The lead party moves the work to another installer; an app may let the new installer take it
    (procurement: the installer that accepts the package the work moved to)."""
    return can_lead(user, dwelling) or granted("reassign", user, dwelling)


def can_install(user: User, dwelling) -> bool:
    """Plan the installation (and its technician): a planner or coordinator of the dwelling's installer;
    an app may let another party do it (procurement: the subcontractor the dwelling was handed to)."""
    return _has_role(user, dwelling, "installer", work=PLANNING) or granted(
        "plan_installation", user, dwelling
    )


def can_change_installation(user: User, dwelling) -> bool:
    """Move a planned installation to another day: whoever plans it, or whom an app lets (the portal: the
    resident, to another day the installer offers, up to a set time before the day)."""
    return can_install(user, dwelling) or granted("change_installation", user, dwelling)


def can_report_installed(user: User, dwelling) -> bool:
    """Report the work done: the installer's planner or coordinator, or the technician who did it."""
    return (
        _has_role(user, dwelling, "installer", work=PLANNING)
        or _has_role(user, dwelling, "technician", work=INSTALLING)
        or granted("report_installed", user, dwelling)
    )


def can_accept_connection(user: User, dwelling) -> bool:
    return _has_role(user, dwelling, Role.HEAT_COMPANY, work=COORDINATING)


def can_manage_register(user: User, project: Project) -> bool:
    """Import and edit dwellings, and move many at once: a coordinator of the lead party."""
    return is_lead_party(user, project) and does(user, COORDINATING)


def can_view_history(user: User, dwelling) -> bool:
    """Who changed which data of a dwelling and its people: the lead party (not its field workers)."""
    return bool(dwelling_relations(user, dwelling) & {Role.LEAD, "admin"})
