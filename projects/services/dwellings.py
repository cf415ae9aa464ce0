"""Moving dwellings through the state machine: one service for every move (``projects.workflow``).

The service locks the row, checks that the dwelling is still where the actor saw it, checks the
transition and the actor's permission explicitly (django-fsm does not enforce ``permission=`` by
itself), prepares and validates what the move needs (the base's own checks, then the validators other
apps registered), saves, writes one log row and what the registered writers add, and publishes *a
dwelling moved* once the transaction commits. Pages, the API, the admin, bulk moves, commands and tasks
all come through here.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from projects import workflow
from projects.errors import Conflict, Refused
from projects.models import Dwelling, DwellingTransition, User
from projects.permissions import can_view_dwelling
from projects.residents import is_resident
from projects.states import DwellingState
from projects.workflow import CONDITIONS, MOVES, Move


class DwellingChanged(Conflict):
    """The dwelling moved on since the actor saw it; nothing was saved."""

    def __init__(self, dwelling: Dwelling):
        self.dwelling = dwelling
        super().__init__(
            _(
                "This dwelling changed meanwhile: it is now “%(state)s”. Look at its current state "
                "and try again if the move still makes sense."
            )
            % {"state": dwelling.get_state_display()}
        )


class TransitionRefused(Refused):
    """The move is not possible now (wrong state or an unmet condition); nothing was saved."""


def _check(actor: User, dwelling: Dwelling, spec: Move) -> Callable:
    """The bound transition if the actor may make it now; a clear, translated refusal otherwise."""
    method = getattr(dwelling, spec.name)
    meta = method._django_fsm
    state = dwelling.state
    if not can_proceed(method, check_conditions=False):
        raise TransitionRefused(
            _("“%(transition)s” is not possible for a dwelling that is %(state)s.")
            % {"transition": spec.label, "state": dwelling.get_state_display()}
        )
    if not meta.has_transition_perm(dwelling, state, actor):
        raise PermissionDenied(
            _("Your organisation may not do “%(transition)s” for this dwelling.") % {"transition": spec.label}
        )
    if not meta.conditions_met(dwelling, state):
        unmet = [c.__name__ for c in meta.get_transition(state).conditions if not c(dwelling)]
        raise TransitionRefused(
            _("“%(transition)s” needs more first: %(missing)s.")
            % {"transition": spec.label, "missing": ", ".join(str(CONDITIONS.get(c, c)) for c in unmet)}
        )
    return method


def waiting_for(actor: User, dwelling: Dwelling) -> list[tuple[Move, Promise]]:
    """The next steps on the main way that someone else has to take: (move, who makes it)."""
    mine = {spec.name for spec in available_transitions(actor, dwelling)}
    steps = []
    for spec in MOVES.values():
        method = getattr(dwelling, spec.name)
        if spec.main_step and spec.name not in mine and can_proceed(method, check_conditions=False):
            steps.append((spec, spec.made_by))
    return steps


def available_transitions(actor: User, dwelling: Dwelling) -> list[Move]:
    """The moves this actor may make now, for the buttons on the dwelling page."""
    specs = []
    for spec in MOVES.values():
        method = getattr(dwelling, spec.name)
        meta = method._django_fsm
        if can_proceed(method, check_conditions=False) and meta.has_transition_perm(
            dwelling, dwelling.state, actor
        ):
            specs.append(spec)
    return specs


@dataclass
class Attempt:
    """One move being made: what validators and writers of other apps get (``projects.workflow``)."""

    move: Move
    actor: User
    dwelling: Dwelling
    params: dict
    kwargs: dict = field(default_factory=dict)  # what the model method takes, as prepared
    note: str = ""  # what the actor wrote
    reason: str = ""  # what the log says
    source: str = ""
    log: DwellingTransition | None = None


SIDE_STATE_REASONS = (DwellingState.DECLINED, DwellingState.ON_HOLD, DwellingState.WITHDRAWN)


def _attempt(actor: User, dwelling: Dwelling, spec: Move, reason: str, params: dict) -> Attempt:
    """Check the move and prepare it, then let the validators speak; nothing is changed yet."""
    method = _check(actor, dwelling, spec)
    note = (reason or "").strip()
    attempt = Attempt(move=spec, actor=actor, dwelling=dwelling, params=params, note=note)
    attempt.reason = spec.describe(params, note) if spec.describe else note
    attempt.kwargs = spec.prepare(actor, dwelling, params) if spec.prepare else {}
    for check in workflow.validators(spec.name):
        check(attempt)
    if spec.reason_required and not attempt.reason:
        raise ValidationError({"reason": _("Give the reason.")})
    attempt.source = dwelling.state
    method(**attempt.kwargs)  # fields on the dwelling only: saved by the caller
    dwelling.state_reason = attempt.reason if dwelling.state in SIDE_STATE_REASONS else ""
    dwelling.state_changed_at = timezone.now()
    return attempt


def _log_row(attempt: Attempt) -> DwellingTransition:
    return DwellingTransition(
        dwelling=attempt.dwelling,
        transition=attempt.move.name,
        source=attempt.source,
        target=attempt.dwelling.state,
        actor=None if is_resident(attempt.actor) else attempt.actor,
        organisation_id=attempt.actor.organisation_id,
        resident=attempt.actor.contact if is_resident(attempt.actor) else None,
        at=attempt.dwelling.state_changed_at,
        reason=attempt.reason,
    )


def _moved(attempt: Attempt) -> workflow.DwellingMoved:
    return workflow.DwellingMoved(
        dwelling_id=attempt.dwelling.pk,
        project_id=attempt.dwelling.project_id,
        move=attempt.move.name,
        source=attempt.source,
        target=attempt.dwelling.state,
        actor_id=attempt.actor.pk,
        log_id=attempt.log.pk,
        at=attempt.log.at,
        by_resident=is_resident(attempt.actor),
    )


def _apply(actor: User, dwelling: Dwelling, spec: Move, reason: str, params: dict) -> DwellingTransition:
    attempt = _attempt(actor, dwelling, spec, reason, params)
    dwelling.save()
    attempt.log = _log_row(attempt)
    attempt.log.save()
    for write in workflow.writers(spec.name):
        write(attempt)
    workflow.publish_moved(_moved(attempt))
    return attempt.log


@transaction.atomic
def dwelling_transition(
    *,
    actor: User,
    dwelling_id: int,
    transition: str,
    expected_state: str | None = None,
    reason: str = "",
    **params,
) -> Dwelling:
    """Make one move. Raises Dwelling.DoesNotExist outside the actor's scope, DwellingChanged when the
    dwelling is no longer in ``expected_state``, PermissionDenied, TransitionRefused or ValidationError
    when the move is not allowed or incomplete. Nothing is saved unless everything holds."""
    spec = MOVES.get(transition)
    if spec is None:
        raise TransitionRefused(_("Unknown transition “%(name)s”.") % {"name": transition})
    dwelling = Dwelling.objects.select_for_update(of=("self",)).select_related("project").get(pk=dwelling_id)
    if not can_view_dwelling(actor, dwelling):
        raise Dwelling.DoesNotExist
    if expected_state is not None and dwelling.state != expected_state:
        raise DwellingChanged(dwelling)
    _apply(actor, dwelling, spec, reason, params)
    return dwelling


@dataclass
class BulkResult:
    moved: int = 0
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (dwelling id, address, reason)

    def as_dict(self) -> dict:
        return {"moved": self.moved, "skipped": [list(row) for row in self.skipped]}


def dwellings_bulk_transition(
    *,
    actor: User,
    dwelling_ids: Iterable[int],
    transition: str,
    reason: str = "",
    progress: Callable[[int], None] | None = None,
    chunk_size: int = 200,
    **params,
) -> BulkResult:
    """Apply one transition to many dwellings, each checked on its own; one log row per dwelling.

    Works in chunks, each in its own transaction, so a long run holds no lock for long and reports
    progress after every chunk. A chunk is locked with one query and checked dwelling by dwelling in
    Python through the same rules as a single move; the dwellings that may move are written with one
    UPDATE and their log rows with one INSERT, and *a dwelling moved* is told once the chunk commits.
    A dwelling that cannot move is skipped with the reason. A move for which another app registered a
    writer, or a validator that may read what the moves before it wrote (not ``bulk_safe``), is made one
    dwelling at a time.
    """
    spec = MOVES.get(transition)
    if spec is None:
        raise TransitionRefused(_("Unknown transition “%(name)s”.") % {"name": transition})
    one_by_one = workflow.one_at_a_time(spec.name)
    ids = list(dict.fromkeys(dwelling_ids))
    result = BulkResult()
    done = 0
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        with transaction.atomic():
            dwellings = list(
                Dwelling.objects.select_for_update(of=("self",))
                .select_related("project")
                .filter(pk__in=chunk)
                .order_by("pk")
            )
            visible = [dwelling for dwelling in dwellings if can_view_dwelling(actor, dwelling)]
            # Outside scope a dwelling does not exist for this actor, not even as "skipped".
            if one_by_one:
                _one_by_one(actor, visible, spec, reason, params, result)
            else:
                _in_bulk(actor, visible, spec, reason, params, result)
        done += len(chunk)
        if progress:
            progress(done)
    return result


def _one_by_one(actor, dwellings, spec, reason, params, result: BulkResult) -> None:
    for dwelling in dwellings:
        try:
            with transaction.atomic():
                _apply(actor, dwelling, spec, reason, params)
        except (TransitionRefused, PermissionDenied, ValidationError) as exc:
            dwelling.refresh_from_db()
            result.skipped.append((dwelling.pk, str(dwelling), _reason_text(exc)))
        else:
            result.moved += 1


_ATTNAMES = [field.attname for field in Dwelling._meta.concrete_fields]


def _fields(dwelling: Dwelling) -> dict:
    """The raw values of the dwelling's columns (as loaded or as set), to see what a move changed."""
    values = dwelling.__dict__
    return {name: values.get(name) for name in _ATTNAMES}


def _in_bulk(actor, dwellings, spec, reason, params, result: BulkResult) -> None:
    attempts, changed = [], {"state", "state_reason", "state_changed_at", "updated_at"}
    moment = timezone.now()  # one moment for the chunk: its dwellings moved together
    for dwelling in dwellings:
        before = _fields(dwelling)
        try:
            attempt = _attempt(actor, dwelling, spec, reason, params)
        except (TransitionRefused, PermissionDenied, ValidationError) as exc:
            # Refused before the model method ran: the dwelling is as it was.
            result.skipped.append((dwelling.pk, str(dwelling), _reason_text(exc)))
            continue
        dwelling.state_changed_at = dwelling.updated_at = moment
        changed |= {name for name, value in _fields(dwelling).items() if value != before[name]}
        attempts.append(attempt)
    if not attempts:
        return
    _update_grouped([attempt.dwelling for attempt in attempts], sorted(changed))
    logs = DwellingTransition.objects.bulk_create([_log_row(attempt) for attempt in attempts])
    for attempt, log in zip(attempts, logs, strict=True):
        attempt.log = log
    workflow.publish_moved_many([_moved(attempt) for attempt in attempts])
    result.moved += len(attempts)


def _update_grouped(dwellings: list[Dwelling], attnames: list[str]) -> None:
    """Write the changed fields of many dwellings: one plain UPDATE per set of equal new values (a hold
    of a chunk: one per state it was held in). Django's bulk_update builds a CASE per field and row,
    which costs more than the database's own work."""
    groups: dict[tuple, list[int]] = {}
    for dwelling in dwellings:
        groups.setdefault(tuple(getattr(dwelling, name) for name in attnames), []).append(dwelling.pk)
    for values, pks in groups.items():
        Dwelling.objects.filter(pk__in=pks).update(**dict(zip(attnames, values, strict=True)))


def _reason_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("Not allowed.")
