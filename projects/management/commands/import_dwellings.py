from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from projects.imports import changes
from projects.imports.services import BATCH_SIZE, ImportFileError, import_dwellings
from projects.models import Project, User

# Exit statuses: 0 all rows imported, 1 nothing imported, 2 imported with wrong rows skipped.
PARTLY_IMPORTED = 2
# Without --verbose, this many changed homes are listed, one line each.
COMPACT_HOMES = 20


class Command(BaseCommand):
    help = (
        "Import dwellings into a project's register from a CSV or XLSX file (format: docs/IMPORT.md). "
        "By default nothing is imported if any row is wrong; every wrong row is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV or XLSX file.")
        parser.add_argument("--project", required=True, help="The project's slug.")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the good rows and write the wrong ones to a rejects file (exit status 2).",
        )
        parser.add_argument(
            "--rejects",
            metavar="PATH",
            help="Where to write the rejected rows (default: next to the file, as NAME-rejects.csv).",
        )
        parser.add_argument(
            "--user",
            metavar="EMAIL",
            help="Import as this user, who must be of the project's lead party (default: as the operator).",
        )
        parser.add_argument(
            "--update-agreed",
            action="store_true",
            help=(
                "Also update homes that have already agreed or are further along; without it, rows that "
                "would change them are refused like wrong rows."
            ),
        )
        parser.add_argument(
            "--verbose",
            action="store_true",
            help="List every changed home with each change from old to new (default: a short list).",
        )
        parser.add_argument(
            "--changes",
            metavar="PATH",
            help="Write every change to this CSV file (one line per changed value).",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Rows per database batch.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"No project with the slug {options['project']!r}.")
        actor = None
        if options["user"]:
            actor = User.objects.filter(email__iexact=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user {options['user']!r}.")
        try:
            result = import_dwellings(
                actor=actor,
                project=project,
                rows_source=path,
                skip_invalid=options["skip_invalid"],
                update_agreed=options["update_agreed"],
                progress=None,
                batch_size=options["batch_size"],
            )
        except (ImportFileError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc

        if result.ignored_columns:
            self.stderr.write(f"Columns not read: {', '.join(result.ignored_columns)}")
        if result.errors:
            self.stderr.write(self._table(result.errors))
        if result.refused_agreed:
            self.stderr.write(
                f"{result.refused_agreed} rows would change homes that have already agreed or are further "
                "along and were refused; if those changes are right, import again with --update-agreed."
            )
        if not result.imported:
            raise CommandError(
                f"{result.rejected} of {result.rows} rows are wrong ({len(result.errors)} errors); "
                "nothing was imported."
            )
        self.stdout.write(
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )
        homes = result.home_changes()
        if homes and options["verbosity"] > 0:
            self._changes(homes, verbose=options["verbose"])
        if options["changes"]:
            with open(options["changes"], "wb") as file:
                file.writelines(changes.changes_csv(homes))
        if result.rejects_csv is not None:
            rejects = (
                Path(options["rejects"]) if options["rejects"] else path.with_name(f"{path.stem}-rejects.csv")
            )
            rejects.write_bytes(result.rejects_csv)
            raise CommandError(
                f"Wrong rows skipped: {result.rejected}; they are in {rejects}. "
                "Correct them there (the column “fout” says what is wrong) and import that file.",
                returncode=PARTLY_IMPORTED,
            )

    def _changes(self, homes: list[dict], *, verbose: bool) -> None:
        """What changed per home: every value from old to new, or one line per home."""
        shown = homes if verbose else homes[:COMPACT_HOMES]
        for home in shown:
            if not verbose:
                self.stdout.write(f"  {changes.home_summary(home)}")
                continue
            self.stdout.write(f"  {home['address']}")
            for line in changes.home_lines(home):
                who = f"{line.who} {line.change}: " if line.person else ""
                value = line.new if line.hidden else f"{line.old} → {line.new}"
                self.stdout.write(f"    {who}{line.field}: {value}")
        if len(homes) > len(shown):
            self.stdout.write(
                f"  … and {len(homes) - len(shown)} more changed homes: --verbose lists them all, "
                "--changes PATH writes every change to a CSV file."
            )

    @staticmethod
    def _table(errors) -> str:
        """The wrong rows as an aligned table: line, column, value, reason."""
        header = ("line", "column", "value", "reason")
        rows = [(str(e.line), e.column or "-", _short(e.value), e.reason) for e in errors]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        lines = []
        for row in [header, *rows]:
            lines.append(
                "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
                + "  "
                + row[3]
            )
        return "\n".join(lines)


def _short(value: str, limit: int = 40) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"
