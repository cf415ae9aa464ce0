"""The demo's monthly progress reports: this month's, for every project's lead party, every programme
and every municipality, made as the first of the month makes them (``progress.reports.reports_monthly``),
so that the municipality, which only reads, finds one to download under *Monthly reports*.

Running the demo again makes nothing new: each scope has one report per month."""

from progress.reports import reports_monthly


def progress_demo() -> int:
    """The reports sent to be made now (none when this month's are there already)."""
    return len(reports_monthly())
