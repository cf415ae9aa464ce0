"""The values of a figure's cells, as every page, export, report and the API receive them.

A cell is a number, ``None`` (nothing to show: no data), or ``Suppressed``: a count too small to show
to someone who sees aggregates only (``settings.PROGRESS_SMALL_CELL``), or one hidden so that a total
minus the other cells cannot reveal it (secondary suppression). ``aggregates.py`` decides which cells
are suppressed; nothing else does.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Suppressed:
    """A hidden count: shown as "< 10" (``below`` is the threshold), whatever its true value."""

    below: int

    def __str__(self) -> str:
        return f"< {self.below}"

    @property
    def label(self) -> str:
        return str(self)

    @property
    def explanation(self):
        return _("fewer than %(count)d, or hidden so that a total does not reveal a small group") % {
            "count": self.below
        }


def is_suppressed(value) -> bool:
    return isinstance(value, Suppressed)


def number(value, default=0):
    """The value as a number for drawing (a suppressed or empty cell draws as ``default``)."""
    if value is None or isinstance(value, Suppressed):
        return default
    return value
