"""Importing the dwelling register: check every row, then apply all of them or none.

Every row is checked in Python in one pass against the rules of the model (postcode ``1234 AB``, a
house number from 1 to 99999, a 16-digit BAG id, the choices, the lengths) and against the other rows
and the project's register, loaded once. A row matches an existing dwelling by its address (postcode,
house number, letter and addition, letter and addition in any case); it then updates that dwelling's
register data and people, never its state. A column that the file lacks leaves that data alone; an
empty cell in a column that is there clears it (a contact whose cells are all empty is removed).

By default one wrong row stops the whole import and every wrong row is reported. With
``skip_invalid`` the good rows go in and the wrong ones come back as a CSV file to fix and import
again. Writes go in batches (``bulk_create``/``bulk_update``) in one transaction, so the number of
queries depends on the number of batches, not of rows.
"""

import codecs
import csv
import datetime
import functools
import io
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects.models import (
    ENERGY_LABELS,
    Channel,
    Contact,
    ContactRole,
    Dwelling,
    DwellingType,
    Job,
    Organisation,
    OrganisationKind,
    Ownership,
    Project,
    User,
)
from projects.permissions import can_manage_register

from . import parsing
from .parsing import ERROR_COLUMN, IGNORED_COLUMNS, ImportFileError, normalise_header

__all__ = [
    "BATCH_SIZE",
    "ImportFileError",
    "ImportResult",
    "RowError",
    "import_dwellings",
    "import_job_create",
    "import_job_run",
]

BATCH_SIZE = 2000
# The job keeps this many errors for its page; the rejects file and the command line have all of them.
MAX_STORED_ERRORS = 1000
# A job that has been "running" this long lost its worker; a redelivered task may start it again.
STALE_RUNNING = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    value: str
    reason: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejects_csv: bytes | None = None
    rows: int = 0  # data rows read (empty lines do not count)
    rejected: int = 0  # rows with at least one error
    imported: bool = True  # False: there were errors and nothing was written
    ignored_columns: list[str] = field(default_factory=list)

    def as_dict(self, max_errors: int = MAX_STORED_ERRORS) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rows": self.rows,
            "rejected": self.rejected,
            "imported": self.imported,
            "error_count": len(self.errors),
            "errors": [[e.line, e.column, e.value, e.reason] for e in self.errors[:max_errors]],
            "ignored_columns": self.ignored_columns,
            "has_rejects": self.rejects_csv is not None,
        }


# --- values ------------------------------------------------------------------------------------


class _Invalid(Exception):
    def __init__(self, reason: str):
        self.reason = reason


_WORD_SEPARATORS = re.compile(r"[\s_\-]+")


def _word(text: str) -> str:
    return _WORD_SEPARATORS.sub("-", text.strip().casefold())


def _vocabulary(words: dict[str, list[str]]) -> dict[str, str]:
    return {_word(word): code for code, synonyms in words.items() for word in (code, *synonyms)}


OWNERSHIP_WORDS = _vocabulary(
    {
        Ownership.OWNER_OCCUPIED: ["koop", "koopwoning", "eigenaar-bewoner", "eigen woning"],
        Ownership.PRIVATE_RENTAL: ["particuliere huur", "particulier verhuurd", "private rental"],
        Ownership.HOUSING_ASSOCIATION: ["corporatie", "woningcorporatie", "sociale huur"],
    }
)
DWELLING_TYPE_WORDS = _vocabulary(
    {
        DwellingType.DETACHED: ["vrijstaand", "vrijstaande woning"],
        DwellingType.SEMI_DETACHED: ["twee-onder-een-kap", "2-onder-1-kap", "semi-detached"],
        DwellingType.END_OF_TERRACE: ["hoekwoning", "end-of-terrace"],
        DwellingType.MID_TERRACE: ["tussenwoning", "rijtjeswoning", "mid-terrace"],
        DwellingType.APARTMENT: ["appartement", "flat", "bovenwoning", "benedenwoning"],
        DwellingType.OTHER: ["overig", "anders"],
    }
)
CHANNEL_WORDS = _vocabulary(
    {Channel.EMAIL: ["e-mail", "mail"], Channel.SMS: ["sms"], Channel.LETTER: ["brief", "post"]}
)
# Dutch Excel writes booleans as WAAR/ONWAAR.
TRUE_WORDS = {"ja", "j", "yes", "y", "true", "waar", "1", "x"}
FALSE_WORDS = {"nee", "n", "no", "false", "onwaar", "0", ""}
LANGUAGE_WORDS = {
    "nederlands": "nl",
    "dutch": "nl",
    "engels": "en",
    "english": "en",
    "duits": "de",
    "deutsch": "de",
    "german": "de",
    "frans": "fr",
    "français": "fr",
    "french": "fr",
    "turks": "tr",
    "türkçe": "tr",
    "turkish": "tr",
    "arabisch": "ar",
    "arabic": "ar",
    "pools": "pl",
    "polski": "pl",
    "polish": "pl",
    "spaans": "es",
    "español": "es",
    "spanish": "es",
}
LABELS = set(ENERGY_LABELS)

_POSTCODE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")
_DIGITS = re.compile(r"[0-9]+")
_LETTER = re.compile(r"[A-Za-z]")
_ADDITION = re.compile(r"[A-Za-z0-9]{1,4}")
_BAG_ID = re.compile(r"[0-9]{16}")
_PHONE = re.compile(r"[+(]?[0-9][0-9 ()\-./]*")
_SIX_DIGITS = re.compile(r"(?:[^0-9]*[0-9]){6}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")


def _text(max_length: int, *, required: bool = False):
    def parse(raw: str) -> str:
        if required and not raw:
            raise _Invalid(_("This field is required."))
        if len(raw) > max_length:
            raise _Invalid(_("At most %(max)d characters.") % {"max": max_length})
        return raw

    return parse


def _postcode(raw: str) -> str:
    compact = raw.replace(" ", "").replace("\u00a0", "").upper()
    if not _POSTCODE.fullmatch(compact):
        raise _Invalid(_("Enter a postcode like 1234 AB."))
    return f"{compact[:4]} {compact[4:]}"


def _house_number(raw: str) -> int:
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= 99999:
        raise _Invalid(
            _("Enter a whole number from 1 to 99999; a letter or an addition goes in its own column.")
        )
    return int(raw)


def _house_letter(raw: str) -> str:
    if raw and not _LETTER.fullmatch(raw):
        raise _Invalid(_("A house letter is one letter, A to Z."))
    return raw.upper()


def _addition(raw: str) -> str:
    raw = raw.lstrip("-").strip()
    if raw and not _ADDITION.fullmatch(raw):
        raise _Invalid(_("An addition has at most 4 letters or digits."))
    return raw


def _bag_id(raw: str) -> str:
    compact = raw.replace(" ", "")
    if compact and not _BAG_ID.fullmatch(compact):
        if _DIGITS.fullmatch(compact) and len(compact) < 16:
            raise _Invalid(
                _(
                    "A BAG object id has 16 digits, this one %(count)d: a spreadsheet may have dropped "
                    "leading zeros (format the column as text)."
                )
                % {"count": len(compact)}
            )
        raise _Invalid(_("A BAG object id has 16 digits."))
    return compact


def _choice(words: dict[str, str], message: str, *, blank: bool = False):
    def parse(raw: str) -> str:
        if blank and not raw:
            return ""
        code = words.get(_word(raw))
        if code is None:
            raise _Invalid(message)
        return code

    return parse


def _year(latest: int):
    def parse(raw: str) -> int | None:
        if not raw:
            return None
        if not _DIGITS.fullmatch(raw) or not 1000 <= int(raw) <= latest:
            raise _Invalid(_("Enter a build year from 1000 to %(latest)d.") % {"latest": latest})
        return int(raw)

    return parse


def _energy_label(raw: str) -> str:
    label = raw.replace(" ", "").upper()
    if label and label not in LABELS:
        raise _Invalid(_("Use an energy label from A++++ to G."))
    return label


def _floor_area(raw: str) -> int | None:
    raw = raw.casefold().removesuffix("m²").removesuffix("m2").strip()
    if not raw:
        return None
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= 99999:
        raise _Invalid(_("Enter the floor area in whole square metres, from 1 to 99999."))
    return int(raw)


def _boolean(raw: str) -> bool:
    word = raw.casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _Invalid(_("Use ja or nee."))


def _email(raw: str) -> str:
    if raw:
        try:
            validate_email(raw)
        except ValidationError as exc:
            raise _Invalid(_("Enter a valid e-mail address.")) from exc
        if len(raw) > 254:
            raise _Invalid(_("At most %(max)d characters.") % {"max": 254})
    return raw


def _phone(raw: str) -> str:
    if raw and (len(raw) > 32 or not _PHONE.fullmatch(raw) or not _SIX_DIGITS.match(raw)):
        raise _Invalid(_("Enter a phone number like 06 12345678 or +31 20 1234567."))
    return raw


def _language(raw: str) -> str:
    word = raw.casefold()
    code = LANGUAGE_WORDS.get(word, word)
    if code and (len(code) > 8 or not _LANGUAGE.fullmatch(code)):
        raise _Invalid(_("Enter a language code like nl or en."))
    return code


def _parsers() -> dict[str, Callable[[str], object]]:
    """Per canonical column: text in, value out, or ``_Invalid`` with a translated reason.

    Columns with few distinct values (ownership, type, year, ...) remember what they parsed: a
    register of 100,000 rows holds a handful of ownerships but says each one 100,000 times.
    """
    parsers = {
        "postcode": _postcode,
        "huisnummer": _house_number,
        "huisletter": _house_letter,
        "toevoeging": _addition,
        "straat": _text(120, required=True),
        "plaats": _text(80, required=True),
        "bag_id": _bag_id,
        "eigendom": _choice(
            OWNERSHIP_WORDS,
            _(
                "Unknown ownership; use koop, particuliere huur or corporatie "
                "(or owner_occupied, private_rental, housing_association)."
            ),
        ),
        "corporatie": _text(200),
        "vve": _text(120),
        "woningtype": _choice(
            DWELLING_TYPE_WORDS,
            _(
                "Unknown dwelling type; use vrijstaand, twee-onder-een-kap, hoekwoning, tussenwoning, "
                "appartement or overig."
            ),
        ),
        "bouwjaar": _year(timezone.localdate().year + 1),
        "energielabel": _energy_label,
        "oppervlakte": _floor_area,
        "monument": _boolean,
        "cluster": _text(80),
        "extra_zorg": _boolean,
        "extra_zorg_notitie": _text(10000),
        **{
            f"{prefix}_{name}": parse
            for prefix in parsing.CONTACT_PREFIXES
            for name, parse in (
                ("naam", _text(120)),
                ("email", _email),
                ("telefoon", _phone),
                (
                    "kanaal",
                    _choice(CHANNEL_WORDS, _("Unknown channel; use e-mail, sms or brief."), blank=True),
                ),
                ("taal", _language),
            )
        },
    }
    return {name: _remembering(parse) if name in REPEATED else parse for name, parse in parsers.items()}


# Columns whose values repeat from row to row; their parsers are memoised per import.
REPEATED = {
    "postcode",
    "huisnummer",
    "huisletter",
    "toevoeging",
    "straat",
    "plaats",
    "eigendom",
    "corporatie",
    "vve",
    "woningtype",
    "bouwjaar",
    "energielabel",
    "oppervlakte",
    "monument",
    "cluster",
    "extra_zorg",
    *(f"{prefix}_{name}" for prefix in parsing.CONTACT_PREFIXES for name in ("kanaal", "taal")),
}


def _remembering(parse):
    # Only values are remembered, not refusals (an exception is not cached), which are rare.
    return functools.lru_cache(maxsize=4096)(parse)


# Columns that become register fields of the dwelling, apart from the address (the key).
DWELLING_FIELDS = {
    "straat": "street",
    "plaats": "city",
    "bag_id": "bag_id",
    "eigendom": "ownership",
    "vve": "owners_association",
    "woningtype": "dwelling_type",
    "bouwjaar": "build_year",
    "energielabel": "energy_label",
    "oppervlakte": "floor_area",
    "monument": "listed_monument",
    "cluster": "cluster",
    "extra_zorg": "extra_care",
    "extra_zorg_notitie": "extra_care_note",
}
KEY_FIELDS = ("postcode", "house_number", "house_letter", "house_number_addition")
CONTACT_FIELDS = {
    "naam": "name",
    "email": "email",
    "telefoon": "phone",
    "kanaal": "preferred_channel",
    "taal": "language",
}
ROLES = {"eigenaar": ContactRole.OWNER, "bewoner": ContactRole.RESIDENT}
CONTACT_COLUMNS = ("name", "email", "phone", "preferred_channel", "language")


# --- the import --------------------------------------------------------------------------------


_NOTHING: frozenset = frozenset()


@dataclass(slots=True)
class _Row:
    line: int
    key: tuple
    address: tuple  # postcode, number, letter, addition as stored for a new dwelling
    values: tuple  # in the order of the plan's fields
    contacts: dict  # role -> tuple of the role's present columns, or None for "nobody"
    existing: tuple | None  # (pk, values) of the matching dwelling


@dataclass
class _Plan:
    """What the file's header says will be written: the fields and contact columns it holds."""

    fields: list[str]  # model field names compared and written (besides the address)
    contact_fields: dict[str, list[str]]  # role -> model field names present in the file

    @classmethod
    def for_table(cls, table: parsing.Table) -> "_Plan":
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


def import_dwellings(
    *,
    actor: User | None,
    project: Project,
    rows_source,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Import a register file (a path or a binary file-like object, CSV or XLSX) into the project.

    ``actor`` must be of the lead party (``PermissionDenied`` otherwise); ``None`` is the trusted
    command line. Raises ``ImportFileError`` when the file as a whole is unusable. With errors in rows
    and without ``skip_invalid`` nothing is written. ``progress(rows)`` is called after every batch.
    """
    if actor is not None and not can_manage_register(actor, project):
        raise PermissionDenied(_("Only the lead party keeps the dwelling register."))
    with parsing.read_table(rows_source) as table, transaction.atomic():
        # One import per project at a time; dwellings of the project can still be written meanwhile.
        list(Project.objects.select_for_update(no_key=True).filter(pk=project.pk).values_list("pk"))
        plan = _Plan.for_table(table)
        importer = _Importer(project, table, plan)
        rows = importer.check(table.rows())
        result = ImportResult(
            errors=importer.errors,
            rows=importer.row_count,
            rejected=len(importer.rejects),
            ignored_columns=table.ignored,
        )
        if importer.errors and not skip_invalid:
            result.imported = False
            return result
        if importer.rejects:
            result.rejects_csv = importer.rejects_csv()
        importer.write(rows, result, progress=progress, batch_size=batch_size)
        from surveys.plans.services import plans_follow_register

        plans_follow_register(actor=actor, dwelling_ids=importer.updated_ids)
    return result


class _Importer:
    def __init__(self, project: Project, table: parsing.Table, plan: _Plan):
        self.project = project
        self.table = table
        self.plan = plan
        self.updated_ids: list[int] = []  # existing dwellings whose register data or people changed
        self.errors: list[RowError] = []
        self.rejects: list[tuple[list[str], list[str]]] = []  # (cells, reasons)
        self.row_count = 0
        self._load_existing()

    # Reads: the project's register in one query, its people in one, the associations in one.

    def _load_existing(self) -> None:
        fields = self.plan.fields
        self.existing: dict[tuple, tuple[int, tuple]] = {}
        self.bag_ids: dict[str, tuple] = {}
        bag_index = fields.index("bag_id") if "bag_id" in fields else None
        rows = (
            Dwelling.objects.filter(project=self.project).order_by().values_list("pk", *KEY_FIELDS, *fields)
        )
        for pk, postcode, number, letter, addition, *values in rows:
            key = (postcode, number, letter.upper(), addition.upper())
            self.existing[key] = (pk, tuple(values))
            if bag_index is not None and values[bag_index]:
                self.bag_ids[values[bag_index]] = key
        self.contacts: dict[tuple[int, str], tuple] = {}
        if self.plan.contact_fields:
            for pk, dwelling_id, role, *values in (
                Contact.objects.filter(dwelling__project=self.project)
                .order_by()
                .values_list("pk", "dwelling_id", "role", *CONTACT_COLUMNS)
            ):
                self.contacts[(dwelling_id, role)] = (pk, tuple(values))
        self.associations: dict[str, int] = {}
        if "corporatie" in self.table.columns:
            for pk, name, slug in Organisation.objects.filter(
                kind=OrganisationKind.HOUSING_ASSOCIATION
            ).values_list("pk", "name", "slug"):
                self.associations[name.strip().casefold()] = pk
                self.associations.setdefault(slug, pk)

    # Checking: one pass, no queries.

    def check(self, source) -> list[_Row]:
        table = self.table
        parsers = _parsers()
        columns = [(name, index, table.label(name), parsers[name]) for name, index in table.columns.items()]
        key_labels = {table.label(name) for name in ("postcode", "huisnummer", "huisletter", "toevoeging")}
        number_label, bag_label = table.label("huisnummer"), table.label("bag_id")
        width = len(table.header)
        field_columns = [_COLUMN_OF[name] for name in self.plan.fields]
        specs = self._contact_specs()
        note_label = table.label("extra_zorg_notitie")
        seen_keys: dict[tuple, int] = {}
        seen_bags: dict[str, int] = {}
        rows: list[_Row] = []
        row_count = 0
        for line, cells in source:
            row_count += 1
            errors: list[RowError] = []
            count = len(cells)
            values: dict[str, object] = {}
            raw_values: dict[str, str] = {}
            for name, index, label, parse in columns:
                raw = cells[index].strip() if index < count else ""
                raw_values[name] = raw
                try:
                    values[name] = parse(raw)
                except _Invalid as invalid:
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
            if errors:
                self.errors.extend(errors)
                reasons = [
                    f"{error.column}: {error.reason}" if error.column else error.reason for error in errors
                ]
                self.rejects.append((cells, reasons))
                continue
            values["corporatie"] = association  # the name became the organisation's id
            row_values = tuple([values[column] for column in field_columns])
            rows.append(_Row(line, key, address, row_values, contacts, existing))
        self.row_count = row_count
        return rows

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

    # Writing: in batches, only what really changed.

    def write(self, rows: list[_Row], result: ImportResult, *, progress, batch_size: int) -> None:
        fields = self.plan.fields
        attnames = ["housing_association_id" if name == "housing_association" else name for name in fields]
        now = timezone.now()
        project_id = self.project.pk
        done = 0
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            new: list[tuple[Dwelling, _Row]] = []
            changed: list[Dwelling] = []
            contacts = _ContactChanges()
            for row in batch:
                if row.existing is None:
                    dwelling = Dwelling(
                        project_id=project_id,
                        postcode=row.address[0],
                        house_number=row.address[1],
                        house_letter=row.address[2],
                        house_number_addition=row.address[3],
                        **dict(zip(attnames, row.values, strict=True)),
                    )
                    new.append((dwelling, row))
                    result.created += 1
                    continue
                pk, current = row.existing
                differs = row.values != current
                if differs:
                    dwelling = Dwelling(pk=pk, project_id=project_id, updated_at=now)
                    for name, value in zip(attnames, row.values, strict=True):
                        setattr(dwelling, name, value)
                    changed.append(dwelling)
                if self._contact_changes(pk, row, contacts) or differs:
                    result.updated += 1
                    self.updated_ids.append(pk)
                else:
                    result.unchanged += 1
            if new:
                Dwelling.objects.bulk_create([dwelling for dwelling, _row in new], batch_size=batch_size)
                for dwelling, row in new:
                    self._contact_changes(dwelling.pk, row, contacts)
            if changed:
                Dwelling.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=batch_size)
            contacts.apply(batch_size)
            done += len(batch)
            if progress is not None:
                progress(done)

    def _contact_changes(self, dwelling_id: int, row: _Row, changes: "_ContactChanges") -> bool:
        """Collect the creates, updates and deletes of one dwelling's people; True if any."""
        any_change = False
        for role, data in row.contacts.items():
            current = self.contacts.get((dwelling_id, role))
            if data is None:
                if current is not None:
                    changes.deletes.append(current[0])
                    any_change = True
                continue
            present = self.plan.contact_fields[role]
            given = dict(zip(present, data, strict=True))
            if current is None:
                given.setdefault("preferred_channel", Channel.EMAIL if given.get("email") else Channel.LETTER)
                changes.creates.append(Contact(dwelling_id=dwelling_id, role=role, **given))
                any_change = True
                continue
            pk, values = current
            merged = dict(zip(CONTACT_COLUMNS, values, strict=True))
            before = dict(merged)
            merged.update(given)
            if merged != before:
                changes.updates.append(Contact(pk=pk, dwelling_id=dwelling_id, role=role, **merged))
                any_change = True
        return any_change

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


@dataclass
class _ContactChanges:
    creates: list[Contact] = field(default_factory=list)
    updates: list[Contact] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)

    def apply(self, batch_size: int) -> None:
        if self.creates:
            Contact.objects.bulk_create(self.creates, batch_size=batch_size)
        if self.updates:
            Contact.objects.bulk_update(self.updates, list(CONTACT_COLUMNS), batch_size=batch_size)
        if self.deletes:
            Contact.objects.filter(pk__in=self.deletes).delete()


def _address_text(address: tuple) -> str:
    postcode, number, letter, addition = address
    return f"{postcode} {number}{letter}{'-' + addition if addition else ''}"


# --- jobs: the upload page runs an import in the background --------------------------------------


@transaction.atomic
def import_job_create(
    *,
    actor: User,
    project: Project,
    upload,
    skip_invalid: bool = False,
    submission: str = "",
    total: int = 0,
) -> tuple[Job, bool]:
    """Store an uploaded file as an import job and start it on commit; (job, created).

    The same ``submission`` token twice (a double click, a browser resending the form) gives the first
    job back instead of a second import.
    """
    from .tasks import import_dwellings_task

    if not can_manage_register(actor, project):
        raise PermissionDenied(_("Only the lead party keeps the dwelling register."))
    list(Project.objects.select_for_update(no_key=True).filter(pk=project.pk).values_list("pk"))
    if submission:
        earlier = Job.objects.filter(
            project=project, kind=Job.Kind.IMPORT, params__submission=str(submission)
        ).first()
        if earlier is not None:
            return earlier, False
    job = Job.objects.create(
        project=project,
        kind=Job.Kind.IMPORT,
        created_by=actor,
        total=total,
        params={
            "skip_invalid": bool(skip_invalid),
            "filename": getattr(upload, "name", "") or "",
            "submission": str(submission),
            "language": translation.get_language() or "",
        },
        input_file=upload,
    )
    transaction.on_commit(partial(import_dwellings_task.delay, job.pk))
    return job, True


def import_job_run(*, job_id: int) -> None:
    """Run an import job once: claim it, import its file, keep the result and the rejects file.

    Does nothing for a job that is finished or that another worker runs; a job left "running" by a
    worker that died is taken up again (the import was rolled back with the worker, so that is safe).
    """
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, kind=Job.Kind.IMPORT, status=Job.Status.PENDING).update(
        status=Job.Status.RUNNING, started_at=now
    ) or Job.objects.filter(
        pk=job_id, kind=Job.Kind.IMPORT, status=Job.Status.RUNNING, started_at__lt=now - STALE_RUNNING
    ).update(started_at=now, processed=0)
    if not claimed:
        return
    job = Job.objects.select_related("created_by", "project").get(pk=job_id)
    language = job.params.get("language") or settings.LANGUAGE_CODE
    with translation.override(language), _progress_of(job) as progress:
        try:
            with job.input_file.open("rb") as handle:
                result = import_dwellings(
                    actor=job.created_by,
                    project=job.project,
                    rows_source=handle,
                    skip_invalid=job.params.get("skip_invalid", False),
                    progress=progress,
                )
        except (ImportFileError, PermissionDenied) as exc:
            job.fail(str(exc))
            return
        except Exception:
            job.fail(_("The import stopped on an unexpected error; nothing was changed."))
            raise
        if result.rejects_csv is not None:
            job.output_file.save(f"import-{job.pk}-rejects.csv", ContentFile(result.rejects_csv), save=False)
            Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name)
        job.finish(result.as_dict())


@contextmanager
def _progress_of(job: Job):
    """A ``progress(rows)`` callback that a poller sees while the import's transaction is still open.

    On PostgreSQL it writes over a connection of its own (the import's transaction commits only at
    the end); elsewhere it writes through the job, visible when the import commits.
    """
    if connection.vendor != "postgresql":
        yield job.advance
        return
    side = connections.create_connection("default")
    quote = connection.ops.quote_name
    table, processed, pk = quote(Job._meta.db_table), quote("processed"), quote(Job._meta.pk.column)

    def progress(rows: int) -> None:
        try:
            with side.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET {processed} = %s WHERE {pk} = %s", [rows, job.pk])
        except DatabaseError:
            pass  # progress is a courtesy; the import goes on without it

    try:
        yield progress
    finally:
        side.close()
