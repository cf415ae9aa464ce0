"""What an advisory is, how rules are registered and run, and the traffic light per building block."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import (
    Governance,
    Project,
    Role,
)


class Severity(models.IntegerChoices):
    HIGH = 3, _("high")
    MEDIUM = 2, _("medium")
    LOW = 1, _("low")


@dataclass(frozen=True)
class Advisory:
    code: str
    severity: Severity
    block: str
    reason: str
    action: str
    # What changing the choice would mean in practice, for the link "What changing it means".
    change: str = ""

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label

    @property
    def block_title(self) -> str:
        return str(BLOCK_TITLES[self.block])


BLOCK_TITLES = {number: title for number, title, _fields in Governance.BLOCKS}

Rule = Callable[[Project, Governance], Iterator[Advisory]]
RULES: list[Rule] = []


def rule(func: Rule) -> Rule:
    RULES.append(func)
    return func


def advise(project: Project) -> list[Advisory]:
    """Every advisory for the project, most severe first."""
    governance = governance_of(project)
    found = [advisory for check in RULES for advisory in check(project, governance)]
    return sorted(found, key=lambda a: (-a.severity, a.block, a.code))


def block_status(advisories: list[Advisory]) -> list[dict]:
    """Per building block its worst severity (0 when it follows the advice), for the traffic lights."""
    worst = {}
    for advisory in advisories:
        worst[advisory.block] = max(worst.get(advisory.block, 0), int(advisory.severity))
    return [
        {"number": number, "title": title, "severity": worst.get(number, 0)}
        for number, title, _fields in Governance.BLOCKS
    ]


def governance_of(project: Project) -> Governance:
    try:
        return project.governance
    except Governance.DoesNotExist:
        # Unsaved and not attached to the project: reading it must not change what the project caches.
        return Governance(project_id=project.pk)


def participations_of(project: Project, *roles: str):
    return [p for p in project.participations.all() if p.role in roles]


def leads_of(project: Project):
    return participations_of(project, Role.LEAD)
