"""A dashboard's figures as files: CSV in long format and XLSX with a sheet per table.

Both are written from the same ``Dashboard`` the page shows (``figures.dashboard``), through
``sheets(board)``: every table and list of figures of the page as rows by columns, the cells as the
aggregation service left them. Nothing here counts or hides anything again: a hidden cell is a
``Suppressed`` and is written as its label ("< 10"), never as a number.

CSV, chosen for Excel as it is set up in the Netherlands and readable by a program all the same:

- separator ``;`` (Dutch Excel's list separator: the comma is its decimal sign), UTF-8 with a byte
  order mark (so Excel reads the accents), lines ending in CRLF, a header row;
- long format, one value a line: ``figure;row;column;value`` as keys that do not change with the
  language (``funnel;connected;count;118``), then the same three as the page names them;
- a number as the page's language writes it without grouping (``3,5`` in Dutch, ``3.5`` in English),
  a date as ``2026-05-01``, yes/no in words, nothing as an empty field.

XLSX (XlsxWriter in ``constant_memory`` mode: each row goes to disk as it is written): a first sheet
that says what the file is, then a sheet per table in the order of the page; numbers as numbers,
dates as dates, a hidden cell as the text "< 10". Every text is written as text, never as a formula.
"""

from __future__ import annotations

import csv
import datetime
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from progress.aggregates import Table
from progress.cells import Suppressed
from progress.figures import Dashboard

CSV_DIALECT = {"delimiter": ";", "lineterminator": "\r\n", "quoting": csv.QUOTE_MINIMAL}
BOM = "\ufeff"
# A text that Excel would read as a formula starts with one of these; such a text gets a leading
# apostrophe in a CSV file (names and streets come from people).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    """One table of the dashboard: ``rows`` are (key, label, {column key: cell})."""

    key: str
    title: str
    first: str  # the header above the rows' labels
    columns: list[tuple[str, str]]
    rows: list[tuple[str, str, dict]]


# --- the dashboard as sheets --------------------------------------------------------------------------


def _table(table: Table, first: str) -> Sheet:
    columns = [(key, capfirst(str(label))) for key, label in table.columns]
    if table.row_totals:
        columns.append(("total", _("total")))
    rows = []
    for row in table.rows:
        cells = dict(row.cells)
        if table.row_totals:
            cells["total"] = row.total
        rows.append((row.key, str(row.label), cells))
    if table.column_totals and table.rows:
        cells = dict(table.totals)
        if table.row_totals:
            cells["total"] = table.grand
        rows.append(("total", _("total"), cells))
    return Sheet(table.key, capfirst(str(table.title)), first, columns, rows)


def _figures(key: str, title: str, rows: list[tuple[str, str, object]]) -> Sheet:
    """A list of single figures as a sheet with one column."""
    return Sheet(
        key, title, _("Figure"), [("value", _("value"))], [(k, label, {"value": v}) for k, label, v in rows]
    )


def sheets(board: Dashboard, *, per_project: bool = True) -> list[Sheet]:
    """Every figure of the dashboard, in the order of the page. ``per_project``: the projects side by
    side (the municipality's and the programme's pages show it, a project's does not)."""
    forecast = board.forecast
    key_figures = [
        ("total", _("dwellings in the register"), board.total),
        ("connected", _("connected"), board.connected),
        ("pace", _("connections a week (last 8 weeks)"), forecast.pace if forecast else None),
        ("forecast", _("last connection at this pace"), forecast.date if forecast else None),
    ]
    if board.viewer.exact and forecast:
        key_figures.append(("remaining", _("dwellings still to connect"), forecast.remaining))
    found = [_figures("key_figures", _("Key figures"), key_figures)]
    if per_project and board.phases_per_project is not None:
        found.append(_table(board.phases_per_project, _("Project")))
    found.append(
        Sheet(
            "thresholds",
            _("Sign-ups against the threshold"),
            _("Project"),
            [
                ("dwellings", _("dwellings")),
                ("agreed", _("agreed")),
                ("share", _("share agreed (%)")),
                ("threshold", _("threshold (%)")),
                ("reached", _("reached")),
                ("expected_on", _("expected around")),
                ("target_date", _("target date")),
            ],
            [
                (
                    row.project.slug,
                    row.project.name,
                    {
                        "dwellings": row.total,
                        "agreed": row.agreed,
                        "share": row.share,
                        "threshold": row.threshold,
                        "reached": row.reached,
                        "expected_on": row.date,
                        "target_date": row.target_date,
                    },
                )
                for row in board.thresholds
            ],
        )
    )
    found.append(_table(board.funnel, _("State")))
    found.append(_table(board.weekly, _("Week of")))
    found.append(
        Sheet(
            "cumulative",
            _("Connected dwellings"),
            _("Week of"),
            [("connected", _("connected"))],
            [(week.isoformat(), week.isoformat(), {"connected": count}) for week, count in board.cumulative],
        )
    )
    found.append(
        Sheet(
            "lead_times",
            _("Lead times between milestones"),
            _("From → to"),
            [("count", _("dwellings")), ("median", _("median (days)")), ("p80", _("80% within (days)"))],
            [
                (row.key, str(row.label), {"count": row.count, "median": row.median, "p80": row.p80})
                for row in board.lead_times
            ],
        )
    )
    visits = board.visits
    found.append(
        _figures(
            "visits",
            _("Visits"),
            [
                ("visited", _("Dwellings visited"), visits.get("visited")),
                ("surveyed", _("Dwellings surveyed"), visits.get("surveyed")),
                ("one_visit", _("Surveyed in one visit"), visits.get("one_visit")),
                ("one_visit_share", _("Surveyed in one visit (%)"), visits.get("one_visit_share")),
                ("per_dwelling", _("Visits per visited dwelling"), visits.get("per_dwelling")),
                ("more_than_one", _("Dwellings visited more than once"), visits.get("more_than_one")),
                ("declined", _("Declined"), board.declines.get("count")),
            ],
        )
    )
    found.append(_table(board.second_visits, _("Reason")))
    if board.declines.get("reasons"):
        found.append(
            Sheet(
                "decline_reasons",
                _("Reasons for declining, most given first"),
                _("Reason"),
                [("count", _("dwellings"))],
                [
                    (str(index), reason, {"count": count})
                    for index, (reason, count) in enumerate(board.declines["reasons"], start=1)
                ],
            )
        )
    found.append(_table(board.messages, _("Channel")))
    questions = board.questions
    found.append(
        _figures(
            "questions",
            _("Residents' questions"),
            [
                ("total", _("Questions and reports"), questions.get("total")),
                ("open", _("Still open"), questions.get("open")),
                ("aftercare", _("Aftercare reports"), questions.get("aftercare")),
                ("answered", _("Answered"), questions.get("answered")),
                ("median_hours", _("Median time to the first answer (hours)"), questions.get("median_hours")),
                (
                    "within_two_days",
                    _("Answered within two working days (%)"),
                    questions.get("within_two_days"),
                ),
            ],
        )
    )
    if board.costs is not None:
        found.append(
            Sheet(
                "costs",
                _("Budget, estimate and actual cost"),
                _("Project"),
                [
                    ("budget", _("budget")),
                    ("estimate", _("estimate")),
                    ("actual", _("actual (installed so far)")),
                    ("estimate_of_done", _("estimate of what is installed")),
                ],
                [
                    (
                        row["project"].slug,
                        row["project"].name,
                        {key: row[key] for key in ("budget", "estimate", "actual", "estimate_of_done")},
                    )
                    for row in board.costs
                ],
            )
        )
    found.append(_table(board.rework, _("Installer")))
    if board.capacity:
        weeks = [week["week"] for week in board.capacity[0]["weeks"]]
        found.append(
            Sheet(
                "capacity",
                _("Installations planned per week against the stated capacity"),
                _("Installer"),
                [("capacity", _("capacity a week"))]
                + [(week.isoformat(), week.isoformat()) for week in weeks],
                [
                    (
                        row["installer"],
                        row["installer"],
                        {
                            "capacity": row["capacity"],
                            **{week["week"].isoformat(): week["planned"] for week in row["weeks"]},
                        },
                    )
                    for row in board.capacity
                ],
            )
        )
    for table in board.breakdowns.values():
        found.append(_table(table, capfirst(str(table.title))))
    return found


# --- values --------------------------------------------------------------------------------------------


def text(value) -> str:
    """A cell as text in a CSV file."""
    if value is None:
        return ""
    if isinstance(value, Suppressed):
        return str(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return (_local(value) if value.tzinfo else value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return formats.number_format(value, use_l10n=True, force_grouping=False)
    if isinstance(value, int):
        return str(value)
    value = str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


class _Echo:
    """A file that hands back what is written to it (the csv module writes one line at a time)."""

    def write(self, value):
        return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The lines of a CSV file, the byte order mark first: for a ``StreamingHttpResponse``."""
    writer = csv.writer(_Echo(), **CSV_DIALECT)
    yield BOM + writer.writerow([text(cell) for cell in header])
    for row in rows:
        yield writer.writerow([text(cell) for cell in row])


def long_rows(found: list[Sheet]) -> Iterator[list]:
    for sheet in found:
        for row_key, row_label, cells in sheet.rows:
            for column, label in sheet.columns:
                if column in cells:
                    yield [sheet.key, row_key, column, cells[column], sheet.title, row_label, label]


def long_header() -> list[str]:
    return [
        _("figure"),
        _("row"),
        _("column"),
        _("value"),
        _("figure (name)"),
        _("row (name)"),
        _("column (name)"),
    ]


def figures_csv(board: Dashboard, *, per_project: bool = True) -> str:
    return "".join(csv_lines(long_header(), long_rows(sheets(board, per_project=per_project))))


# --- XLSX ----------------------------------------------------------------------------------------------

_SHEET_NAME = re.compile(r"[\[\]:*?/\\']")


def sheet_names(found: list[Sheet]) -> list[str]:
    """Names Excel accepts: at most 31 characters, none of []:*?/\\, unique (case-insensitively)."""
    names, seen = [], set()
    for sheet in [_("About"), *(sheet.title for sheet in found)]:
        base = _SHEET_NAME.sub(" ", str(sheet)).strip()[:31] or "-"
        name, number = base, 2
        while name.lower() in seen:
            suffix = f" ({number})"
            name, number = base[: 31 - len(suffix)] + suffix, number + 1
        seen.add(name.lower())
        names.append(name)
    return names


def workbook(target, **options):
    """An XlsxWriter workbook in constant memory; texts are never read as formulas or links."""
    import xlsxwriter

    return xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
            **options,
        },
    )


class CellWriter:
    """Writes a value into a worksheet by its type (one writer per workbook: its formats)."""

    def __init__(self, book):
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.bold = book.add_format({"bold": True})
        self.hidden = book.add_format({"align": "right", "italic": True})

    def write(self, sheet, row: int, column: int, value) -> None:
        if value is None:
            return
        if isinstance(value, Suppressed):
            sheet.write_string(row, column, str(value), self.hidden)
        elif isinstance(value, bool):
            sheet.write_string(row, column, _("yes") if value else _("no"))
        elif isinstance(value, datetime.datetime):
            sheet.write_datetime(row, column, _local(value) if value.tzinfo else value, self.moment)
        elif isinstance(value, datetime.date):
            sheet.write_datetime(row, column, datetime.datetime.combine(value, datetime.time()), self.date)
        elif isinstance(value, int | float | Decimal):
            sheet.write_number(row, column, float(value))
        else:
            sheet.write_string(row, column, str(value))


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment).replace(tzinfo=None)


def figures_xlsx(board: Dashboard, target, *, title: str, per_project: bool = True) -> None:
    """Write the dashboard's workbook to ``target`` (a path or a binary file)."""
    found = sheets(board, per_project=per_project)
    names = sheet_names(found)
    book = workbook(target)
    cells = CellWriter(book)
    about = book.add_worksheet(names[0])
    about.set_column(0, 0, 40)
    about.set_column(1, 1, 60)
    lines = [
        (_("Progress"), title),
        (_("Figures of"), _local(board.made_at)),
        (_("Projects"), ", ".join(project.name for project in board.projects)),
    ]
    if board.suppressed:
        lines.append(
            (
                _("Small groups"),
                _(
                    "You see aggregates only. A group of fewer than %(below)d dwellings shows as "
                    "“< %(below)d”; a figure hidden so that it cannot reveal such a group shows as “x”."
                )
                % {"below": board.viewer.below},
            )
        )
    for index, (label, value) in enumerate(lines):
        about.write_string(index, 0, str(label), cells.bold)
        cells.write(about, index, 1, value)
    row = len(lines) + 1
    about.write_string(row, 0, _("Sheet"), cells.bold)
    about.write_string(row, 1, _("Figure"), cells.bold)
    for offset, (name, sheet) in enumerate(zip(names[1:], found, strict=True), start=1):
        about.write_string(row + offset, 0, name)
        about.write_string(row + offset, 1, sheet.title)
    for name, sheet in zip(names[1:], found, strict=True):
        worksheet = book.add_worksheet(name)
        worksheet.set_column(0, 0, 32)
        worksheet.set_column(1, len(sheet.columns), 14)
        worksheet.write_string(0, 0, str(sheet.first), cells.bold)
        for column, (_key, label) in enumerate(sheet.columns, start=1):
            worksheet.write_string(0, column, str(label), cells.bold)
        for row_number, (_key, label, values) in enumerate(sheet.rows, start=1):
            worksheet.write_string(row_number, 0, str(label))
            for column, (key, _label) in enumerate(sheet.columns, start=1):
                cells.write(worksheet, row_number, column, values.get(key))
        worksheet.freeze_panes(1, 1)
    book.close()


def figures_xlsx_file(board: Dashboard, *, title: str, per_project: bool = True):
    """The workbook in a temporary file, rewound (it removes itself when closed)."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    figures_xlsx(board, handle, title=title, per_project=per_project)
    handle.seek(0)
    return handle


__all__ = ["Sheet", "csv_lines", "figures_csv", "figures_xlsx", "figures_xlsx_file", "sheets", "text"]
