"""The connection plans of the demo's homes: both versions (full and installer) of every home whose plan
the lead party approved, made by the plan service as after a real approval.

The demo's histories are written in bulk, past the service that would have had each plan made on
approval (``surveys/workflow.py`` follows the move), so the demo makes them here, afterwards, with
``surveys.plans.services.plans_render``: the same versions, files and fingerprints, made by the person
who approved the plan. Only missing plans are made, so a second run renders nothing.

A plan is a PDF that WeasyPrint takes a third of a second to make, so the homes are shared among worker
processes, one per core (forked: they start with Django set up and open their own connection). That
needs the rows to be committed; inside a transaction (a test) the plans are made in this process.
Only the demo's own register gets plans: the homes added by ``--dwellings`` to show a large project
would take hours; the lead party has their plans made from the project page.
"""

import math
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.models import Exists, OuterRef

from demo.neighbourhoods import NEIGHBOURHOODS
from demo.surveys import demo_photo_name
from projects.models import Dwelling, DwellingTransition, Project, User
from surveys.models import ConnectionPlan, PlanVariant
from surveys.plans.services import plans_render

CHUNK = 5  # homes per task: small, so that the processes finish together
MAX_PROCESSES = 8
RETRIES = 5


@dataclass
class PlanResult:
    homes: int = 0  # homes whose plans were missing
    made: int = 0  # versions made (two per home)
    processes: int = 1
    seconds: float = 0.0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (dwelling id, why)


def _without_a_plan(variant: str) -> Exists:
    return ~Exists(ConnectionPlan.objects.filter(dwelling=OuterRef("pk"), variant=variant))


def plans_missing() -> list[tuple[int, int | None]]:
    """(dwelling id, who approved its plan) for the homes of the demo's own registers whose plan was
    approved and that lack a version of it."""
    missing = []
    for slug, hood in NEIGHBOURHOODS.items():
        project = Project.objects.filter(slug=slug).first()
        if project is None:
            continue
        homes = Dwelling.objects.filter(project=project)
        # The demo's own register: the first ones the demo made; scaling adds to its end.
        register_end = homes.order_by("pk").values_list("pk", flat=True)[hood.default_dwellings - 1 :][:1]
        last = next(iter(register_end), None)
        if last is not None:
            homes = homes.filter(pk__lte=last)
        ids = list(
            homes.filter(plan_approved_at__isnull=False, survey__isnull=False)
            .filter(_without_a_plan(PlanVariant.FULL) | _without_a_plan(PlanVariant.INSTALLER))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        approved_by = dict(
            DwellingTransition.objects.filter(dwelling_id__in=ids, transition="approve_plan")
            .order_by("at", "pk")
            .values_list("dwelling_id", "actor_id")
        )  # the last approval of each
        missing += [(pk, approved_by.get(pk)) for pk in ids]
    return missing


def _render(chunk: list[tuple[int, int | None]]) -> tuple[int, int, list[tuple[int, str]]]:
    """Make the plans of a few homes: (homes, versions made, failures)."""
    made, failed = 0, []
    people = {user.pk: user for user in User.objects.filter(pk__in={pk for _id, pk in chunk if pk})}
    for dwelling_id, made_by_id in chunk:
        for attempt in range(RETRIES + 1):
            try:
                versions = plans_render(dwelling_id=dwelling_id, made_by=people.get(made_by_id))
            except OperationalError as exc:  # SQLite busy beyond its timeout: the others are writing
                if attempt == RETRIES:
                    failed.append((dwelling_id, str(exc)))
                    break
                time.sleep(0.2 * 2**attempt)
            except Exception as exc:  # noqa: BLE001 - one home's failure must not stop the others
                failed.append((dwelling_id, str(exc) or type(exc).__name__))
                break
            else:
                made += sum(new for _plan, new in versions)
                break
    return len(chunk), made, failed


def _worker_start() -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite":
        # Several processes write: each transaction takes SQLite's write lock when it begins and waits
        # for it, instead of failing when it finds it taken halfway.
        options = connection.settings_dict.setdefault("OPTIONS", {})
        options["transaction_mode"] = "IMMEDIATE"
        options["timeout"] = max(options.get("timeout", 5), 60)


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def plan_processes(homes: int) -> int:
    """How many processes share the work: one per core, one if the rows are not committed yet."""
    connection = connections[DEFAULT_DB_ALIAS]
    if (
        homes < 2 * CHUNK
        or "fork" not in multiprocessing.get_all_start_methods()
        or connection.in_atomic_block
        or (connection.vendor == "sqlite" and connection.is_in_memory_db())
    ):
        return 1
    return max(1, min(_cpus(), MAX_PROCESSES, math.ceil(homes / CHUNK)))


def plans_make(
    *, processes: int | None = None, progress: Callable[[int, int, int], None] | None = None
) -> PlanResult:
    """Make the missing plans of the demo's homes. ``progress(done, total, processes)`` is told at the
    start and after every few homes."""
    started = time.monotonic()
    todo = plans_missing()
    result = PlanResult(homes=len(todo))
    if not todo:
        return result
    demo_photo_name()  # every demo survey shows it; make it again if the media were removed
    result.processes = processes or plan_processes(len(todo))
    chunks = [todo[start : start + CHUNK] for start in range(0, len(todo), CHUNK)]
    done = 0
    if progress:
        progress(0, len(todo), result.processes)

    def count(outcome) -> None:
        nonlocal done
        homes, made, failed = outcome
        done += homes
        result.made += made
        result.failed += failed
        if progress:
            progress(done, len(todo), result.processes)

    if result.processes == 1:
        for chunk in chunks:
            count(_render(chunk))
    else:
        connections.close_all()  # the forked processes open their own
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(result.processes, mp_context=context, initializer=_worker_start) as pool:
            for future in as_completed([pool.submit(_render, chunk) for chunk in chunks]):
                count(future.result())
    result.seconds = time.monotonic() - started
    return result
