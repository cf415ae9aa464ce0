"""Who sees the survey sample and its estimates, and who chooses the sample.

The parties that see every dwelling of the project (``FULL_VIEW_ROLES``: lead party, heat company,
communicating party) see the estimates and the sample dwellings. The municipality sees the estimates
only: figures per dwelling type and cluster, never an address, a name or a note (DOMAIN.md: the
municipality follows progress in aggregate). Only the lead party chooses the sample.
"""

from projects.models import Project, Role, User
from projects.permissions import FULL_VIEW_ROLES, can_manage_register, project_roles

FULL = "full"
AGGREGATE = "aggregate"


def sample_access(user: User, project: Project) -> str | None:
    """FULL, AGGREGATE or None (no access) for a project the user can already see."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return FULL
    roles = project_roles(user).get(project.pk, set())
    if roles & FULL_VIEW_ROLES:
        return FULL
    if Role.MUNICIPALITY in roles:
        return AGGREGATE
    return None


def can_view_sample(user: User, project: Project) -> bool:
    return sample_access(user, project) is not None


def can_choose_sample(user: User, project: Project) -> bool:
    return can_manage_register(user, project)
