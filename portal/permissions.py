"""Who may do what around the portal: the parties that manage residents' links and answer them."""

from django.db.models import Q

from communication.permissions import can_speak, communicating_party_of
from portal.models import Question, QuestionKind
from projects.models import Participation, Role
from projects.permissions import COMMUNICATING, COORDINATING, can_see_contacts, does, is_platform_admin


def can_manage_links(user, dwelling) -> bool:
    """Revoke and send anew a person's link: who speaks to the home's residents and sees the people."""
    return can_speak(user, dwelling.project) and can_see_contacts(user, dwelling)


def heat_company_of(project):
    participation = (
        Participation.objects.filter(project=project, role=Role.HEAT_COMPANY)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    return participation.organisation if participation else None


def addressee_of(project, kind: str):
    """A question goes to the communicating party (or the lead), an aftercare report to the heat company."""
    if kind == QuestionKind.AFTERCARE:
        company = heat_company_of(project)
        if company is not None:
            return company
    return communicating_party_of(project)


def questions_visible_to(user):
    """The inbox: what residents asked the user's party (its communication or coordinating people)."""
    if not user.is_authenticated or user.in_field_only:
        return Question.objects.none()
    if is_platform_admin(user):
        return Question.objects.all()
    if user.organisation_id is None or not (does(user, COMMUNICATING) or does(user, COORDINATING)):
        return Question.objects.none()
    return Question.objects.filter(Q(addressed_to_id=user.organisation_id))
