"""Reading a register file into rows of text: CSV as people really make it, or an Excel workbook.

The kind of file is decided by its content, never by its name: an ``.xlsx`` must really be a zip that
holds a workbook, and a PDF or an image renamed to ``.csv`` is refused. CSV may be separated by
semicolons (as Dutch Excel writes it), commas or tabs, in UTF-8 with or without a byte order mark (and,
as a fallback, the Windows-1252 that older Excel versions write). The first row holds the column names:
Dutch ones, or their English aliases, in any case, with surrounding spaces ignored.

Nothing here knows what a valid value is; that is for ``services``. A problem with the file as a whole
(wrong type, empty, required columns missing) raises ``ImportFileError`` with a translated message.
"""

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from os import PathLike

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class ImportFileError(Exception):
    """The file as a whole cannot be read as a dwelling register; nothing was changed."""


# Canonical (Dutch) column names with their English aliases, in the order of the documentation.
COLUMNS: dict[str, tuple[str, ...]] = {
    "postcode": ("postal_code",),
    "huisnummer": ("house_number",),
    "huisletter": ("house_letter",),
    "toevoeging": ("addition", "house_number_addition"),
    "straat": ("street",),
    "plaats": ("city",),
    "bag_id": (),
    "eigendom": ("ownership",),
    "corporatie": ("housing_association",),
    "vve": ("owners_association",),
    "woningtype": ("dwelling_type",),
    "bouwjaar": ("build_year",),
    "energielabel": ("energy_label",),
    "oppervlakte": ("floor_area",),
    "monument": ("listed_monument",),
    "cluster": (),
    "eigenaar_naam": ("owner_name",),
    "eigenaar_email": ("owner_email",),
    "eigenaar_telefoon": ("owner_phone",),
    "eigenaar_kanaal": ("owner_channel", "owner_preferred_channel"),
    "eigenaar_taal": ("owner_language",),
    "bewoner_naam": ("resident_name",),
    "bewoner_email": ("resident_email",),
    "bewoner_telefoon": ("resident_phone",),
    "bewoner_kanaal": ("resident_channel", "resident_preferred_channel"),
    "bewoner_taal": ("resident_language",),
    "extra_zorg": ("extra_care",),
    "extra_zorg_notitie": ("extra_care_note",),
}
REQUIRED_COLUMNS = ("postcode", "huisnummer", "straat", "plaats", "eigendom", "woningtype")
# The column a rejects file adds with the reasons; ignored when the fixed file comes back in.
ERROR_COLUMN = "fout"
IGNORED_COLUMNS = {"fout", "error", "errors", "fouten"}
CONTACT_PREFIXES = ("eigenaar", "bewoner")

_ALIASES = {alias: canonical for canonical, aliases in COLUMNS.items() for alias in (canonical, *aliases)}
_UNIT = re.compile(r"\(.*?\)|\[.*?\]")
_SEPARATORS = re.compile(r"[\s\-]+")
DELIMITERS = (";", ",", "\t")

# Files that people upload by mistake, recognised by their first bytes.
_SIGNATURES = (
    (b"%PDF", gettext_lazy("a PDF document")),
    (b"\x89PNG", gettext_lazy("a PNG image")),
    (b"\xff\xd8\xff", gettext_lazy("a JPEG image")),
    (b"GIF8", gettext_lazy("a GIF image")),
    (b"\xd0\xcf\x11\xe0", gettext_lazy("an old Excel (.xls) or Word file")),
    (b"\x1f\x8b", gettext_lazy("a compressed (gzip) file")),
    (b"Rar!", gettext_lazy("a RAR archive")),
    (b"7z\xbc\xaf", gettext_lazy("a 7-Zip archive")),
    (b"{\\rtf", gettext_lazy("a Word (RTF) document")),
)


def normalise_header(cell) -> str:
    """``" Eigenaar naam (m²) "`` → ``"eigenaar_naam"``: case, spaces, hyphens and units do not count."""
    text = _UNIT.sub("", str(cell or "")).strip().casefold()
    return _SEPARATORS.sub("_", text)


@dataclass
class Table:
    """A readable register file: its header mapped to canonical columns, and its rows as text."""

    kind: str  # "csv" or "xlsx"
    delimiter: str  # of the file, or the one a rejects file of an Excel upload gets
    header: list[str]
    columns: dict[str, int]  # canonical column name -> position in a row
    ignored: list[str]  # header cells that are not a known column
    estimated_rows: int  # for a progress bar; the exact count is known after reading
    _rows: Iterator[tuple[int, list[str]]] = field(repr=False)
    _close: object = field(default=None, repr=False)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number in the file, cells) for every row that is not completely empty."""
        return self._rows

    def label(self, column: str) -> str:
        """The column's name as the file writes it, for messages the user can find back."""
        index = self.columns.get(column)
        return self.header[index].strip() if index is not None else column

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> "Table":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def read_table(source) -> Table:
    """Open a register file (a path or a binary file-like object) and check it as a whole.

    Raises ``ImportFileError`` when it is not a CSV or XLSX file, is empty, has no rows, or lacks a
    required column. Use the result as a context manager: an Excel workbook stays open while reading.
    """
    data = _read_bytes(source)
    if not data.strip() or data.strip() in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise ImportFileError(_("The file is empty."))
    table = _xlsx_table(data) if data.startswith(b"PK\x03\x04") else _csv_table(data)
    try:
        first = next(table._rows, None)
    except BaseException:
        table.close()
        raise
    if first is None:
        table.close()
        raise ImportFileError(_("The file has column names but no dwellings."))
    table._rows = _chain(first, table._rows)
    return table


def _chain(first, rest):
    yield first
    yield from rest


def _read_bytes(source) -> bytes:
    if isinstance(source, str | PathLike):
        with open(source, "rb") as handle:
            return handle.read()
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read()
    if isinstance(data, str):
        raise TypeError("Open the register file in binary mode.")
    return data


def _map_header(cells: list[str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        key = normalise_header(cell)
        if not key:
            continue
        canonical = _ALIASES.get(key)
        if canonical is None:
            if key not in IGNORED_COLUMNS:
                ignored.append(str(cell).strip())
            continue
        if canonical in columns:
            raise ImportFileError(
                _("The column “%(column)s” appears twice (as “%(first)s” and “%(second)s”).")
                % {"column": canonical, "first": cells[columns[canonical]].strip(), "second": cell.strip()}
            )
        columns[canonical] = index
    return columns, ignored


def _check_header(columns: dict[str, int]) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileError(
            _(
                "Required columns are missing: %(columns)s. The first row must hold the column names; "
                "see the import documentation."
            )
            % {"columns": ", ".join(missing)}
        )
    for prefix in CONTACT_PREFIXES:
        name = f"{prefix}_naam"
        if name not in columns and any(column.startswith(f"{prefix}_") for column in columns):
            raise ImportFileError(
                _("The column “%(column)s” is missing: the other %(prefix)s columns need it.")
                % {"column": name, "prefix": prefix}
            )


# --- CSV ---------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("The file is not readable text.")) from exc
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise ImportFileError(_("This is %(kind)s, not a CSV or Excel (.xlsx) file.") % {"kind": kind})
    if b"\x00" in data[:8192]:
        raise ImportFileError(_("This is not a CSV or Excel (.xlsx) file."))
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Older Excel versions save "CSV (semicolon separated)" in the Windows code page.
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is not readable text; save it as CSV UTF-8.")) from exc


def _csv_table(data: bytes) -> Table:
    text = _decode(data)
    stream = io.StringIO(text, newline="")
    line_number = 0
    header_line = ""
    forced_delimiter = None
    while True:
        raw = stream.readline()
        if not raw:
            raise ImportFileError(_("The file is empty."))
        line_number += 1
        stripped = raw.strip()
        if not stripped or not stripped.strip(";,\t"):
            continue
        if stripped.casefold().startswith("sep=") and len(stripped) == 5:
            forced_delimiter = stripped[4]  # Excel's own hint on the first line
            continue
        header_line = raw.rstrip("\r\n")
        break
    delimiter = forced_delimiter or _sniff_delimiter(header_line)
    header = next(csv.reader([header_line], delimiter=delimiter))
    columns, ignored = _map_header(header)
    _check_header(columns)
    reader = csv.reader(stream, delimiter=delimiter)
    return Table(
        kind="csv",
        delimiter=delimiter,
        header=header,
        columns=columns,
        ignored=ignored,
        estimated_rows=max(text.count("\n") - line_number + (0 if text.endswith("\n") else 1), 0),
        _rows=_csv_rows(reader, line_number),
    )


def _sniff_delimiter(header_line: str) -> str:
    """The separator under which the header holds the most known column names."""

    def score(delimiter):
        cells = next(csv.reader([header_line], delimiter=delimiter))
        known = sum(1 for cell in cells if normalise_header(cell) in _ALIASES)
        return known, header_line.count(delimiter)

    return max(DELIMITERS, key=score)


def _csv_rows(reader, header_line: int) -> Iterator[tuple[int, list[str]]]:
    previous_end = header_line
    try:
        for cells in reader:
            line = previous_end + 1
            previous_end = header_line + reader.line_num
            if not "".join(cells).strip():
                continue
            yield line, cells
    except csv.Error as exc:
        raise ImportFileError(
            _("Line %(line)d cannot be read as CSV (%(error)s); check the quotes on that line.")
            % {"line": previous_end + 1, "error": exc}
        ) from exc


# --- XLSX --------------------------------------------------------------------------------------


def _xlsx_table(data: bytes) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        mimetype = archive.read("mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise ImportFileError(_("The file looks like an Excel workbook but is damaged.")) from exc
    if b"opendocument.spreadsheet" in mimetype:
        raise ImportFileError(
            _("This is an OpenDocument spreadsheet (.ods); save it as Excel (.xlsx) or as CSV.")
        )
    if "xl/workbook.xml" not in names:
        raise ImportFileError(_("This is a zip archive, not an Excel workbook (.xlsx) or CSV file."))

    import openpyxl  # imported when needed: only Excel uploads pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl reports a damaged workbook in many ways
        raise ImportFileError(
            _("The Excel workbook cannot be read; it may be damaged. Save it again or export it as CSV.")
        ) from exc
    if not workbook.worksheets:
        workbook.close()
        raise ImportFileError(_("The file is empty."))
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    row_number = 0
    header: list[str] | None = None
    try:
        for row in values:
            row_number += 1
            cells = [_cell_text(value) for value in row]
            if "".join(cells).strip():
                header = cells
                break
        if header is None:
            raise ImportFileError(_("The file is empty."))
        columns, ignored = _map_header(header)
        _check_header(columns)
    except BaseException:
        workbook.close()
        raise
    max_row = sheet.max_row or 0
    return Table(
        kind="xlsx",
        delimiter=";",
        header=header,
        columns=columns,
        ignored=ignored,
        estimated_rows=max(max_row - row_number, 0),
        _rows=_xlsx_rows(values, row_number, columns.get("bag_id")),
        _close=workbook.close,
    )


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(values, header_row: int, bag_column: int | None) -> Iterator[tuple[int, list[str]]]:
    line = header_row
    for row in values:
        line += 1
        cells = [_cell_text(value) for value in row]
        if not "".join(cells).strip():
            continue
        if bag_column is not None and bag_column < len(row) and _is_number(row[bag_column]):
            # A BAG id typed into a number cell lost its leading zeros (0363… became 363…).
            cells[bag_column] = cells[bag_column].zfill(16)
        yield line, cells


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer()
