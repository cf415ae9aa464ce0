"""Reads of the planning pages: scoped to the actor, in a fixed number of queries."""

import re
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone

from projects.models import Dwelling, Job, Project, SurveyCoverage, User
from projects.permissions import dwellings_visible_to
from projects.states import DwellingState

from .permissions import slots_managed_by, slots_visible_to

# The surveyor's route: along the street, by house number, letter and addition.
ROUTE_ORDER = ("street", "house_number", "house_letter", "house_number_addition", "pk")


def natural_key(text: str) -> list:
    """Sort "Blok 4" before "Blok 10": numbers inside names compare as numbers."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


def surveys_a_selection(project: Project) -> bool:
    """Does the project survey a selection of its dwellings (governance block 3.1)?"""
    governance = getattr(project, "governance", None)
    return governance is not None and governance.survey_coverage == SurveyCoverage.SELECTION


def waiting_dwellings(*, user: User, project: Project) -> QuerySet[Dwelling]:
    """Informed dwellings of the project, in the user's scope, waiting for a survey visit: in a
    project that surveys a selection, those of the sample only."""
    dwellings = dwellings_visible_to(user).filter(project=project, state=DwellingState.INFORMED)
    if surveys_a_selection(project):
        dwellings = dwellings.filter(in_sample=True)
    return dwellings


@dataclass
class WaitingGroups:
    clusters: list[tuple[str, int]] = field(default_factory=list)  # (cluster, count), blank cluster left out
    streets: list[tuple[str, int]] = field(default_factory=list)
    without_cluster: int = 0
    total: int = 0
    selection: bool = False  # the project surveys a selection: only the sample waits for a visit
    outside_sample: int = 0  # informed dwellings that are not in the sample: no visit for them


def waiting_groups(*, user: User, project: Project) -> WaitingGroups:
    """Waiting dwellings counted per cluster and per street, from one aggregate query."""
    groups = WaitingGroups(selection=surveys_a_selection(project))
    rows = (
        dwellings_visible_to(user)
        .filter(project=project, state=DwellingState.INFORMED)
        .order_by()
        .values_list("cluster", "street", "in_sample")
        .annotate(count=Count("pk"))
    )
    clusters: dict[str, int] = {}
    streets: dict[str, int] = {}
    for cluster, street, in_sample, count in rows:
        if groups.selection and not in_sample:
            groups.outside_sample += count
            continue
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
