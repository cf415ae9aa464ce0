"""Reads for communication's pages and API, scoped first, in a fixed number of queries."""

from django.db.models import Count, Q

from communication import content
from communication.models import Campaign, LetterBatch, Message, MessageStatus, Template, TemplateKey
from communication.permissions import can_read_message_counts, messages_visible_to, speaking_projects
from communication.placeholders import VARIABLES
from communication.placeholders import names_in as placeholders_in
from projects.models import Channel
from projects.permissions import can_see_contacts, is_platform_admin, project_roles


def campaigns_visible_to(user):
    """Campaigns of the projects where the user speaks, and the user's own party's (dispersed)."""
    if not user.is_authenticated or user.in_field_only:
        return Campaign.objects.none()
    if is_platform_admin(user):
        return Campaign.objects.all()
    from projects.models import Role

    roles = project_roles(user)
    full = [p for p, held in roles.items() if held & {Role.LEAD, Role.COMMUNICATING_PARTY, Role.HEAT_COMPANY}]
    return Campaign.objects.filter(
        Q(project_id__in=full)
        | Q(project_id__in=speaking_projects(user), organisation_id=user.organisation_id)
    )


def letter_batches_visible_to(user):
    return LetterBatch.objects.filter(project_id__in=speaking_projects(user))


def template_rows(project):
    """Each step with its Dutch and English texts: the project's own or the starter text."""
    saved = {}
    for template in Template.objects.filter(project=project).exclude(key=TemplateKey.CUSTOM):
        saved[(template.key, template.language)] = template
    rows = []
    for key, label in TemplateKey.choices:
        if key == TemplateKey.CUSTOM:
            continue
        rows.append(
            {
                "key": key,
                "label": label,
                "languages": [(lang, saved.get((key, lang))) for lang in ("nl", "en")],
            }
        )
    return rows


def variable_rows():
    return [(f"(({name}))", label) for name, label in VARIABLES.items()]


def preview_dwelling(user, project, dwelling_id):
    """A real home of the project to preview with (the chosen one, or the first), in the user's reach."""
    from communication.permissions import recipients_dwellings

    homes = (
        recipients_dwellings(user, project)
        .prefetch_related("contacts")
        .order_by("street", "house_number", "pk")
    )
    if dwelling_id and str(dwelling_id).isdigit():
        return homes.filter(pk=int(dwelling_id)).first()
    return homes.filter(contacts__isnull=False).first()


def previews(project, texts, dwelling):
    """The texts as this home's first person would get them, per channel."""
    context = content.ProjectContext(project)
    contact = dwelling.contacts.all()[0] if dwelling.contacts.all() else None
    rows = []
    for channel, label in Channel.choices:
        subject, body = context.render(texts, channel, dwelling, contact)
        rows.append({"channel": channel, "label": label, "subject": subject, "body": body})
    return rows


def campaign_previews(campaign, planned):
    """A preview per channel and language that the campaign will use, with a real recipient of each."""
    from communication.services.campaigns import texts_for

    texts = texts_for(campaign.project, campaign.template, campaign.template_key)
    context = content.ProjectContext(campaign.project)
    seen, rows = set(), []
    for contact, route in planned.rows:
        language = contact.language if contact.language in texts else "nl"
        if (route.channel, language) in seen:
            continue
        seen.add((route.channel, language))
        subject, body = context.render(texts[language], route.channel, contact.dwelling, contact)
        rows.append(
            {
                "channel": route.channel,
                "label": Channel(route.channel).label,
                "language": language,
                "subject": subject,
                "body": body,
                "to": contact.name,
            }
        )
    return sorted(rows, key=lambda row: (row["channel"], row["language"]))


def may_read_people(user, dwelling) -> bool:
    return can_see_contacts(user, dwelling)


def project_counts(user, project) -> dict | None:
    """Messages of the project per channel and status: counts only, for every party of the project."""
    if not can_read_message_counts(user, project):
        return None
    rows = (
        Message.objects.filter(project=project)
        .values("channel")
        .annotate(
            total=Count("pk"),
            delivered=Count("pk", filter=Q(status=MessageStatus.DELIVERED)),
            failed=Count(
                "pk",
                filter=Q(
                    status__in=[
                        MessageStatus.FAILED_PERMANENT,
                        MessageStatus.FAILED_TEMPORARY,
                        MessageStatus.BOUNCED,
                    ]
                ),
            ),
        )
        .order_by("channel")
    )
    return {row["channel"]: row for row in rows}


def dwelling_messages(user, dwelling):
    return (
        messages_visible_to(user)
        .filter(dwelling=dwelling)
        .select_related("contact")
        .order_by("created_at", "pk")
    )


def people_message_rows(user, dwelling) -> list[dict] | None:
    """Each person of the home with their number of messages and the last one, in two queries; None
    for a viewer who may not read the people's messages."""
    from projects.models import Contact

    if not may_read_people(user, dwelling):
        return None
    visible = messages_visible_to(user).filter(dwelling=dwelling)
    last: dict[int, Message] = {}
    counts: dict[int, int] = {}
    for message in visible.filter(contact__isnull=False).order_by("created_at", "pk"):
        counts[message.contact_id] = counts.get(message.contact_id, 0) + 1
        last[message.contact_id] = message
    return [
        {"contact": contact, "count": counts.get(contact.pk, 0), "last": last.get(contact.pk)}
        for contact in Contact.objects.filter(dwelling=dwelling).order_by("role", "name", "pk")
    ]


# Variables whose value comes from the home; a home without it gets an empty place in the text.
HOME_VALUES = {
    "appointment_date": "survey_appointment_at",
    "appointment_time": "survey_appointment_at",
    "installation_date": "installation_planned_on",
}
SETTING_VALUES = {"contact_phone": "contact_phone", "contact_email": "contact_email"}


def campaign_gaps(campaign, planned) -> list[dict]:
    """The template's variables that would stay empty: per variable, how many of the chosen homes have
    no value for it (a survey invitation to homes without a visit), or that the project's settings lack."""
    from communication.services.campaigns import texts_for

    texts = texts_for(campaign.project, campaign.template, campaign.template_key)
    used = set()
    for language_texts in texts.values():
        for channel in Channel.values:
            for text in language_texts.for_channel(channel):
                used.update(placeholders_in(text))
    homes = {contact.dwelling.pk: contact.dwelling for contact, _route in planned.rows}
    gaps = []
    for name in sorted(used):
        if name in HOME_VALUES:
            missing = sum(1 for home in homes.values() if getattr(home, HOME_VALUES[name]) is None)
            if missing:
                gaps.append({"variable": name, "missing": missing, "homes": len(homes)})
        elif (
            name in SETTING_VALUES
            and homes
            and not getattr(content.settings_for(campaign.project), SETTING_VALUES[name])
        ):
            gaps.append({"variable": name, "missing": len(homes), "homes": len(homes), "setting": True})
    return gaps
