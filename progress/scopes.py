"""Which projects a dashboard covers for a person, and how they see them (``Viewer``).

- A project's dashboard: any party of the project (not someone who only works in the field).
- The municipality's dashboard: every project in which the person's organisation takes part as the
  municipality.
- The programme: every project in which the organisation is a lead party or the heat company (a heat
  company with several projects sees them as one programme).

Outside these a dashboard does not exist for the person (404). A person sees exact counts only where
their organisation sees every dwelling of every project covered (lead party, heat company,
communicating party); anyone else sees aggregates with small groups hidden. Prices only for the lead
party and the heat company (``procurement.permissions.can_see_costs``).
"""

from django.conf import settings
from django.http import Http404

from procurement.permissions import can_see_costs
from progress.aggregates import Viewer
from projects.models import Project, Role
from projects.permissions import FULL_VIEW_ROLES, is_platform_admin, project_roles

PROGRAMME_ROLES = {Role.LEAD, Role.HEAT_COMPANY}


def viewer_for(user, projects) -> Viewer:
    roles = project_roles(user)
    admin = is_platform_admin(user)
    exact = admin or all(roles.get(project.pk, set()) & FULL_VIEW_ROLES for project in projects)
    prices = admin or all(can_see_costs(user, project) for project in projects)
    return Viewer(
        exact=bool(exact and projects), prices=bool(prices and projects), below=settings.PROGRESS_SMALL_CELL
    )


def _projects(ids) -> list[Project]:
    return list(Project.objects.filter(pk__in=ids).order_by("name", "pk"))


def project_scope(user, slug: str) -> tuple[list[Project], Viewer]:
    project = Project.objects.filter(slug=slug).first()
    if project is None or not (is_platform_admin(user) or project.pk in project_roles(user)):
        raise Http404
    return [project], viewer_for(user, [project])


def role_ids(user, roles) -> list[int]:
    return [pid for pid, held in project_roles(user).items() if held & set(roles)]


def _all_for_admin(user, ids) -> list[int]:
    """Who runs the platform sees every project in each cross-project dashboard."""
    return list(Project.objects.values_list("pk", flat=True)) if is_platform_admin(user) else ids


def municipality_scope(user) -> tuple[list[Project], Viewer]:
    projects = _projects(_all_for_admin(user, role_ids(user, {Role.MUNICIPALITY})))
    if not projects:
        raise Http404
    return projects, viewer_for(user, projects)


def programme_scope(user) -> tuple[list[Project], Viewer]:
    projects = _projects(_all_for_admin(user, role_ids(user, PROGRAMME_ROLES)))
    if not projects:
        raise Http404
    return projects, viewer_for(user, projects)


SCOPES = {"municipality": municipality_scope, "programme": programme_scope}


def available(user) -> list[str]:
    """The cross-project dashboards this person has (for the menu)."""
    if is_platform_admin(user):
        return ["programme", "municipality"]
    roles = project_roles(user)
    held = set().union(*roles.values()) if roles else set()
    found = []
    if held & PROGRAMME_ROLES:
        found.append("programme")
    if Role.MUNICIPALITY in held:
        found.append("municipality")
    return found
