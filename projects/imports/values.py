"""The values of a register file: each column's text checked and turned into what the model stores.

Every parser takes the stripped text of a cell and returns the value, or raises ``Invalid`` with a
translated reason. Nothing here queries the database; the rules that look at more than one column or
at the register are in ``importer`` and ``matching``.
"""

import functools
import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.models import ENERGY_LABELS, Channel, ContactRole, DwellingType, Ownership

from . import parsing


class Invalid(Exception):
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
            raise Invalid(_("This field is required."))
        if len(raw) > max_length:
            raise Invalid(_("At most %(max)d characters.") % {"max": max_length})
        return raw

    return parse


def _postcode(raw: str) -> str:
    compact = raw.replace(" ", "").replace("\u00a0", "").upper()
    if not _POSTCODE.fullmatch(compact):
        raise Invalid(_("Enter a postcode like 1234 AB."))
    return f"{compact[:4]} {compact[4:]}"


def _house_number(raw: str) -> int:
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= 99999:
        raise Invalid(
            _("Enter a whole number from 1 to 99999; a letter or an addition goes in its own column.")
        )
    return int(raw)


def _house_letter(raw: str) -> str:
    if raw and not _LETTER.fullmatch(raw):
        raise Invalid(_("A house letter is one letter, A to Z."))
    return raw.upper()


def _addition(raw: str) -> str:
    raw = raw.lstrip("-").strip()
    if raw and not _ADDITION.fullmatch(raw):
        raise Invalid(_("An addition has at most 4 letters or digits."))
    return raw


def _bag_id(raw: str) -> str:
    compact = raw.replace(" ", "")
    if compact and not _BAG_ID.fullmatch(compact):
        if _DIGITS.fullmatch(compact) and len(compact) < 16:
            raise Invalid(
                _(
                    "A BAG object id has 16 digits, this one %(count)d: a spreadsheet may have dropped "
                    "leading zeros (format the column as text)."
                )
                % {"count": len(compact)}
            )
        raise Invalid(_("A BAG object id has 16 digits."))
    return compact


def _choice(words: dict[str, str], message: str, *, blank: bool = False):
    def parse(raw: str) -> str:
        if blank and not raw:
            return ""
        code = words.get(_word(raw))
        if code is None:
            raise Invalid(message)
        return code

    return parse


def _year(latest: int):
    def parse(raw: str) -> int | None:
        if not raw:
            return None
        if not _DIGITS.fullmatch(raw) or not 1000 <= int(raw) <= latest:
            raise Invalid(_("Enter a build year from 1000 to %(latest)d.") % {"latest": latest})
        return int(raw)

    return parse


def _energy_label(raw: str) -> str:
    label = raw.replace(" ", "").upper()
    if label and label not in LABELS:
        raise Invalid(_("Use an energy label from A++++ to G."))
    return label


def _floor_area(raw: str) -> int | None:
    raw = raw.casefold().removesuffix("m²").removesuffix("m2").strip()
    if not raw:
        return None
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= 99999:
        raise Invalid(_("Enter the floor area in whole square metres, from 1 to 99999."))
    return int(raw)


def _boolean(raw: str) -> bool:
    word = raw.casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise Invalid(_("Use ja or nee."))


def _email(raw: str) -> str:
    if raw:
        try:
            validate_email(raw)
        except ValidationError as exc:
            raise Invalid(_("Enter a valid e-mail address.")) from exc
        if len(raw) > 254:
            raise Invalid(_("At most %(max)d characters.") % {"max": 254})
    return raw


def _phone(raw: str) -> str:
    if raw and (len(raw) > 32 or not _PHONE.fullmatch(raw) or not _SIX_DIGITS.match(raw)):
        raise Invalid(_("Enter a phone number like 06 12345678 or +31 20 1234567."))
    return raw


def _language(raw: str) -> str:
    word = raw.casefold()
    code = LANGUAGE_WORDS.get(word, word)
    if code and (len(code) > 8 or not _LANGUAGE.fullmatch(code)):
        raise Invalid(_("Enter a language code like nl or en."))
    return code


def parsers() -> dict[str, Callable[[str], object]]:
    """Per canonical column: text in, value out, or ``Invalid`` with a translated reason.

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
