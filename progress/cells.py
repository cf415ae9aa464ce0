"""The values of a figure's cells, as every page, export, report and the API receive them.

A cell is a number, ``None`` (nothing to show: no data), or ``Suppressed``: a count too small to show
to someone who sees aggregates only (``settings.PROGRESS_SMALL_CELL``), shown as "< 10"; or a value
hidden so that it cannot reveal one (a cell a total would give away, a share or median of a small
group), shown as "x". ``aggregates.py`` decides which cells
are suppressed; nothing else does.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

HIDDEN = "x"


@dataclass(frozen=True)
class Suppressed:
    """A hidden value. ``small``: a count below the threshold (``below``), shown as "< 10" whatever its
    true value. Otherwise a value hidden so that it cannot reveal a small group: a count that a total
    minus the other cells would give away (secondary suppression), or a share or median of a small
    group; shown as "x", since "< 10" would not be true of it."""

    below: int
    small: bool = True

    def __str__(self) -> str:
        return f"< {self.below}" if self.small else HIDDEN

    @property
    def label(self) -> str:
        return str(self)

    @property
    def explanation(self):
        if self.small:
            return _("fewer than %(count)d") % {"count": self.below}
        return _("hidden, so that it cannot reveal a group of fewer than %(count)d") % {"count": self.below}


def is_suppressed(value) -> bool:
    return isinstance(value, Suppressed)


def number(value, default=0):
    """The value as a number for drawing (a suppressed or empty cell draws as ``default``)."""
    if value is None or isinstance(value, Suppressed):
        return default
    return value
