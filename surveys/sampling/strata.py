"""What services and selectors of the sample share: which dwellings count, their order, a label."""

from projects.models import DwellingType
from projects.states import DwellingState

# At least this many dwellings per stratum (all of them in a smaller one). The page lets the lead
# party choose another number per proposal; a project-wide choice would belong in settings or on
# the governance.
DEFAULT_PER_STRATUM = 3
MAX_PER_STRATUM = 50

# Out of scope: never counted in a stratum, never in the sample.
EXCLUDED_STATES = (DwellingState.WITHDRAWN,)
# Not proposed: the owner said no, so a visit is unlikely; the lead party may still mark one by hand.
NOT_PROPOSED_STATES = (DwellingState.DECLINED, DwellingState.WITHDRAWN)

ADDRESS_ORDER = ("street", "house_number", "house_letter", "house_number_addition", "pk")
ADDRESS_FIELDS = ("pk", "street", "house_number", "house_letter", "house_number_addition", "postcode", "city")


def address_of(row: dict) -> str:
    """Street and house number of a ``values()`` row with the ``ADDRESS_FIELDS``."""
    number = f"{row['house_number']}{row['house_letter']}"
    if row["house_number_addition"]:
        number = f"{number}-{row['house_number_addition']}"
    return f"{row['street']} {number}"


def type_order(dwelling_type: str) -> int:
    """Dwelling types in the order of their choices; an unknown one last."""
    try:
        return DwellingType.values.index(dwelling_type)
    except ValueError:
        return len(DwellingType.values)


def type_label(dwelling_type: str) -> str:
    return str(dict(DwellingType.choices).get(dwelling_type, dwelling_type))
