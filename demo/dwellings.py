"""Filling a project with demo dwellings, their people and their histories, in batches."""

import datetime
import itertools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from demo.history import Calendar, Records, build, cast
from demo.layout import layout
from demo.neighbourhoods import NEIGHBOURHOODS, TUINDORP_OOST
from demo.residents import register
from projects.models import Contact, Dwelling, DwellingTransition, Organisation, Project
from surveys.models import Photo, Survey, Visit


@dataclass
class FillResult:
    project: str
    target: int
    before: int
    added: int = 0
    seconds: float = 0.0

    @property
    def after(self) -> int:
        return self.before + self.added


def dwellings_fill(
    project: Project,
    target: int,
    *,
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> FillResult:
    """Add demo dwellings to ``project`` until it has ``target``; never removes any.

    Each batch is one transaction, so an interrupted run leaves whole dwellings with their history; a
    second run finds the addresses already there and adds only what is missing.
    """
    started = time.monotonic()
    before = Dwelling.objects.filter(project=project).count()
    result = FillResult(project=project.slug, target=target, before=before)
    if before >= target:
        return result
    hood = NEIGHBOURHOODS.get(project.slug, TUINDORP_OOST)
    players = cast(project, hood)
    today = timezone.localdate()
    start = project.start_date
    if (today - start).days < 60:
        start = today - datetime.timedelta(days=240)
    calendar = Calendar(start, today)
    existing = Dwelling.objects.filter(project=project)
    taken = set(existing.values_list("postcode", "house_number", "house_letter", "house_number_addition"))
    taken_bag_ids = set(existing.exclude(bag_id="").values_list("bag_id", flat=True))
    wanted = target - before
    homes = (h for h in layout(hood) if h.key not in taken and h.bag_id not in taken_bag_ids)
    while result.added < wanted:
        batch = list(itertools.islice(homes, min(batch_size, wanted - result.added)))
        dwellings, contacts, transitions, records = [], [], [], Records()
        for home in batch:
            dwelling, people, rows, extra = build(home, hood, players, calendar, check=True)
            dwellings.append(dwelling)
            contacts += people
            transitions += rows
            records.extend(extra)
        with transaction.atomic():
            Dwelling.objects.bulk_create(dwellings, batch_size=batch_size)
            Contact.objects.bulk_create(contacts, batch_size=batch_size)
            DwellingTransition.objects.bulk_create(transitions, batch_size=batch_size)
            Visit.objects.bulk_create(records.visits, batch_size=batch_size)
            Survey.objects.bulk_create(records.surveys, batch_size=batch_size)
            Photo.objects.bulk_create(records.photos, batch_size=batch_size)
        result.added += len(dwellings)
        if progress:
            progress(result.added, wanted)
    result.seconds = time.monotonic() - started
    return result


def register_sample(project: Project, count: int) -> Iterator[tuple[Dwelling, list[Contact]]]:
    """The first ``count`` dwellings the demo would register in ``project``, with their people, unsaved
    and without history (e.g. to write an import file)."""
    hood = NEIGHBOURHOODS.get(project.slug, TUINDORP_OOST)
    association = Organisation.objects.filter(slug=hood.housing_association or "").first()
    for home in itertools.islice(layout(hood), count):
        yield register(home, hood, project, association, random.Random(home.seed))
