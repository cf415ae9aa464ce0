"""The dwelling timeline: one interface that every app adds entries to.

An app registers a provider: a function ``(dwelling, viewer) -> iterable of TimelineEntry``. The
provider yields only what the viewer may see and marks each entry public or internal; the resident
portal shows public entries only. Providers run one query each, so a timeline costs a fixed number
of queries whatever its length.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

Provider = Callable[..., Iterable["TimelineEntry"]]
_providers: list[Provider] = []


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str  # "transition", later "visit", "document", "message", "appointment"
    title: str
    body: str = ""
    actor: str = ""
    organisation: str = ""
    public: bool = False
    url: str = ""


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def timeline(dwelling, viewer, *, public_only: bool = False) -> list[TimelineEntry]:
    """All entries the viewer may see, newest first."""
    entries = [entry for provider in _providers for entry in provider(dwelling, viewer)]
    if public_only:
        entries = [entry for entry in entries if entry.public]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


# Moves the resident may read about; holds, withdrawals and rejected installations stay internal.
INTERNAL_TRANSITIONS = {"hold", "resume", "withdraw", "reject_installation"}
# Moves that another app's provider tells about in more detail (the survey's visits), so that they
# are not in the timeline twice.
TOLD_ELSEWHERE: set[str] = set()


@register
def transition_entries(dwelling, viewer):
    from projects.services.dwellings import TRANSITIONS

    rows = dwelling.transitions.exclude(transition__in=TOLD_ELSEWHERE)
    for row in rows.select_related("actor", "organisation").order_by("at", "pk"):
        spec = TRANSITIONS.get(row.transition)
        yield TimelineEntry(
            at=row.at,
            kind="transition",
            title=str(spec.label if spec else row.transition),
            body=row.reason,
            actor=str(row.actor) if row.actor else str(_("system")),
            organisation=str(row.organisation or ""),
            public=row.transition not in INTERNAL_TRANSITIONS,
        )
