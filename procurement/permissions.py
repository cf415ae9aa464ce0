"""Who may do what with packages and agreements; the base's two layers (``projects.permissions``): the
organisation's roles in a project are the ceiling, a person's work roles choose within it."""

from projects.models import Project, Role, User
from projects.permissions import COORDINATING, does, project_roles


def can_manage_packages(user: User, project: Project) -> bool:
    """Bundle, offer and withdraw packages: a coordinator of the lead party."""
    return Role.LEAD in project_roles(user).get(project.pk, set()) and does(user, COORDINATING)


def can_decide_package(user: User, package) -> bool:
    """Accept or decline an offer: a coordinator of the installer it was offered to."""
    return (
        package.installer_id is not None
        and user.is_active
        and user.organisation_id == package.installer_id
        and not user.in_field_only
        and does(user, COORDINATING)
    )
