"""What an import reports: its counts, its wrong rows, and per home what it changed."""

from dataclasses import dataclass, field

from .changes import HomeChange

# The job keeps this many errors and changed homes for its page; the rejects file, the command line
# and the CSV of the changes have all of them.
MAX_STORED_ERRORS = 1000
MAX_STORED_CHANGES = 1000


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
    changes: list[HomeChange] = field(default_factory=list)  # every updated home, in file order
    refused_agreed: int = 0  # rows refused because they would change a home that has agreed
    update_agreed: bool = False  # homes that have agreed or are further along may be updated

    def as_dict(self, max_errors: int = MAX_STORED_ERRORS, max_changes: int = MAX_STORED_CHANGES) -> dict:
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
            "changes": [home.as_dict() for home in self.changes[:max_changes]],
            "refused_agreed": self.refused_agreed,
            "update_agreed": self.update_agreed,
        }

    def home_changes(self) -> list[dict]:
        """Every updated home as ``HomeChange.as_dict()``, for the command line and the CSV file."""
        return [home.as_dict() for home in self.changes]
