"""Loading the demo: every step in turn, each one idempotent."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from demo.communication import communication_demo
from demo.dwellings import FillResult, dwellings_fill
from demo.neighbourhoods import NEIGHBOURHOODS
from demo.parties import PROJECTS, DemoError, parties_and_projects
from demo.plans import PlanResult, plans_make
from demo.portal import portal_demo
from demo.procurement import procurement_demo
from demo.progress import progress_demo
from demo.today import subcontractor_work, surveyor_with_visits_today, technician_with_work
from projects.models import Project, User


@dataclass
class DemoResult:
    created_projects: list[str]
    users: list[User]
    created_users: list[str] = field(default_factory=list)
    roles_set: list[str] = field(default_factory=list)  # existing users given the demo's roles
    dwellings: list[FillResult] = field(default_factory=list)
    subcontracted: int = 0  # homes given to the subcontractor of an older database
    packages: int = 0  # work packages made (on the first load)
    messages: int = 0  # messages to residents made (on the first load)
    resident_links: list[tuple[str, str]] = field(default_factory=list)  # new on every run
    reports: int = 0  # monthly progress reports made on this run
    plans: PlanResult | None = None

    @property
    def changed(self) -> bool:
        return bool(
            self.created_projects
            or self.created_users
            or self.roles_set
            or any(fill.added for fill in self.dwellings)
            or self.subcontracted
            or self.packages
            or (self.plans and self.plans.made)
        )


def load_demo(
    *,
    dwellings: dict[str, int] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    plans: bool = False,
    plan_progress: Callable[[int, int, int], None] | None = None,
    plan_processes: int | None = None,
) -> DemoResult:
    """Organisations, users and the demo projects; each project without dwellings gets its register;
    with ``plans``, the connection plans of its homes (which take a minute or two the first time),
    once the data is committed (inside a caller's transaction, when that commits).

    ``dwellings`` maps a project's slug to the number of dwellings it should have (more are added,
    none removed); ``progress(slug, done, total)`` is told after every batch of dwellings, and
    ``plan_progress(done, total, processes)`` while the plans are made.
    """
    dwellings = dwellings or {}
    staff, created = parties_and_projects()
    fills = []
    for slug in [*PROJECTS, *(s for s in dwellings if s not in PROJECTS)]:
        project = Project.objects.filter(slug=slug).first()
        if project is None:
            raise DemoError(f"There is no project “{slug}”.")
        target = dwellings.get(slug)
        if target is None:
            if project.dwellings.exists():
                continue
            target = NEIGHBOURHOODS[slug].default_dwellings
        report = (lambda done, total, slug=slug: progress(slug, done, total)) if progress else None
        fills.append(dwellings_fill(project, target, progress=report))
    surveyor_with_visits_today()
    result = DemoResult(
        created_projects=created,
        users=staff.listed(),
        created_users=staff.created,
        roles_set=staff.roles_set,
        dwellings=fills,
        subcontracted=subcontractor_work(),
    )
    # After the history and today's work: from here on a home of Tuindorp-Oost goes to an installer
    # through a work package of its pool.
    result.packages = procurement_demo()
    # The cooperative's contact point, templates, a sent campaign and a request waiting.
    result.messages = communication_demo()
    # Times to choose, questions in the inbox, and three residents' personal links.
    result.resident_links = portal_demo()
    if plans:

        def make_plans() -> None:
            result.plans = plans_make(processes=plan_processes, progress=plan_progress)
            # Planning the technician's installations makes new plan versions, after the first ones.
            technician_with_work()
            # This month's progress reports, of the demo as it now stands (PDFs, like the plans).
            result.reports = progress_demo()

        # Like the plan service after an approval: once the data is committed, which is at once when
        # the command runs on its own. Worker processes see only committed rows.
        transaction.on_commit(make_plans)
    else:
        technician_with_work()
    return result
