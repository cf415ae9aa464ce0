"""What a message says: the project's template for a step (or the starter text) and the values of its
placeholders for one person of one dwelling."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import formats, timezone, translation

from communication import placeholders
from communication.models import CommunicationSettings, Template, TemplateKey
from communication.starter import STARTER
from projects.models import Participation, Project, Role

CHANNEL_FIELDS = {
    "email": ("email_subject", "email_body"),
    "sms": (None, "sms_body"),
    "letter": (None, "letter_body"),
}


@dataclass(frozen=True)
class Texts:
    """The texts of one step in one language: a saved template, or the starter text."""

    key: str
    language: str
    name: str
    email_subject: str
    email_body: str
    sms_body: str
    letter_body: str
    template: Template | None = None

    @property
    def approved(self) -> bool:
        return self.template is None or self.template.approved

    def for_channel(self, channel: str) -> tuple[str, str]:
        subject_field, body_field = CHANNEL_FIELDS[channel]
        subject = getattr(self, subject_field) if subject_field else ""
        if channel == "letter":
            subject = self.email_subject
        return subject, getattr(self, body_field)


def starter_texts(key: str, language: str) -> Texts:
    texts = STARTER[key][language if language in STARTER[key] else "nl"]
    return Texts(key=key, language=language, name=str(TemplateKey(key).label), **texts)


def from_template(template: Template) -> Texts:
    return Texts(
        key=template.key,
        language=template.language,
        name=template.name,
        email_subject=template.email_subject,
        email_body=template.email_body,
        sms_body=template.sms_body,
        letter_body=template.letter_body,
        template=template,
    )


def project_texts(project: Project, key: str) -> dict[str, Texts]:
    """The texts of a step per language, in one query."""
    saved = {t.language: t for t in Template.objects.filter(project=project, key=key).exclude(key="custom")}
    return {
        language: from_template(saved[language]) if language in saved else starter_texts(key, language)
        for language in ("nl", "en")
    }


def settings_for(project: Project) -> CommunicationSettings:
    """The project's communication settings; unsaved defaults until someone saves them."""
    try:
        return project.communication_settings
    except CommunicationSettings.DoesNotExist:
        return CommunicationSettings(project=project)


def sender_name(project: Project) -> str:
    party = (
        Participation.objects.filter(project=project, role=Role.COMMUNICATING_PARTY)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    if party is None:
        party = (
            Participation.objects.filter(project=project, role=Role.LEAD)
            .select_related("organisation")
            .order_by("pk")
            .first()
        )
    return str(party.organisation) if party else str(project)


# Secrets in messages: the personal link and a one-time code. The stored text of a message holds a
# mask in their place; the value is made only as the message is sent (``personalise``), so no code is
# ever kept in clear. The resident portal registers the makers.
_secrets: dict[str, tuple] = {}


def register_secret(name: str, mask, maker) -> None:
    """``mask() -> str`` marks the place in the stored text; ``maker(dwelling, contact) -> str`` makes
    the value as the message leaves."""
    _secrets[name] = (mask, maker)


def link_mask() -> str:
    return settings.PUBLIC_URL.rstrip("/") + "/r/…/"


def portal_link(dwelling, contact) -> str:
    """What the stored text says where the person's link goes: the mask, or the site's root when no
    portal is installed."""
    if "portal_link" not in _secrets or contact is None:
        return settings.PUBLIC_URL.rstrip("/") + "/"
    return link_mask()


def secret_masks(contact, key: str | None = None) -> dict[str, str]:
    """The masks of the secrets other than the link, for the one template each belongs to."""
    if contact is None:
        return {}
    return {
        name: mask()
        for name, (mask, _maker) in _secrets.items()
        if name != "portal_link" and placeholders.ONLY_IN.get(name) == key
    }


def has_secret(text: str) -> bool:
    return bool(text) and any(mask() in text for mask, _maker in _secrets.values())


def make_secret(name: str, dwelling, contact) -> str | None:
    """A new value of one secret (the personal link for a letter's QR code), or None without a maker."""
    if name not in _secrets or contact is None:
        return None
    return _secrets[name][1](dwelling, contact)


def personalise(text: str, dwelling, contact) -> str:
    """The text as it leaves: each mask replaced by a value made now (one per message and secret)."""
    return personalise_all([text], dwelling, contact)[0]


def personalise_all(texts: list[str], dwelling, contact) -> list[str]:
    """The texts of one message (subject and body) as they leave: one value per secret for all of them,
    so the code in the subject is the code in the body."""
    if contact is None:
        return texts
    for mask, maker in _secrets.values():
        shown = mask()
        if any(shown in (text or "") for text in texts):
            value = maker(dwelling, contact)
            texts = [(text or "").replace(shown, value) for text in texts]
    return texts


class ProjectContext:
    """What every message of a project shares: read once per campaign or task."""

    def __init__(self, project: Project):
        self.project = project
        self.settings = settings_for(project)
        self.sender = sender_name(project)

    def values(
        self, dwelling, contact, language: str, extra: dict | None = None, key: str | None = None
    ) -> dict[str, str]:
        with translation.override(language):
            appointment = dwelling.survey_appointment_at
            if appointment is not None:
                appointment = timezone.localtime(appointment)
            return {
                "name": contact.name if contact else "",
                "address": f"{dwelling.street} {dwelling.house_number_full}",
                "postcode": dwelling.postcode,
                "city": dwelling.city,
                "project": self.project.name,
                "appointment_date": formats.date_format(appointment, "l j F Y") if appointment else "",
                "appointment_time": formats.time_format(appointment, "H:i") if appointment else "",
                "installation_date": (
                    formats.date_format(dwelling.installation_planned_on, "l j F Y")
                    if dwelling.installation_planned_on
                    else ""
                ),
                "portal_link": portal_link(dwelling, contact),
                "contact_name": self.settings.contact_name or self.sender,
                "contact_phone": self.settings.contact_phone,
                "contact_email": self.settings.contact_email,
                "sender": self.sender,
                **secret_masks(contact, key),
                **(extra or {}),
            }

    def render(self, texts: Texts, channel: str, dwelling, contact, extra=None) -> tuple[str, str]:
        values = self.values(dwelling, contact, texts.language, extra, texts.key)
        subject, body = texts.for_channel(channel)
        return placeholders.render(subject, values), placeholders.render(body, values)
