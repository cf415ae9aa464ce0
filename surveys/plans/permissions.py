"""Who may open which version of the connection plan, and who may have plans made.

Two versions exist of every plan (issue 4): the *full* version for the lead party, the heat company and
the resident, and the *installer* version without the kitchen-table talk and without personal
circumstances beyond the extra-care flag.

- Full: the lead party, the heat company, and the communicating party. DOMAIN.md gives the
  communicating party "residents' contact data and messages of its projects" and makes it the one
  contact point residents turn to (building block 3.3; it often holds the kitchen-table talks itself).
  The full version is also the resident's own version, which the contact point must be able to read
  along with them. The register's extra-care note is in no version (the heat company may not read
  it): both carry the flag, and the full version the care needs the resident stated at the table.
- Installer: everyone who may see the dwelling at all. That is the installer of the dwelling, the
  survey party and the surveyor, the housing association that owns the home (DOMAIN.md: "its own
  dwellings", not the kitchen-table notes of its tenants), and the full-version parties as well, so
  that they can check what the installer receives.

Whoever cannot see the dwelling gets 404 for every plan; whoever may see the dwelling but not a
version gets 404 for that version's file too: it does not exist for them.
"""

from django.db.models import Q, QuerySet

from projects.models import Project, Role, User
from projects.permissions import (
    COORDINATING,
    can_manage_register,
    does,
    dwelling_relations,
    dwellings_visible_to,
    projects_with_roles,
)
from surveys.models import ConnectionPlan, PlanVariant

FULL_PLAN_ROLES = {Role.LEAD, Role.HEAT_COMPANY, Role.COMMUNICATING_PARTY}
# Who may have the plans of a dwelling made now (besides the automatic run after approve_plan).
PLAN_MAKER_ROLES = {Role.LEAD, Role.HEAT_COMPANY}


def plan_variants_for(user: User, dwelling) -> set[str]:
    """The versions of the dwelling's plan that the user may open (empty: the dwelling is not theirs)."""
    relations = dwelling_relations(user, dwelling)
    if not relations:
        return set()
    if relations == {"resident"}:  # through the personal link: the resident's own, full version
        return {PlanVariant.FULL.value}
    variants = {PlanVariant.INSTALLER.value}
    if relations & (FULL_PLAN_ROLES | {"admin"}):
        variants.add(PlanVariant.FULL.value)
    return variants


def can_open_plan(user: User, plan: ConnectionPlan) -> bool:
    return plan.variant in plan_variants_for(user, plan.dwelling)


def plans_visible_to(user: User) -> QuerySet[ConnectionPlan]:
    """The queryset twin of ``can_open_plan``."""
    if not user.is_authenticated or not user.is_active:
        return ConnectionPlan.objects.none()
    plans = ConnectionPlan.objects.filter(dwelling__in=dwellings_visible_to(user))
    if user.is_superuser:
        return plans
    if user.in_field_only:
        # In the field a person sees only their own homes, as their surveyor: the installer version.
        return plans.filter(variant=PlanVariant.INSTALLER)
    full_projects = projects_with_roles(user, FULL_PLAN_ROLES)
    return plans.filter(Q(variant=PlanVariant.INSTALLER) | Q(dwelling__project_id__in=full_projects))


def can_make_plans(user: User, dwelling) -> bool:
    """Have the plans of one dwelling made now: a coordinator of the lead party or the heat company."""
    return does(user, COORDINATING) and bool(
        dwelling_relations(user, dwelling) & (PLAN_MAKER_ROLES | {"admin"})
    )


def can_make_project_plans(user: User, project: Project) -> bool:
    """Have the plans of every dwelling of a project made, as a background job: a coordinator of the
    lead party."""
    return can_manage_register(user, project)
