"""Who may see and do what with projects. Every rule comes as a predicate and its queryset twin.

Outside a party's scope an object does not exist for it: views turn an empty scope into 404.
Platform superusers (who run the installation) see everything.
"""

from django.db.models import Q, QuerySet

from projects.models import Organisation, OrganisationKind, Participation, Project, Role, User

# Organisation kinds that can start a project (and so become its first lead party).
PROJECT_STARTER_KINDS = (OrganisationKind.HEAT_COMPANY, OrganisationKind.MUNICIPALITY)


def _is_platform_admin(user) -> bool:
    return user.is_active and user.is_superuser


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
    """The projects in which the user's organisation is a lead party (in any phase)."""
    if not user.is_authenticated or not user.is_active:
        return Project.objects.none()
    if _is_platform_admin(user):
        return Project.objects.all()
    return Project.objects.filter(
        pk__in=Participation.objects.filter(organisation_id=user.organisation_id, role=Role.LEAD).values(
            "project_id"
        )
    )


def is_lead_party(user: User, project: Project) -> bool:
    return projects_led_by(user).filter(pk=project.pk).exists()


def can_edit_governance(user: User, project: Project) -> bool:
    """Governance, participations and sub-teams are edited by the lead party only."""
    return is_lead_party(user, project)


def can_create_project(user: User) -> bool:
    if _is_platform_admin(user):
        return True
    return (
        user.is_authenticated
        and user.is_active
        and user.organisation is not None
        and user.organisation.kind in PROJECT_STARTER_KINDS
    )


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


# --- Dwellings ---------------------------------------------------------------------------------
#
# What each party may see (DOMAIN.md): the lead party everything in its projects; the heat company
# and the communicating party the dwellings of their projects; a survey party the dwellings it is to
# survey; an installer the dwellings assigned to it; a housing association its own dwellings; a
# municipality, grid operator or water company no single dwelling at all (progress in aggregate).
# A field worker (a surveyor on a tablet) sees only the dwellings planned for them personally.

FULL_VIEW_ROLES = {Role.LEAD, Role.HEAT_COMPANY, Role.COMMUNICATING_PARTY}
# A survey party sees the dwellings assigned to it, and the ones still waiting for a survey party
# (to plan them); not a declined or withdrawn home that nobody has surveyed.
UNASSIGNED_SURVEY_STATES = ("registered", "informed")


def project_roles(user: User) -> dict[int, set[str]]:
    """The roles of the user's organisation per project id, read once per user object."""
    cached = getattr(user, "_project_roles", None)
    if cached is None:
        cached = {}
        if user.is_authenticated and user.organisation_id:
            rows = Participation.objects.filter(organisation_id=user.organisation_id).values_list(
                "project_id", "role"
            )
            for project_id, role in rows:
                cached.setdefault(project_id, set()).add(role)
        user._project_roles = cached
    return cached


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
    if user.field_worker:
        return Dwelling.objects.filter(surveyor_id=user.pk)
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
        | Q(installer_id=org)
        | Q(housing_association_id=org)
    )
    return Dwelling.objects.filter(condition)


def dwelling_relations(user: User, dwelling) -> set[str]:
    """How the user relates to one dwelling; the predicate twin of ``dwellings_visible_to``."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if _is_platform_admin(user):
        return {"admin", *FULL_VIEW_ROLES}
    org = user.organisation_id
    if org is None:
        return set()
    if user.field_worker:
        # Someone in the field sees only the homes planned for them, not the organisation's others.
        return {"surveyor"} if dwelling.surveyor_id == user.pk else set()
    roles = project_roles(user).get(dwelling.project_id, set())
    relations = set(roles & FULL_VIEW_ROLES)
    if Role.SURVEY_PARTY in roles and (
        dwelling.survey_party_id == org
        or (dwelling.survey_party_id is None and dwelling.state in UNASSIGNED_SURVEY_STATES)
    ):
        relations.add(Role.SURVEY_PARTY)
    if dwelling.surveyor_id == user.pk:
        relations.add("surveyor")
    if dwelling.installer_id == org:
        relations.add("installer")
    if dwelling.housing_association_id == org:
        relations.add(Role.HOUSING_ASSOCIATION)
    return relations


def can_view_dwelling(user: User, dwelling) -> bool:
    return bool(dwelling_relations(user, dwelling))


def can_see_contacts(user: User, dwelling) -> bool:
    """Names, e-mail and phone of owner and resident, and their preferred channel."""
    relations = dwelling_relations(user, dwelling)
    return bool(relations & (FULL_VIEW_ROLES | {Role.HOUSING_ASSOCIATION}))


def can_see_access_contact(user: User, dwelling) -> bool:
    """The resident's name and phone, for the appointment or access to the home."""
    relations = dwelling_relations(user, dwelling)
    return can_see_contacts(user, dwelling) or bool(relations & {Role.SURVEY_PARTY, "surveyor", "installer"})


def can_see_extra_care_note(user: User, dwelling) -> bool:
    return bool(dwelling_relations(user, dwelling) & {Role.LEAD, Role.COMMUNICATING_PARTY, "admin"})


def _has_role(user, dwelling, *roles) -> bool:
    return bool(dwelling_relations(user, dwelling) & {*roles, "admin"})


def can_inform(user: User, dwelling) -> bool:
    return _has_role(user, dwelling, Role.LEAD, Role.COMMUNICATING_PARTY)


can_record_agreement = can_inform


def can_plan_survey(user: User, dwelling) -> bool:
    return _has_role(user, dwelling, Role.SURVEY_PARTY)


def can_record_survey(user: User, dwelling) -> bool:
    return _has_role(user, dwelling, "surveyor")


can_record_visit = can_record_survey


def can_lead(user: User, dwelling) -> bool:
    return _has_role(user, dwelling, Role.LEAD)


can_approve_plan = can_lead
# Until work packages exist (procurement), the lead party assigns a dwelling to an installer.
can_assign = can_lead


def can_install(user: User, dwelling) -> bool:
    return _has_role(user, dwelling, "installer")


def can_accept_connection(user: User, dwelling) -> bool:
    return _has_role(user, dwelling, Role.HEAT_COMPANY)


def can_manage_register(user: User, project: Project) -> bool:
    """Import and edit dwellings, and move many at once: the lead party."""
    return is_lead_party(user, project)
