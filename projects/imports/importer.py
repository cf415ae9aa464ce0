"""The import's check: read the register once, then check every row and what it would change.

Every row is checked in Python in one pass against the rules of the model (``values``), against the
other rows and against the project's register, read in one query (its people in one more). A row
matches an existing dwelling by its address as the BAG has it (``matching``): then the row updates
that dwelling's register data and people, never its state. A column that the file lacks leaves that
data alone; an empty cell in a column that is there clears it (a contact whose cells are all empty is
removed). The street and the place of a matched dwelling, and a BAG object id the file leaves empty,
stay as the register has them: they are part of the address, and a different one is a conflict.

What a row changes is known before anything is written (``changes``), so a refused row (a conflict,
or a change to a home that has agreed without the choice to update those) changes nothing, and the
result can list per home what changed; ``writing`` then writes it in batches.
"""

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from projects.models import (
    Channel,
    Contact,
    ContactRole,
    Dwelling,
    Organisation,
    OrganisationKind,
    Ownership,
    Project,
)

from . import changes, matching, parsing
from .changes import HomeChange, PersonChange
from .matching import Existing
from .parsing import ERROR_COLUMN, IGNORED_COLUMNS, normalise_header
from .results import RowError
from .values import (
    CONTACT_COLUMNS,
    CONTACT_FIELDS,
    DWELLING_FIELDS,
    KEY_FIELDS,
    ROLES,
    Invalid,
    parsers,
)

_NOTHING: frozenset = frozenset()


@dataclass(slots=True)
class Row:
    line: int
    address: tuple  # postcode, number, letter, addition as stored for a new dwelling
    values: tuple  # in the order of the plan's fields
    contacts: dict  # role -> tuple of the role's present columns, or None for "nobody"
    existing: Existing | None  # the matching dwelling
    change: HomeChange | None  # what the row changes of that dwelling; None: nothing


@dataclass
class Plan:
    """What the file's header says will be written: the fields and contact columns it holds."""

    fields: list[str]  # model field names compared and written (besides the address)
    contact_fields: dict[str, list[str]]  # role -> model field names present in the file

    @classmethod
    def for_table(cls, table: parsing.Table) -> "Plan":
        fields = [name for column, name in DWELLING_FIELDS.items() if column in table.columns]
        fields.insert(fields.index("ownership") + 1, "housing_association")
        contact_fields = {}
        for prefix, role in ROLES.items():
            present = [
                name for suffix, name in CONTACT_FIELDS.items() if f"{prefix}_{suffix}" in table.columns
            ]
            if present:
                contact_fields[role] = present
        return cls(fields=fields, contact_fields=contact_fields)


class Importer:
    def __init__(self, project: Project, table: parsing.Table, plan: Plan, *, update_agreed: bool = False):
        self.project = project
        self.table = table
        self.plan = plan
        self.update_agreed = update_agreed
        self.updated_ids: list[int] = []  # existing dwellings whose register data or people changed
        self.errors: list[RowError] = []
        self.rejects: list[tuple[list[str], list[str]]] = []  # (cells, reasons)
        self.row_count = 0
        self.refused_agreed = 0
        # Street and place are required columns, so always in the plan; the BAG id only if in the file.
        self._street = plan.fields.index("street")
        self._city = plan.fields.index("city")
        self._bag_id = plan.fields.index("bag_id") if "bag_id" in plan.fields else None
        self._association_at = plan.fields.index("housing_association")
        self._load_existing()

    # Reads: the project's register in one query, its people in one, the associations in one.

    def _load_existing(self) -> None:
        fields = self.plan.fields
        identity = [name for name in ("street", "city", "bag_id") if name not in fields]
        names = ["pk", *KEY_FIELDS, "state", "held_state", *identity, *fields]
        at = {name: index for index, name in enumerate(names)}
        street, city, bag_id, start = at["street"], at["city"], at["bag_id"], len(names) - len(fields)
        track_bag_ids = self._bag_id is not None
        self.existing: dict[tuple, Existing] = {}
        self.bag_ids: dict[str, tuple] = {}
        for row in Dwelling.objects.filter(project=self.project).order_by().values_list(*names):
            postcode, number, letter, addition = address = row[1:5]
            key = (postcode, number, letter.upper(), addition.upper())
            self.existing[key] = Existing(
                pk=row[0],
                address=address,
                street=row[street],
                city=row[city],
                bag_id=row[bag_id],
                state=row[5],
                held_state=row[6],
                values=row[start:],
            )
            if track_bag_ids and row[bag_id]:
                self.bag_ids[row[bag_id]] = key
        self.contacts: dict[tuple[int, str], tuple] = {}
        if self.plan.contact_fields:
            for pk, dwelling_id, role, *values in (
                Contact.objects.filter(dwelling__project=self.project)
                .order_by()
                .values_list("pk", "dwelling_id", "role", *CONTACT_COLUMNS)
            ):
                self.contacts[(dwelling_id, role)] = (pk, tuple(values))
        # All of them, also without the column: a change of ownership can remove an association, and
        # the history names it.
        self.association_objects = {
            organisation.pk: organisation
            for organisation in Organisation.objects.filter(kind=OrganisationKind.HOUSING_ASSOCIATION)
        }
        self.associations: dict[str, int] = {}
        for pk, organisation in self.association_objects.items():
            self.associations[organisation.name.strip().casefold()] = pk
            self.associations.setdefault(organisation.slug, pk)

    # Checking: one pass, no queries.

    def check(self, source, *, alive: Callable[[], None] | None = None) -> list[Row]:
        """Check every row of ``source``; ``alive()`` is called every ``CHECK_BEAT`` rows, so that a
        long check keeps its job's heartbeat."""
        table = self.table
        value_parsers = parsers()
        columns = [
            (name, index, table.label(name), value_parsers[name]) for name, index in table.columns.items()
        ]
        key_labels = {table.label(name) for name in ("postcode", "huisnummer", "huisletter", "toevoeging")}
        number_label, bag_label = table.label("huisnummer"), table.label("bag_id")
        street_label, city_label = table.label("straat"), table.label("plaats")
        width = len(table.header)
        field_columns = [_COLUMN_OF[name] for name in self.plan.fields]
        specs = self._contact_specs()
        note_label = table.label("extra_zorg_notitie")
        seen_keys: dict[tuple, int] = {}
        seen_bags: dict[str, int] = {}
        rows: list[Row] = []
        row_count = 0
        for line, cells in source:
            row_count += 1
            if alive is not None and row_count % CHECK_BEAT == 0:
                alive()
            errors: list[RowError] = []
            count = len(cells)
            values: dict[str, object] = {}
            raw_values: dict[str, str] = {}
            for name, index, label, parse in columns:
                raw = cells[index].strip() if index < count else ""
                raw_values[name] = raw
                try:
                    values[name] = parse(raw)
                except Invalid as invalid:
                    errors.append(RowError(line, label, raw, invalid.reason))
            if count > width and "".join(cells[width:]).strip():
                errors.append(
                    RowError(
                        line,
                        "",
                        table.delimiter.join(cells[width:])[:100],
                        _(
                            "This row has more values than there are columns: is there a separator "
                            "inside a value without quotes around it?"
                        ),
                    )
                )
            failed = {error.column for error in errors} if errors else _NOTHING
            association = self._association(line, values, raw_values, errors)
            contacts = self._contacts(specs, line, values, raw_values, errors, failed)
            if raw_values.get("extra_zorg_notitie") and not values.get("extra_zorg"):
                errors.append(
                    RowError(
                        line,
                        note_label,
                        raw_values["extra_zorg_notitie"][:100],
                        _("A note needs extra_zorg set to ja; or leave the note empty."),
                    )
                )

            key = address = existing = None
            if failed.isdisjoint(key_labels):
                address = (
                    values["postcode"],
                    values["huisnummer"],
                    values.get("huisletter", ""),
                    values.get("toevoeging", ""),
                )
                key = (*address[:3], address[3].upper())
                if key in seen_keys:
                    errors.append(
                        RowError(
                            line,
                            number_label,
                            _address_text(address),
                            _("This address is already on line %(line)d.") % {"line": seen_keys[key]},
                        )
                    )
                else:
                    seen_keys[key] = line
                existing = self.existing.get(key)
            if existing is not None:
                # The same postcode and number, but another street or place: not this dwelling.
                file_address = matching.address_text(raw_values["straat"], address, raw_values["plaats"])
                if street_label not in failed and not matching.same_name(values["straat"], existing.street):
                    errors.append(
                        RowError(line, street_label, file_address, matching.street_conflict(existing))
                    )
                elif city_label not in failed and not matching.same_name(values["plaats"], existing.city):
                    errors.append(RowError(line, city_label, file_address, matching.city_conflict(existing)))
            bag_id = values.get("bag_id")
            if bag_id:
                if bag_id in seen_bags:
                    errors.append(
                        RowError(
                            line,
                            bag_label,
                            bag_id,
                            _("This BAG object id is already on line %(line)d.")
                            % {"line": seen_bags[bag_id]},
                        )
                    )
                else:
                    seen_bags[bag_id] = line
                holder = self.bag_ids.get(bag_id)
                if holder is not None and key is not None and holder != key:
                    errors.append(
                        RowError(
                            line,
                            bag_label,
                            bag_id,
                            _("This BAG object id belongs to another dwelling of the project: %(address)s.")
                            % {"address": _address_text(holder)},
                        )
                    )
                elif existing is not None and existing.bag_id and existing.bag_id != bag_id:
                    errors.append(RowError(line, bag_label, bag_id, matching.bag_id_conflict(existing)))
            if errors:
                self._reject(cells, errors)
                continue
            values["corporatie"] = association  # the name became the organisation's id
            row_values = tuple([values[column] for column in field_columns])
            change = None
            if existing is not None:
                row_values = self._keep_identity(row_values, existing)
                change = self._home_change(existing, row_values, contacts)
                if change and not self.update_agreed and existing.has_agreed():
                    self.refused_agreed += 1
                    what = ", ".join(change.labels())
                    refusal = RowError(line, "", existing.text(), matching.agreed_refusal(existing, what))
                    self._reject(cells, [refusal])
                    continue
            rows.append(Row(line, address, row_values, contacts, existing, change))
        self.row_count = row_count
        return rows

    def _reject(self, cells: list[str], errors: list[RowError]) -> None:
        self.errors.extend(errors)
        reasons = [f"{error.column}: {error.reason}" if error.column else error.reason for error in errors]
        self.rejects.append((cells, reasons))

    def _keep_identity(self, row_values: tuple, existing: Existing) -> tuple:
        """The register's spelling of its street and place, and its BAG id where the file has none."""
        values = list(row_values)
        values[self._street] = existing.street
        values[self._city] = existing.city
        if self._bag_id is not None and not values[self._bag_id]:
            values[self._bag_id] = existing.bag_id
        return tuple(values)

    def _home_change(self, existing: Existing, row_values: tuple, contacts: dict) -> HomeChange | None:
        fields = {}
        if row_values != existing.values:
            fields = changes.register_changes(self._snapshot(existing.values), self._snapshot(row_values))
        people = self.people_changes(existing.pk, contacts)
        if fields or people:
            return HomeChange(existing.pk, existing.text(), fields, people)
        return None

    def _snapshot(self, row_values: tuple) -> dict:
        """What ``history.snapshot`` gives for a dwelling with these values, without loading its
        housing association: the association by its name."""
        snapshot = dict(zip(self.plan.fields, row_values, strict=True))
        pk = snapshot["housing_association"]
        if pk is not None:
            organisation = self.association_objects.get(pk)
            snapshot["housing_association"] = organisation.name if organisation else str(pk)
        return snapshot

    def people_changes(self, dwelling_id: int, contacts: dict) -> list[PersonChange]:
        """The owner and resident that a row adds, changes or removes of a dwelling."""
        people = []
        for role, data in contacts.items():
            current = self.contacts.get((dwelling_id, role))
            if data is None:
                if current is not None:
                    pk, stored = current
                    contact = Contact(
                        pk=pk,
                        dwelling_id=dwelling_id,
                        role=role,
                        **dict(zip(CONTACT_COLUMNS, stored, strict=True)),
                    )
                    people.append(changes.person_removed(contact))
                continue
            given = dict(zip(self.plan.contact_fields[role], data, strict=True))
            if current is None:
                given.setdefault("preferred_channel", Channel.EMAIL if given.get("email") else Channel.LETTER)
                people.append(changes.person_added(Contact(dwelling_id=dwelling_id, role=role, **given)))
                continue
            pk, stored = current
            before = dict(zip(CONTACT_COLUMNS, stored, strict=True))
            merged = {**before, **given}
            if merged != before:
                person = changes.person_changed(
                    Contact(pk=pk, dwelling_id=dwelling_id, role=role, **merged), before
                )
                if person is not None:
                    people.append(person)
        return people

    def _association(self, line, values, raw_values, errors) -> int | None:
        ownership = values.get("eigendom")
        name = raw_values.get("corporatie", "")
        label = self.table.label("corporatie")
        if ownership == Ownership.HOUSING_ASSOCIATION:
            if not name:
                errors.append(
                    RowError(line, label, "", _("Give the housing association that owns this dwelling."))
                )
                return None
            pk = self.associations.get(name.casefold())
            if pk is None:
                errors.append(
                    RowError(
                        line,
                        label,
                        name,
                        _("Unknown housing association: it must be an organisation of that kind here."),
                    )
                )
            return pk
        if name and ownership is not None:
            errors.append(
                RowError(
                    line,
                    label,
                    name,
                    _("Only for a dwelling of a housing association (eigendom corporatie); leave it empty."),
                )
            )
        return None

    def _contact_specs(self) -> list["_ContactSpec"]:
        specs = []
        for prefix, role in ROLES.items():
            present = self.plan.contact_fields.get(role)
            if present:
                columns = [f"{prefix}_{suffix}" for suffix, name in CONTACT_FIELDS.items() if name in present]
                specs.append(
                    _ContactSpec(
                        prefix=prefix,
                        role=role,
                        columns=columns,
                        labels={self.table.label(column) for column in columns},
                        name_label=self.table.label(f"{prefix}_naam"),
                        channel_label=self.table.label(f"{prefix}_kanaal"),
                    )
                )
        return specs

    def _contacts(self, specs, line, values, raw_values, errors, failed) -> dict:
        contacts = {}
        for spec in specs:
            prefix, role, columns = spec.prefix, spec.role, spec.columns
            if not any(raw_values[column] for column in columns):
                contacts[role] = None
                continue
            name = raw_values[f"{prefix}_naam"]
            if role == ContactRole.RESIDENT and values.get("eigendom") == Ownership.OWNER_OCCUPIED:
                if name and name.casefold() == raw_values.get("eigenaar_naam", "").casefold():
                    contacts[role] = None  # the owner lives there: one contact, the owner
                    continue
                errors.append(
                    RowError(
                        line,
                        spec.name_label,
                        name,
                        _(
                            "An owner-occupied dwelling has only the owner: leave the resident columns "
                            "empty, or correct the ownership."
                        ),
                    )
                )
                continue
            if not name:
                errors.append(
                    RowError(
                        line,
                        spec.name_label,
                        "",
                        _("Give the name, or leave all %(prefix)s columns empty.") % {"prefix": prefix},
                    )
                )
                continue
            if failed and not failed.isdisjoint(spec.labels):
                continue
            channel = values.get(f"{prefix}_kanaal")
            email = values.get(f"{prefix}_email")
            if channel == Channel.EMAIL and email == "":
                errors.append(
                    RowError(
                        line,
                        spec.channel_label,
                        raw_values[f"{prefix}_kanaal"],
                        _("The channel e-mail needs an e-mail address."),
                    )
                )
            elif channel == Channel.SMS and values.get(f"{prefix}_telefoon") == "":
                errors.append(
                    RowError(
                        line,
                        spec.channel_label,
                        raw_values[f"{prefix}_kanaal"],
                        _("The channel sms needs a phone number."),
                    )
                )
            if channel == "":
                values[f"{prefix}_kanaal"] = Channel.EMAIL if email else Channel.LETTER
            if values.get(f"{prefix}_taal") == "":
                values[f"{prefix}_taal"] = "nl"
            contacts[role] = tuple([values[column] for column in columns])
        return contacts

    def rejects_csv(self) -> bytes:
        """The wrong rows as the file had them, plus a column with the reasons; same separator."""
        header = self.table.header
        keep = [i for i, cell in enumerate(header) if normalise_header(cell) not in IGNORED_COLUMNS]
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=self.table.delimiter)
        writer.writerow([header[i] for i in keep] + [ERROR_COLUMN])
        for cells, reasons in self.rejects:
            writer.writerow([cells[i] if i < len(cells) else "" for i in keep] + ["; ".join(reasons)])
        # With a byte order mark, Excel opens UTF-8 as UTF-8.
        return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


# Model field -> column; the association's column holds its id by the time a row is stored.
# Rows checked between two signs of life of an import job (its check writes nothing until the end).
CHECK_BEAT = 2_000

_COLUMN_OF = {name: column for column, name in DWELLING_FIELDS.items()}
_COLUMN_OF["housing_association"] = "corporatie"


@dataclass(frozen=True)
class _ContactSpec:
    prefix: str
    role: str
    columns: list[str]
    labels: set[str]
    name_label: str
    channel_label: str


def _address_text(address: tuple) -> str:
    postcode, number, letter, addition = address
    return f"{postcode} {number}{letter}{'-' + addition if addition else ''}"
