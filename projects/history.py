"""History of the register and of personal data: who changed which field of a dwelling, of its people or
of its survey, and when.

The rows are django-auditlog ``LogEntry`` rows, the same table as the governance log, written explicitly
by the services that make the change (the register form and API, the import, the survey) rather than by
a save signal: a service knows who acts and why, writes many rows at once where it changes many
dwellings, and a state move (which saves the dwelling too) costs no extra query.

Each row names its dwelling and project in ``additional_data`` (``dwelling_id``, ``project_id``) and
where the change came from (``source``: "form", "api", "import", "admin", "survey"). ``changes`` maps a
field to ``[old, new]``; for free text (a care note, a note of the survey) both are replaced by
``HIDDEN``: the history says that it changed, not what it said, so that a removed note does not live on
in the log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

HIDDEN = "…"

CREATE = LogEntry.Action.CREATE
UPDATE = LogEntry.Action.UPDATE
DELETE = LogEntry.Action.DELETE


def _plain(value: Any) -> Any:
    """A value as the log stores it: JSON-friendly, foreign keys as their text."""
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` of an instance, as the history compares them."""
    return {name: _plain(getattr(instance, name)) for name in fields}


def changes_between(
    before: dict[str, Any], after: dict[str, Any], *, hidden: Iterable[str] = ()
) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field that differs; free-text fields in ``hidden`` masked.

    A field missing on one side counts as empty (a person added or removed). Empty strings and None are
    the same value: a blank optional field is not a change.
    """
    hidden = set(hidden)
    changes = {}
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name), after.get(name)
        if (old in (None, "")) and (new in (None, "")):
            continue
        if old != new:
            changes[name] = [HIDDEN, HIDDEN] if name in hidden else [old, new]
    return changes


@dataclass(frozen=True)
class Change:
    """One row of history to write: what changed on which object of which dwelling."""

    instance: models.Model
    changes: dict[str, list[Any]]
    dwelling_id: int
    project_id: int
    action: int = UPDATE
    extra: dict | None = None


def _entry(change: Change, *, actor, source: str, at) -> LogEntry:
    instance = change.instance
    return LogEntry(
        content_type=ContentType.objects.get_for_model(instance),
        object_pk=str(instance.pk),
        object_id=instance.pk if isinstance(instance.pk, int) else None,
        object_repr=str(instance)[:1000],
        action=change.action,
        changes=change.changes,
        actor=actor if actor is not None and actor.pk else None,
        actor_email=getattr(actor, "email", None),
        timestamp=at,
        additional_data={
            "dwelling_id": change.dwelling_id,
            "project_id": change.project_id,
            "source": source,
            **(change.extra or {}),
        },
    )


def history_record(*, actor, source: str, changes: Iterable[Change]) -> list[LogEntry]:
    """Write the history rows of one act, in one query; rows without a change are left out."""
    at = timezone.now()
    entries = [_entry(change, actor=actor, source=source, at=at) for change in changes if change.changes]
    return LogEntry.objects.bulk_create(entries) if entries else []


# --- Reads -----------------------------------------------------------------------------------------


def history_for_dwelling(dwelling_id: int) -> QuerySet[LogEntry]:
    """Every history row of one dwelling (register, people, survey), newest first."""
    return (
        LogEntry.objects.filter(additional_data__dwelling_id=dwelling_id)
        .select_related("actor", "actor__organisation", "content_type")
        .order_by("-timestamp", "-pk")
    )


def history_for_object(instance: models.Model) -> QuerySet[LogEntry]:
    """The history rows of one object: one person (a contact), newest first."""
    return (
        LogEntry.objects.filter(
            Q(content_type=ContentType.objects.get_for_model(instance)) & Q(object_pk=str(instance.pk))
        )
        .select_related("actor", "actor__organisation", "content_type")
        .order_by("-timestamp", "-pk")
    )


# --- Presentation ----------------------------------------------------------------------------------

# Other apps describe the fields of their own models: ``{"app_label.model": callable(key) -> (label,
# {value: label of the value})}``. (The survey app registers its questions: the base knows no survey.)
FIELD_DESCRIBERS: dict[str, Callable[[str], tuple[str, dict]]] = {}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str
    hidden: bool


@dataclass(frozen=True)
class HistoryRow:
    at: Any
    actor: str
    organisation: str
    subject: str  # what changed: the register, the owner, the resident, the survey
    action: str  # added, changed, removed
    source: str
    changes: list[FieldChange]
    entry: LogEntry


def _model_field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a key that is no model field ("locked") keeps its name
        return None


def _display(choices: dict, value) -> str:
    if value in (None, ""):
        return "—"
    if value == HIDDEN:
        return str(_("(changed)"))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(_display(choices, item) for item in value)
    if isinstance(value, float):
        return formats.number_format(value)
    return str(choices.get(value, value))


def history_rows(entries: Iterable[LogEntry]) -> list[HistoryRow]:
    """Rows for a page: field labels and values as people read them, free text only as changed."""
    rows = []
    for entry in entries:
        model = entry.content_type.model_class()
        key = f"{entry.content_type.app_label}.{entry.content_type.model}"
        describe = FIELD_DESCRIBERS.get(key)
        changes = []
        for name, values in (entry.changes_dict or {}).items():
            if not isinstance(values, list | tuple) or len(values) != 2:
                continue
            if describe is not None:
                label, choices = describe(name)
            else:
                field = _model_field(model, name) if model else None
                label = field.verbose_name if field is not None else name
                choices = dict(field.flatchoices) if field is not None and field.choices else {}
            changes.append(
                FieldChange(
                    field=name,
                    label=str(label),
                    old=_display(choices, values[0]),
                    new=_display(choices, values[1]),
                    hidden=values[0] == HIDDEN,
                )
            )
        data = entry.additional_data or {}
        # A person is named as the log wrote them down: "Marieke Jansen (resident)".
        subject = (
            entry.object_repr if key == "projects.contact" else str(SUBJECTS.get(key, entry.object_repr))
        )
        rows.append(
            HistoryRow(
                at=entry.timestamp,
                actor=str(entry.actor) if entry.actor else (entry.actor_email or str(_("system"))),
                organisation=str(getattr(entry.actor, "organisation", None) or ""),
                subject=subject,
                action=str(ACTIONS.get(entry.action, "")),
                source=str(SOURCES.get(data.get("source"), data.get("source") or "")),
                changes=changes,
                entry=entry,
            )
        )
    return rows


SUBJECTS = {
    "projects.dwelling": _("register data"),
    "projects.contact": _("person"),
    "surveys.survey": _("survey answers"),
    "projects.user": _("account"),
}
ACTIONS = {CREATE: _("added"), UPDATE: _("changed"), DELETE: _("removed")}
SOURCES = {
    "form": _("on the dwelling page"),
    "api": _("through the API"),
    "import": _("by an import"),
    "admin": _("in the admin"),
    "survey": _("in the survey"),
}
