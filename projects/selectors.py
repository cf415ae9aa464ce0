"""Reads for pages and the API: scoped first, then loaded in a fixed number of queries."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from projects.models import Governance, Participation, Project, SubTeam, User
from projects.permissions import projects_visible_to


def _with_details(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """Everything the overview and the health check read, in four queries whatever the count."""
    return queryset.select_related("governance").prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("organisation").order_by(
                "role", "phase", "organisation__name"
            ),
        ),
        Prefetch("subteams", queryset=SubTeam.objects.prefetch_related("members")),
    )


def project_list(*, user: User) -> QuerySet[Project]:
    return _with_details(projects_visible_to(user)).order_by("name")


def project_get(*, user: User, slug: str) -> Project:
    """The project if the user may see it; 404 otherwise."""
    return get_object_or_404(_with_details(projects_visible_to(user)), slug=slug)


def governance_log(*, project: Project) -> QuerySet[LogEntry]:
    """Audit rows of the project's facts, governance, participations and sub-teams, newest first."""
    governance_type = ContentType.objects.get_for_model(Governance)
    related_types = ContentType.objects.get_for_models(Participation, SubTeam).values()
    condition = Q(content_type__in=related_types, additional_data__project_id=project.pk) | Q(
        content_type=ContentType.objects.get_for_model(Project), object_pk=str(project.pk)
    )
    governance = Governance.objects.filter(project=project).first()
    if governance is not None:
        condition |= Q(content_type=governance_type, object_pk=str(governance.pk))
    return (
        LogEntry.objects.filter(condition)
        .select_related("actor", "actor__organisation", "content_type")
        .order_by("-timestamp", "-pk")
    )


# --- Dwellings ---------------------------------------------------------------------------------

DWELLING_SORTS = {
    "address": ("street", "house_number", "house_letter", "house_number_addition"),
    "postcode": ("postcode", "house_number", "house_letter", "house_number_addition"),
    "cluster": ("cluster", "street", "house_number"),
    "state": ("state", "street", "house_number"),
    "changed": ("-state_changed_at", "pk"),
}


def dwelling_list(*, user: User, project: Project, sort: str = "address") -> QuerySet:
    """The dwellings of a project that the user may see, ready for a list page."""
    from projects.models import Dwelling
    from projects.permissions import FULL_VIEW_ROLES, dwellings_visible_to, project_roles

    if user.is_superuser or project_roles(user).get(project.pk, set()) & FULL_VIEW_ROLES:
        # Sees the whole project: a plain filter lets the database use the project indexes.
        visible = Dwelling.objects.all()
    else:
        visible = dwellings_visible_to(user)
    return (
        visible.filter(project=project)
        .select_related("housing_association", "installer")
        .order_by(*DWELLING_SORTS.get(sort, DWELLING_SORTS["address"]), "pk")
    )


def state_counts(queryset) -> dict[str, int]:
    """Number of dwellings per state, in one query."""
    from django.db.models import Count

    rows = queryset.order_by().values_list("state").annotate(n=Count("pk"))
    return dict(rows)


def dwelling_get(*, user: User, project: Project, pk: int):
    from projects.permissions import dwellings_visible_to

    return get_object_or_404(
        dwellings_visible_to(user)
        .filter(project=project)
        .select_related(
            "project", "housing_association", "installer", "surveyor", "survey_party", "technician"
        )
        .prefetch_related("contacts"),
        pk=pk,
    )


def project_progress(*, project: Project) -> dict:
    """Aggregated progress of a project: counts per state, shares; no personal data at all."""
    from projects.models import Dwelling
    from projects.states import MAIN_PATH, DwellingState

    counts = state_counts(Dwelling.objects.filter(project=project))
    total = sum(counts.values())
    agreed_or_further = sum(
        counts.get(state, 0) for state in MAIN_PATH[MAIN_PATH.index(DwellingState.AGREED) :]
    )
    decided = agreed_or_further + counts.get(DwellingState.DECLINED, 0)
    return {
        "total": total,
        "planned": project.planned_dwellings,
        "counts": [
            {"state": state, "label": state.label, "count": counts.get(state.value, 0)}
            for state in DwellingState
        ],
        "connected": counts.get(DwellingState.CONNECTED, 0),
        "agreed_share": round(100 * agreed_or_further / total) if total else 0,
        "threshold": project.signup_threshold,
        "decided": decided,
    }
