"""Which channel a message takes to one person, and why.

The person's preferred channel, unless it is missing, opted out of or bounced before: then the letter,
and the reason shows in the message's record. An opt-out is respected: a message that must reach the
person (an appointment) then goes by letter, any other is not sent. A home marked extra care always
gets a letter too, beside any other channel.
"""

from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext as _

from communication.models import Fallback
from projects.models import Channel


@dataclass(frozen=True)
class Route:
    channel: str
    address: str
    why: str = ""  # a Fallback, empty when this is the person's own choice


def normalise_phone(raw: str, region: str = "NL") -> str | None:
    """The number in E.164 (+31612345678), or None when it is not a valid number."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def postal_address(dwelling, name: str) -> str:
    street = f"{dwelling.street} {dwelling.house_number_full}"
    return f"{name}\n{street}\n{dwelling.postcode}  {dwelling.city.upper()}"


def routes(contact, dwelling, *, must_send: bool, bounced: bool = False) -> tuple[list[Route], str]:
    """The channels for this person, and the reason when there is none."""
    letter = postal_address(dwelling, contact.name)
    preferred = contact.preferred_channel
    chosen: list[Route] = []
    skipped = ""
    if preferred == Channel.EMAIL:
        if contact.email_opt_out:
            if must_send:
                chosen.append(Route(Channel.LETTER, letter, Fallback.EMAIL_OPT_OUT))
            else:
                skipped = _("opted out of e-mail")
        elif not contact.email:
            chosen.append(Route(Channel.LETTER, letter, Fallback.NO_EMAIL))
        elif bounced:
            chosen.append(Route(Channel.LETTER, letter, Fallback.BOUNCED))
        else:
            chosen.append(Route(Channel.EMAIL, contact.email))
    elif preferred == Channel.SMS:
        phone = normalise_phone(contact.phone)
        if contact.sms_opt_out:
            if must_send:
                chosen.append(Route(Channel.LETTER, letter, Fallback.SMS_OPT_OUT))
            else:
                skipped = _("opted out of SMS")
        elif phone is None:
            chosen.append(Route(Channel.LETTER, letter, Fallback.NO_MOBILE))
        else:
            chosen.append(Route(Channel.SMS, phone))
    else:
        chosen.append(Route(Channel.LETTER, letter))
    if dwelling.extra_care and not any(route.channel == Channel.LETTER for route in chosen):
        chosen.append(Route(Channel.LETTER, letter, Fallback.EXTRA_CARE))
    return chosen, skipped
