"""Who may see and do what with projects. Every rule comes as a predicate and its queryset twin.

Outside a party's scope an object does not exist for it: views turn an empty scope into 404.
Platform superusers (who run the installation) see everything.
"""

from django.db.models import QuerySet

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
