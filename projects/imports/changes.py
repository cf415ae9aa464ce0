"""What an import changes, per home: the change list of its result and the rows of the history.

Before anything is written, every row that matches a dwelling is compared with the register: the
register fields that the file has, and the owner and the resident. The differences are a
``HomeChange``: field, old value, new value, and people added, changed or removed. The result lists
them; the writer turns them into history rows (``projects.history``): one for the dwelling's fields and
one per person, written in the import's transaction with one query per batch. A new dwelling gets a
history row that creates it (its register fields from empty) and one per person; the result counts new
dwellings but does not list them.

Values are kept as the history keeps them (the codes of choices, the housing association's name), so
one list serves the job page, the command line and the CSV file, each showing labels in the reader's
language. The extra-care note is free text: the list and the history say that it changed, never what
it says.
"""

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.template.defaultfilters import yesno
from django.utils.translation import gettext as _

from projects.history import CREATE, DELETE, HIDDEN, UPDATE, Change, changes_between, snapshot
from projects.models import Contact, ContactRole, Dwelling
from projects.services import register

from .matching import address_text

# The register's fields and the people's, as the register form writes their history
# (projects.services.register): the role of a person is in the row's data, not among the changes.
REGISTER_FIELDS = register.REGISTER_FIELDS
HIDDEN_FIELDS = register.HIDDEN_REGISTER_FIELDS
PERSON_FIELDS = register.CONTACT_FIELDS
ADDED, CHANGED, REMOVED = "added", "changed", "removed"
_ACTION_WORDS = {CREATE: ADDED, UPDATE: CHANGED, DELETE: REMOVED}


@dataclass(slots=True)
class PersonChange:
    """An owner or resident added, changed or removed; ``contact`` is what is written or deleted."""

    role: str
    action: int  # projects.history.CREATE, UPDATE or DELETE
    contact: Contact
    changes: dict  # field -> [old, new]

    def as_dict(self) -> dict:
        return {"role": str(self.role), "action": _ACTION_WORDS[self.action], "changes": self.changes}


@dataclass(slots=True)
class HomeChange:
    """What a row changes of a dwelling in the register: its fields and its people."""

    dwelling_id: int
    address: str
    fields: dict  # field -> [old, new]
    people: list[PersonChange]

    def __bool__(self) -> bool:
        return bool(self.fields or self.people)

    def as_dict(self) -> dict:
        return {
            "dwelling": self.dwelling_id,
            "address": self.address,
            "fields": self.fields,
            "people": [person.as_dict() for person in self.people],
        }

    def labels(self) -> list[str]:
        """What changes, in words: ``build year, owner``."""
        return [field_label(name) for name in self.fields] + [
            str(ContactRole(person.role).label) for person in self.people
        ]


def register_changes(before: dict, after: dict) -> dict:
    """``{field: [old, new]}`` between two snapshots of a dwelling's register fields."""
    return changes_between(before, after, hidden=HIDDEN_FIELDS)


def person_added(contact: Contact) -> PersonChange:
    return PersonChange(contact.role, CREATE, contact, changes_between({}, snapshot(contact, PERSON_FIELDS)))


def person_removed(contact: Contact) -> PersonChange:
    return PersonChange(contact.role, DELETE, contact, changes_between(snapshot(contact, PERSON_FIELDS), {}))


def person_changed(contact: Contact, before: dict) -> PersonChange | None:
    """The contact as it will be saved against its values ``before``; None if nothing differs."""
    changes = changes_between(before, snapshot(contact, before.keys()))
    return PersonChange(contact.role, UPDATE, contact, changes) if changes else None


def history_of_update(
    home: HomeChange, dwelling: Dwelling, *, project_id: int, extra: dict
) -> Iterator[Change]:
    """The history rows of a changed dwelling: its fields (if any) and each person."""
    if home.fields:
        yield Change(dwelling, home.fields, home.dwelling_id, project_id, UPDATE, extra)
    for person in home.people:
        yield _person_history(person, home.dwelling_id, project_id, extra)


def history_of_creation(
    dwelling: Dwelling, people: Iterable[PersonChange], *, project_id: int, extra: dict
) -> Iterator[Change]:
    """The history rows of a new dwelling: its register fields from empty, and each person.

    The dwelling's housing association must be set as an object (not only its id), so that the
    snapshot costs no query.
    """
    changes = register_changes({}, snapshot(dwelling, REGISTER_FIELDS))
    yield Change(dwelling, changes, dwelling.pk, project_id, CREATE, extra)
    for person in people:
        yield _person_history(person, dwelling.pk, project_id, extra)


def _person_history(person: PersonChange, dwelling_id: int, project_id: int, extra: dict) -> Change:
    # The role is in every row of a person, as the register form writes it: a reader of the history
    # should not need the contact (which may be gone) to say whose data changed.
    return Change(
        person.contact, person.changes, dwelling_id, project_id, person.action, {**extra, "role": person.role}
    )


# --- showing the change list: the job page, the command line and the CSV file -----------------------


class Line(NamedTuple):
    """One changed value of a home, in words."""

    who: str  # "dwelling", or the person's role
    change: str  # added, changed, removed
    field: str
    old: str
    new: str
    hidden: bool  # free text: it changed, its content is not shown (old and new say "(changed)")
    person: bool  # a value of the owner or the resident, not of the home itself


def field_label(name: str, model=Dwelling) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field the model no longer has, in an old result
        return name


def value_text(name: str, value, model=Dwelling) -> str:
    """A stored value as a reader reads it, as the history page shows it: the label of a choice,
    yes or no, a dash for empty."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return yesno(value)
    try:
        choices = dict(model._meta.get_field(name).flatchoices)
    except FieldDoesNotExist:
        choices = {}
    return str(choices.get(value, value))


def change_word(action: str) -> str:
    return {ADDED: _("added"), CHANGED: _("changed"), REMOVED: _("removed")}.get(action, action)


def home_lines(home: dict) -> list[Line]:
    """Every changed value of one home of a change list (``HomeChange.as_dict()``), in words."""
    lines = [
        _line(_("dwelling"), change_word(CHANGED), name, values, Dwelling)
        for name, values in home["fields"].items()
    ]
    for person in home["people"]:
        who = (
            str(ContactRole(person["role"]).label) if person["role"] in ContactRole.values else person["role"]
        )
        change = change_word(person["action"])
        lines += [_line(who, change, name, values, Contact) for name, values in person["changes"].items()]
    return lines


def _line(who: str, change: str, name: str, values: list, model) -> Line:
    old, new = values
    person = model is Contact
    if old == HIDDEN and new == HIDDEN:
        return Line(who, change, field_label(name, model), _("(changed)"), _("(changed)"), True, person)
    old, new = value_text(name, old, model), value_text(name, new, model)
    return Line(who, change, field_label(name, model), old, new, False, person)


def home_summary(home: dict) -> str:
    """One line per home for the command line: ``Lindelaan 2, …: build year; owner changed (phone)``."""
    parts = []
    if home["fields"]:
        parts.append(", ".join(field_label(name) for name in home["fields"]))
    for person in home["people"]:
        names = [field_label(name, Contact) for name in person["changes"]]
        role = (
            str(ContactRole(person["role"]).label) if person["role"] in ContactRole.values else person["role"]
        )
        parts.append(f"{role} {change_word(person['action'])} ({', '.join(names)})")
    return f"{home['address']}: {'; '.join(parts)}"


def changes_csv(homes: Iterable[dict]) -> Iterator[bytes]:
    """The change list as a CSV file for Excel (semicolons, UTF-8 with a byte order mark), in pieces:
    one line per changed value, the extra-care note only as changed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["id", _("Address"), _("What"), _("Change"), _("Field"), _("Old value"), _("New value")])
    yield codecs.BOM_UTF8 + _take(buffer)
    for home in homes:
        for line in home_lines(home):
            writer.writerow(
                [home["dwelling"], home["address"], line.who, line.change, line.field, line.old, line.new]
            )
        if buffer.tell() > 64 * 1024:
            yield _take(buffer)
    yield _take(buffer)


def _take(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def homes_from_history(*, job_id: int, since, chunk_size: int = 1000) -> Iterator[dict]:
    """The change list of an import job read back from its history rows, every home (not only the
    ones its result keeps), in the order they were written; new dwellings are left out."""
    from auditlog.models import LogEntry

    types = ContentType.objects.get_for_models(Dwelling, Contact)
    dwelling_type = types[Dwelling].pk
    entries = LogEntry.objects.filter(
        content_type__in=types.values(),
        timestamp__gte=since,
        additional_data__job_id=job_id,
        additional_data__source="import",
    )
    created = set(
        entries.filter(content_type=dwelling_type, action=CREATE).values_list(
            "additional_data__dwelling_id", flat=True
        )
    )
    rows = (
        entries.order_by("pk")
        .values_list("content_type_id", "action", "changes", "additional_data")
        .iterator(chunk_size=2000)
    )
    pending: list[dict] = []
    home = None
    for content_type_id, action, changes, data in rows:
        dwelling_id = data.get("dwelling_id")
        if dwelling_id in created:
            continue
        if home is None or home["dwelling"] != dwelling_id:
            if len(pending) >= chunk_size:
                yield from _with_addresses(pending)
                pending = []
            home = {"dwelling": dwelling_id, "address": "", "fields": {}, "people": []}
            pending.append(home)
        if content_type_id == dwelling_type:
            home["fields"].update(changes or {})
        else:
            home["people"].append(
                {
                    "role": data.get("role", ""),
                    "action": _ACTION_WORDS.get(action, ""),
                    "changes": changes or {},
                }
            )
    yield from _with_addresses(pending)


def _with_addresses(homes: list[dict]) -> list[dict]:
    addresses = {
        pk: address_text(street, (postcode, number, letter, addition), city)
        for pk, postcode, number, letter, addition, street, city in Dwelling.objects.filter(
            pk__in=[home["dwelling"] for home in homes]
        ).values_list(
            "pk", "postcode", "house_number", "house_letter", "house_number_addition", "street", "city"
        )
    }
    for home in homes:
        home["address"] = addresses.get(home["dwelling"], f"#{home['dwelling']}")
    return homes
