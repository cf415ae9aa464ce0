"""Matching a row to a dwelling of the register, and what makes a match a conflict.

A row matches the dwelling with the same address as the BAG has it: postcode, house number, house
letter and addition (letter and addition in any case). In the BAG that combination is one address, in
one street and one place (woonplaats). So a row that matches on it but names another street or place,
or another BAG object id, does not describe that dwelling: the file or the register is wrong, and the
import reports the row instead of overwriting the dwelling with another home's data.

Names are compared as people write them: case, accents, spaces, hyphens, apostrophes and dots do not
count (``'s-Gravendijkwal`` is ``S Gravendijkwal``), and a word written with a dot stands for a word
that starts with it (``Burg. de Withstraat``, ``Dorpsstr.``, ``J.P. Coenstraat``). Abbreviations
without a dot (``Dorpsstr``) and ones that are no beginning of the word (``Mr.`` for ``Meester``) are
not guessed at: they are reported, and the file is corrected. The register keeps its own spelling: an
import never renames the street or the place of a dwelling it matches.

A dwelling that has agreed or is further along (agreed, assigned, installation planned, installed,
connected, or on hold in one of those) is changed only when the import is asked to: its data were the
ground of a signed agreement and of the work that follows.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from projects.states import MAIN_PATH, DwellingState

AGREED_OR_FURTHER = frozenset(MAIN_PATH[MAIN_PATH.index(DwellingState.AGREED) :])


@dataclass(slots=True)
class Existing:
    """A dwelling of the register as the import compares it, read in one query."""

    pk: int
    address: tuple  # postcode, number, letter, addition as the register has them
    street: str
    city: str
    bag_id: str
    state: str
    held_state: str
    values: tuple  # the plan's fields, in its order

    def text(self) -> str:
        return address_text(self.street, self.address, self.city)

    def has_agreed(self) -> bool:
        """Agreed or further along, also while on hold in such a state (it resumes there)."""
        return self.state in AGREED_OR_FURTHER or (
            self.state == DwellingState.ON_HOLD and self.held_state in AGREED_OR_FURTHER
        )

    def state_label(self) -> str:
        label = DwellingState(self.state).label
        if self.state == DwellingState.ON_HOLD and self.held_state:
            return f"{label}: {DwellingState(self.held_state).label}"
        return str(label)


def address_text(street: str, address: tuple, city: str) -> str:
    """``Lindelaan 7a-bis, 1437 CA Amstelhoven``: an address as a person reads it."""
    postcode, number, letter, addition = address
    house = f"{number}{letter}{'-' + addition if addition else ''}"
    return f"{street} {house}, {postcode} {city}".strip(", ")


_NOT_A_WORD = re.compile(r"[^\w.]+")


def _words(name: str) -> tuple[str, ...]:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return tuple(_NOT_A_WORD.sub(" ", plain).replace(".", ". ").split())


def same_name(first: str, second: str) -> bool:
    """Whether two spellings name the same street or place (see the module's docstring)."""
    if first == second:
        return True
    a, b = _words(first), _words(second)
    if "".join(word.rstrip(".") for word in a) == "".join(word.rstrip(".") for word in b):
        return True
    if len(a) != len(b) or not any(word.endswith(".") for word in (*a, *b)):
        return False
    return all(_same_word(x, y) for x, y in zip(a, b, strict=True))


def _same_word(x: str, y: str) -> bool:
    if x.endswith(".") and len(x) > 1:
        return y.rstrip(".").startswith(x[:-1])
    if y.endswith(".") and len(y) > 1:
        return x.startswith(y[:-1])
    return x == y


# The reasons a matched row is refused. Each says what the register has, so the user can decide which
# side is wrong.


def street_conflict(existing: Existing) -> str:
    return _(
        "In the register this postcode and house number are “%(address)s”, in another street. In the "
        "BAG that is one address: check the street, the postcode and the house number."
    ) % {"address": existing.text()}


def city_conflict(existing: Existing) -> str:
    return _(
        "In the register this address is “%(address)s”, in another place. In the BAG that is one "
        "address: write the place as the register does, or check the postcode and the house number."
    ) % {"address": existing.text()}


def bag_id_conflict(existing: Existing) -> str:
    return _(
        "In the register this address (%(address)s) has another BAG object id: %(bag_id)s. Check the "
        "BAG object id and the address."
    ) % {"address": existing.text(), "bag_id": existing.bag_id}


def agreed_refusal(existing: Existing, what: str) -> str:
    return _(
        "This home has already agreed or is further along (%(state)s); the file would change: "
        "%(changes)s. Choose to also update homes that have already agreed or are further along if "
        "that is right."
    ) % {"state": existing.state_label(), "changes": what}
