"""Who may do what with packages and agreements; the base's two layers (``projects.permissions``): the
organisation's roles in a project are the ceiling, a person's work roles choose within it."""

from projects.models import Project, Role, User
from projects.permissions import (
    COORDINATING,
    PLANNING,
    does,
    dwelling_relations,
    is_platform_admin,
    project_roles,
)


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


def can_offer_days(user: User, package) -> bool:
    """Offer and withdraw the installation days residents choose from: a planner or coordinator of the
    installer that accepted the package."""
    from procurement.models import PackageStatus

    if package.status != PackageStatus.ACCEPTED:
        return False
    if is_platform_admin(user):
        return True
    return (
        package.installer_id is not None
        and user.is_active
        and user.organisation_id == package.installer_id
        and not user.in_field_only
        and does(user, PLANNING)
    )


# Who sees the evidence of a completion: the installer's side doing the work and the parties that review
# it; not the municipality, the communicating party or a survey party.
EVIDENCE_RELATIONS = frozenset(
    {"installer", "technician", Role.SUBCONTRACTOR, Role.LEAD, Role.HEAT_COMPANY, "admin"}
)
COST_ROLES = frozenset({Role.LEAD, Role.HEAT_COMPANY})


def can_see_evidence(user: User, dwelling) -> bool:
    return bool(dwelling_relations(user, dwelling) & EVIDENCE_RELATIONS)


def can_see_costs(user: User, project: Project) -> bool:
    """A project's budget, estimate and actual cost: the lead party and the heat company (not their field
    workers). An installer sees its own amounts on its packages; a municipality no prices at all."""
    return is_platform_admin(user) or bool(project_roles(user).get(project.pk, set()) & COST_ROLES)
