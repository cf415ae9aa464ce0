"""The placeholder syntax of message templates: ``((name))``, as GOV.UK Notify writes it.

Nothing in a template runs: a placeholder is replaced by text, and a template that names a variable
outside the fixed set below cannot be saved.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

PLACEHOLDER = re.compile(r"\(\(\s*([^()]*?)\s*\)\)")

VARIABLES = {
    "name": _("the person's name"),
    "address": _("street and house number"),
    "postcode": _("postcode"),
    "city": _("city"),
    "project": _("the project's name"),
    "appointment_date": _("date of the survey visit"),
    "appointment_time": _("time of the survey visit"),
    "installation_date": _("date of the installation"),
    "portal_link": _("the person's link to their home's page"),
    "contact_name": _("the contact point's name"),
    "contact_phone": _("the contact point's phone"),
    "contact_email": _("the contact point's e-mail"),
    "sender": _("the communicating party"),
    "answer": _("the answer to the person's question (answer only)"),
    "code": _("the one-time code (one-time code only)"),
    "meeting_title": _("the meeting's title (invitation to a meeting only)"),
    "meeting_date": _("the meeting's date (invitation to a meeting only)"),
    "meeting_time": _("the meeting's starting time (invitation to a meeting only)"),
    "meeting_place": _("where the meeting is (invitation to a meeting only)"),
}


def names_in(text: str) -> list[str]:
    return [match.group(1) for match in PLACEHOLDER.finditer(text or "")]


# Variables that belong to one template only: a one-time code made for every recipient of a campaign
# would send each of them a real code, and an answer exists only for the person who asked.
ONLY_IN = {"code": "one_time_code", "answer": "answer"}


ANY_KEY = object()


def check(text: str, key=ANY_KEY) -> None:
    """Refuse a text with a placeholder outside the fixed set, one of another template's (when the
    template's ``key`` is given), or one left open."""
    misplaced = sorted(
        {name for name in names_in(text) if key is not ANY_KEY and name in ONLY_IN and ONLY_IN[name] != key}
    )
    if misplaced:
        raise ValidationError(
            _("%(names)s belongs to another kind of message and cannot be used here.")
            % {"names": ", ".join(f"(({name}))" for name in misplaced)},
            code="misplaced_variable",
        )
    unknown = sorted({name for name in names_in(text) if name not in VARIABLES})
    if unknown:
        raise ValidationError(
            ngettext(
                "Unknown variable %(names)s. Use one of: %(known)s.",
                "Unknown variables %(names)s. Use one of: %(known)s.",
                len(unknown),
            )
            % {
                "names": ", ".join(f"(({name}))" for name in unknown),
                "known": ", ".join(f"(({name}))" for name in VARIABLES),
            },
            code="unknown_variable",
        )
    if "((" in PLACEHOLDER.sub("", text or ""):
        raise ValidationError(
            _("A placeholder is not closed: write it as ((name))."), code="unclosed_placeholder"
        )


def render(text: str, values: dict[str, str]) -> str:
    """Replace each placeholder by its value as plain text; a variable without a value becomes empty."""
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), "") or ""), text or "")
