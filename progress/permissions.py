"""Who may take which file out of the progress app.

- The figures (CSV, XLSX) and the monthly report: whoever may open the dashboard they come from
  (``progress.scopes``), seeing them as on the page (``Viewer``).
- Background work (an XLSX export, a report made on demand) writes a job or a report: not for a
  person who only reads (``starts_work``); they download the CSV and the reports already made.
- The dwellings of a project as a file: the lead party only (``can_export_dwellings`` and its queryset
  twin ``projects_exportable_by``), not someone who only works in the field. Which columns it holds
  follows the base's rules for one dwelling, decided once for the whole project
  (``sees_people``, ``sees_care_note``): a party that sees the project in full (lead party, heat
  company, communicating party) relates to each of its dwellings in that role, so the per-dwelling
  rules (``can_see_contacts``, ``can_see_extra_care_note``) give the same answer for every row.
"""

from django.db.models import QuerySet

from projects.models import Project, Role, User, WorkRole
from projects.permissions import FULL_VIEW_ROLES, does, is_platform_admin, project_roles, projects_led_by

# The work roles that change something; a read-only person starts no work, not even a file.
WORKING = (WorkRole.ADMINISTRATOR, WorkRole.COORDINATOR, WorkRole.PLANNER, WorkRole.COMMUNICATION)


def starts_work(user: User) -> bool:
    """Whether the person may start background work that writes (an export job, a report)."""
    return is_platform_admin(user) or does(user, WORKING)


def projects_exportable_by(user: User) -> QuerySet[Project]:
    """The projects whose dwellings the person may take out as a file: those its organisation leads."""
    return projects_led_by(user)


def can_export_dwellings(user: User, project: Project) -> bool:
    """The predicate twin of ``projects_exportable_by`` (from the person's cached roles: no query)."""
    return is_platform_admin(user) or Role.LEAD in project_roles(user).get(project.pk, set())


def can_start_dwelling_export(user: User, project: Project) -> bool:
    """The XLSX file of the dwellings, made as a job: the lead party, not someone who only reads."""
    return can_export_dwellings(user, project) and starts_work(user)


def can_make_reports(user: User) -> bool:
    """A report made on demand, for the person's organisation, by someone who does not only read (the
    caller checks that the person may open the dashboard)."""
    return user.organisation_id is not None and starts_work(user)


def _roles(user: User, project: Project) -> set[str]:
    return set(project_roles(user).get(project.pk, set()))


def sees_people(user: User, project: Project) -> bool:
    """Names, e-mail addresses and phone numbers of every dwelling's owner and resident: where
    ``projects.permissions.can_see_contacts`` allows them for every dwelling of the project."""
    return is_platform_admin(user) or bool(_roles(user, project) & FULL_VIEW_ROLES)


def sees_care_note(user: User, project: Project) -> bool:
    """The extra-care note of every dwelling: as ``projects.permissions.can_see_extra_care_note``."""
    return is_platform_admin(user) or bool(_roles(user, project) & {Role.LEAD, Role.COMMUNICATING_PARTY})
