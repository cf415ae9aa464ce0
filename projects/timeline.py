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


# Moves that another app's provider tells about in more detail (the survey's visits), so that they
# are not in the timeline twice.
TOLD_ELSEWHERE: set[str] = set()


@register
def transition_entries(dwelling, viewer):
    """Every move, as what happened ("Connection plan approved"); the resident reads the public ones
    (``projects.workflow``: holds, withdrawals and rejected installations stay internal)."""
    from projects.workflow import MOVES

    rows = dwelling.transitions.exclude(transition__in=TOLD_ELSEWHERE)
    for row in rows.select_related("actor", "organisation").order_by("at", "pk"):
        move = MOVES.get(row.transition)
        yield TimelineEntry(
            at=row.at,
            kind="transition",
            title=str(move.done if move else row.transition),
            body=row.reason,
            actor=_actor_of(row),
            organisation=str(row.organisation or ""),
            public=bool(move and move.public),
        )


def _actor_of(row) -> str:
    """Who made the move: the user, the resident through their link (not named: the timeline is read
    by parties that may not see the people), or the system."""
    if row.actor is not None:
        return str(row.actor)
    if row.resident_id is not None:
        return str(_("the resident (personal link)"))
    return str(_("system"))


@register
def register_history_entries(dwelling, viewer):
    """Changes to the register data and the people of the home (by hand, an import, the admin), for
    who may read its history (the lead party); internal. Survey answers are in the history only: the
    timeline would drown in them while the surveyor types."""
    from projects import history
    from projects.permissions import can_view_history

    if not can_view_history(viewer, dwelling):
        return
    entries = history.history_for_dwelling(dwelling.pk).filter(
        content_type__app_label="projects", content_type__model__in=("dwelling", "contact")
    )
    for row in history.history_rows(entries):
        yield TimelineEntry(
            at=row.at,
            kind="history",
            title=_("%(subject)s %(action)s %(source)s")
            % {
                "subject": row.subject[:1].upper() + row.subject[1:],
                "action": row.action,
                "source": row.source,
            },
            body="\n".join(f"{change.label}: {change.old} → {change.new}" for change in row.changes),
            actor=row.actor,
            organisation=row.organisation,
            public=False,
        )
