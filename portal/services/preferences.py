"""The resident's own choices: channel, language, opt-outs and the extra help they need.

Extra help marks the home as extra care (every party sees that flag, installers nothing more); what
help it is stays with the communicating party. Letters only sets the channel to letter.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from projects.models import Channel, Contact, Dwelling, ExtraHelp
from projects.residents import Resident


@transaction.atomic
def preferences_save(
    *, resident: Resident, channel: str, language: str, email_opt_out: bool, sms_opt_out: bool, extra_help
) -> Contact:
    contact = Contact.objects.select_for_update().get(pk=resident.contact.pk)
    help_chosen = sorted(set(extra_help or []))
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose how you want to hear from us.")
    if language not in ("nl", "en"):
        errors["language"] = _("Choose Dutch or English.")
    if any(value not in ExtraHelp.values for value in help_chosen):
        errors["extra_help"] = _("Choose from the list.")
    if ExtraHelp.LETTERS_ONLY in help_chosen:
        channel = Channel.LETTER
    if channel == Channel.EMAIL and not contact.email:
        errors["channel"] = _("We have no e-mail address of yours. Choose another way, or ask us to add it.")
    if channel == Channel.SMS and not contact.phone:
        errors["channel"] = _("We have no mobile number of yours. Choose another way, or ask us to add it.")
    if channel == Channel.EMAIL and email_opt_out:
        errors["email_opt_out"] = _("You chose e-mail: you cannot also say no to e-mail.")
    if channel == Channel.SMS and sms_opt_out:
        errors["sms_opt_out"] = _("You chose SMS: you cannot also say no to SMS.")
    if errors:
        raise ValidationError(errors)
    contact.preferred_channel = channel
    contact.language = language
    contact.email_opt_out = bool(email_opt_out)
    contact.sms_opt_out = bool(sms_opt_out)
    contact.extra_help = help_chosen
    contact.save(
        update_fields=["preferred_channel", "language", "email_opt_out", "sms_opt_out", "extra_help"]
    )
    if help_chosen:
        dwelling = Dwelling.objects.get(pk=contact.dwelling_id)
        if not dwelling.extra_care:
            dwelling.extra_care = True
            dwelling.save(update_fields=["extra_care"])  # saved, not updated: the history records it
    return contact
