"""Loading the demo: every step in turn, each one idempotent."""

from collections.abc import Callable
from dataclasses import dataclass, field

from projects.demo.dwellings import FillResult, dwellings_fill
from projects.demo.neighbourhoods import NEIGHBOURHOODS
from projects.demo.parties import PROJECTS, DemoError, parties_and_projects
from projects.demo.today import subcontractor_work, surveyor_with_visits_today
from projects.models import Project, User


@dataclass
class DemoResult:
    created_projects: list[str]
    users: list[User]
    created_users: list[str] = field(default_factory=list)
    roles_set: list[str] = field(default_factory=list)  # existing users given the demo's roles
    dwellings: list[FillResult] = field(default_factory=list)
    subcontracted: int = 0  # homes given to the subcontractor of an older database

    @property
    def changed(self) -> bool:
        return bool(
            self.created_projects
            or self.created_users
            or self.roles_set
            or any(fill.added for fill in self.dwellings)
            or self.subcontracted
        )


def load_demo(
    *,
    dwellings: dict[str, int] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> DemoResult:
    """Organisations, users and the demo projects; each project without dwellings gets its register.

    ``dwellings`` maps a project's slug to the number of dwellings it should have (more are added,
    none removed); ``progress(slug, done, total)`` is told after every batch of dwellings.
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
    return result
