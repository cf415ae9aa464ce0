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
    """Audit rows of the project's governance, participations and sub-teams, newest first."""
    governance_type = ContentType.objects.get_for_model(Governance)
    related_types = ContentType.objects.get_for_models(Participation, SubTeam).values()
    condition = Q(content_type__in=related_types, additional_data__project_id=project.pk)
    governance = Governance.objects.filter(project=project).first()
    if governance is not None:
        condition |= Q(content_type=governance_type, object_pk=str(governance.pk))
    return (
        LogEntry.objects.filter(condition)
        .select_related("actor", "actor__organisation", "content_type")
        .order_by("-timestamp", "-pk")
    )
