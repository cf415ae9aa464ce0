"""The two events of the workflow, published once the transaction that caused them commits.

A subscriber only enqueues work (a Celery task, as Signalen's ``update_status`` sends its signal on
commit and Zulip's ``send_event_on_commit``). One that fails is logged with the event and does not undo
the move or stop the other subscribers.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction

from . import registry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DwellingMoved:
    dwelling_id: int
    project_id: int
    move: str
    source: str
    target: str
    actor_id: int | None
    log_id: int
    at: datetime.datetime
    by_resident: bool = False  # made by the resident through their personal link (the portal)


@dataclass(frozen=True)
class RegisterChanged:
    """The register data or people of these dwellings changed (the edit page, the admin, an import)."""

    dwelling_ids: tuple[int, ...]
    fields: frozenset[str]
    actor_id: int | None
    source: str


def _deliver(subscribers, event) -> None:
    for subscriber in subscribers:
        try:
            subscriber(event)
        except Exception:
            logger.exception(
                "Subscriber %s failed on %s", getattr(subscriber, "__qualname__", subscriber), event
            )


def _deliver_moves(events: list[DwellingMoved]) -> None:
    for event in events:
        _deliver(registry.moved_subscribers(), event)
    _deliver(registry.moved_many_subscribers(), events)


def publish_moved(event: DwellingMoved) -> None:
    """Tell the subscribers that a dwelling moved, once the current transaction commits."""
    transaction.on_commit(lambda: _deliver_moves([event]))


def publish_moved_many(events: list[DwellingMoved]) -> None:
    """Tell the subscribers about the moves of a bulk chunk, once it commits: one callback for all."""
    if events:
        transaction.on_commit(lambda: _deliver_moves(list(events)))


def publish_register_changed(event: RegisterChanged) -> None:
    """Tell the subscribers that register data changed, once the current transaction commits."""
    if event.dwelling_ids:
        transaction.on_commit(lambda: _deliver(registry.register_subscribers(), event))
