"""Who plans survey visits ahead, and who sees and books open slots.

Planning (by cluster or street, and making slots) is the work of the survey party's planners: the
office staff of an organisation that is the survey party of the project. Its field workers (the
surveyors on a tablet) do not plan; they see only the homes planned for them. Every other party of
the project, and everyone outside it, has no planning pages at all (404).

Slots: the survey party sees the slots of its own surveyors; the lead and the communicating party
see the published ones (to offer them to residents); a field worker sees their own; nobody else any.
Booking a slot plans the survey through ``plan_survey``, so the rule of who may plan a visit (the
survey party, ``projects.permissions.can_plan_survey``) decides who may book.
"""

from django.db.models import Q, QuerySet

from projects.models import Participation, Project, Role, User
from projects.permissions import (
    PLANNING,
    SURVEYING,
    does,
    organisation_roles,
    project_roles,
    projects_with_roles,
    with_work_roles,
)

SLOT_VIEWER_ROLES = {Role.LEAD, Role.COMMUNICATING_PARTY}


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_survey_party(user: User, project: Project) -> bool:
    """The user's organisation is a survey party of the project (whatever the person does)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return Role.SURVEY_PARTY in organisation_roles(user).get(project.pk, set())


def can_plan_in_project(user: User, project: Project) -> bool:
    """Plan visits ahead and manage slots: a planner or coordinator of the survey party."""
    return is_survey_party(user, project) and does(user, PLANNING)


def can_see_slots(user: User, project: Project) -> bool:
    """See the project's slots at all: the survey party's planners, the lead and communicating party."""
    if can_plan_in_project(user, project):
        return True
    if not _active(user):
        return False
    return bool(project_roles(user).get(project.pk, set()) & SLOT_VIEWER_ROLES)


def planning_surveyors(user: User, project: Project) -> QuerySet[User]:
    """The people a planner may plan visits for: the active members of their own organisation whose work
    is surveying (a field worker, a planner or a coordinator who goes out themselves).

    A platform admin may plan for any survey party of the project (as ``plan_survey`` allows).
    """
    if not can_plan_in_project(user, project):
        return User.objects.none()
    if user.is_superuser:
        parties = Participation.objects.filter(project=project, role=Role.SURVEY_PARTY).values(
            "organisation_id"
        )
        queryset = User.objects.filter(organisation_id__in=parties)
    else:
        queryset = User.objects.filter(organisation_id=user.organisation_id)
    return with_work_roles(queryset.filter(is_active=True), SURVEYING).order_by(
        "last_name", "first_name", "email"
    )


def slots_visible_to(user: User):
    """The queryset twin of the slot rules in the module docstring."""
    from surveys.models import SurveySlot

    if not _active(user):
        return SurveySlot.objects.none()
    if user.is_superuser:
        return SurveySlot.objects.all()
    if user.organisation_id is None:
        return SurveySlot.objects.none()
    if user.in_field_only:
        return SurveySlot.objects.filter(surveyor_id=user.pk)
    own = projects_with_roles(user, {Role.SURVEY_PARTY})
    published = projects_with_roles(user, SLOT_VIEWER_ROLES)
    return SurveySlot.objects.filter(
        Q(project_id__in=own, surveyor__organisation_id=user.organisation_id)
        | Q(project_id__in=published, published=True)
    )


def slots_managed_by(user: User, project: Project):
    """The slots a planner may publish, unpublish and delete: its own surveyors' in this project."""
    from surveys.models import SurveySlot

    if not can_plan_in_project(user, project):
        return SurveySlot.objects.none()
    queryset = SurveySlot.objects.filter(project=project)
    if not user.is_superuser:
        queryset = queryset.filter(surveyor__organisation_id=user.organisation_id)
    return queryset


def can_manage_slot(user: User, slot) -> bool:
    """The predicate twin of ``slots_managed_by`` for one slot."""
    if not can_plan_in_project(user, slot.project):
        return False
    return user.is_superuser or slot.surveyor.organisation_id == user.organisation_id
