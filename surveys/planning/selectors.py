"""Reads of the planning pages: scoped to the actor, in a fixed number of queries."""

import re
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone

from projects.models import Dwelling, Job, Project, User
from projects.permissions import dwellings_visible_to
from projects.states import DwellingState

from .permissions import slots_managed_by, slots_visible_to

# The surveyor's route: along the street, by house number, letter and addition.
ROUTE_ORDER = ("street", "house_number", "house_letter", "house_number_addition", "pk")


def natural_key(text: str) -> list:
    """Sort "Blok 4" before "Blok 10": numbers inside names compare as numbers."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


def waiting_dwellings(*, user: User, project: Project) -> QuerySet[Dwelling]:
    """Informed dwellings of the project, in the user's scope, waiting for a survey visit."""
    return dwellings_visible_to(user).filter(project=project, state=DwellingState.INFORMED)


@dataclass
class WaitingGroups:
    clusters: list[tuple[str, int]] = field(default_factory=list)  # (cluster, count), blank cluster left out
    streets: list[tuple[str, int]] = field(default_factory=list)
    without_cluster: int = 0
    total: int = 0


def waiting_groups(*, user: User, project: Project) -> WaitingGroups:
    """Waiting dwellings counted per cluster and per street, from one aggregate query."""
    rows = (
        waiting_dwellings(user=user, project=project)
        .order_by()
        .values_list("cluster", "street")
        .annotate(count=Count("pk"))
    )
    clusters: dict[str, int] = {}
    streets: dict[str, int] = {}
    groups = WaitingGroups()
    for cluster, street, count in rows:
        if cluster:
            clusters[cluster] = clusters.get(cluster, 0) + count
        else:
            groups.without_cluster += count
        streets[street] = streets.get(street, 0) + count
        groups.total += count
    groups.clusters = sorted(clusters.items(), key=lambda item: natural_key(item[0]))
    groups.streets = sorted(streets.items(), key=lambda item: natural_key(item[0]))
    return groups


def area_planning_jobs(*, user: User, project: Project) -> QuerySet[Job]:
    """Planning runs of the user's own organisation in this project, newest first."""
    jobs = Job.objects.filter(project=project, kind=Job.Kind.AREA_PLANNING).select_related("created_by")
    if not user.is_superuser:
        jobs = jobs.filter(created_by__organisation_id=user.organisation_id)
    return jobs


def slot_list(*, user: User, project: Project, upcoming: bool = True, managed: bool = False):
    """The project's slots the user may see (or manage), in time order, with surveyor and dwelling."""
    slots = (slots_managed_by(user, project) if managed else slots_visible_to(user)).filter(project=project)
    if upcoming:
        slots = slots.filter(starts_at__gte=timezone.now())
    return slots.select_related("surveyor", "dwelling").order_by("starts_at", "surveyor__last_name", "pk")
