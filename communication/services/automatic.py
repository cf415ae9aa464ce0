"""Automatic messages: a move of the workflow, or the day before an appointment, sends the project's
template for it to the owners, the residents or both.

They follow the workflow's *dwelling moved* event (after commit, so a move that failed sends nothing).
The message's trigger is the move's log row: a second delivery of the same event finds the rows made
already and sends nothing twice.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communication import content, routing
from communication.models import (
    AutomaticRule,
    CommunicationSettings,
    Message,
    MessageStatus,
    Recipients,
    automatic_keys,
)
from communication.permissions import can_speak
from communication.starter import DEFAULT_RULES, MUST_SEND
from projects.models import Channel, Contact, ContactRole, Dwelling, DwellingTransition

DAY_BEFORE_SURVEY = "day_before_survey"
DAY_BEFORE_INSTALLATION = "day_before_installation"
DAY_BEFORE = {
    DAY_BEFORE_SURVEY: gettext_lazy("the day before the survey visit"),
    DAY_BEFORE_INSTALLATION: gettext_lazy("the day before the installation"),
}


def trigger_label(trigger: str) -> str:
    from projects.workflow import MOVES

    if trigger in DAY_BEFORE:
        return str(DAY_BEFORE[trigger])
    move = MOVES.get(trigger)
    return str(move.done) if move else trigger


def trigger_choices():
    from projects.workflow import MOVES

    return [(name, str(move.done)) for name, move in MOVES.items()] + [
        (k, str(v)) for k, v in DAY_BEFORE.items()
    ]


@transaction.atomic
def settings_save(*, actor, project, values: dict, rules: dict[str, tuple[str, str]] | None = None):
    """Save the contact point, the template rule and the automatic messages (``rules``: trigger ->
    (template key, recipients); a trigger left out sends nothing)."""
    if not can_speak(actor, project):
        raise PermissionDenied(_("Only the communicating party and the lead party keep these settings."))
    current, _created = CommunicationSettings.objects.select_for_update().get_or_create(project=project)
    for field in ("contact_name", "contact_phone", "contact_email", "approved_templates_only", "automatic"):
        if field in values:
            setattr(current, field, values[field])
    current.full_clean()
    current.save()
    if rules is not None:
        valid = dict(trigger_choices())
        AutomaticRule.objects.filter(project=project).exclude(trigger__in=list(rules)).delete()
        for trigger, (template_key, recipients) in rules.items():
            if trigger not in valid or template_key not in automatic_keys():
                continue
            AutomaticRule.objects.update_or_create(
                project=project,
                trigger=trigger,
                defaults={"template_key": template_key, "recipients": recipients},
            )
    return current


def use_default_rules(*, actor, project):
    """Switch on the starter set of automatic messages."""
    return settings_save(
        actor=actor,
        project=project,
        values={"automatic": True},
        rules={trigger: (key, Recipients.BOTH) for trigger, key in DEFAULT_RULES.items()},
    )


def _roles(recipients: str) -> list[str]:
    return {
        Recipients.OWNERS: [ContactRole.OWNER],
        Recipients.RESIDENTS: [ContactRole.RESIDENT],
    }.get(recipients, [ContactRole.OWNER, ContactRole.RESIDENT])


def _messages(
    rule: AutomaticRule, dwelling: Dwelling, trigger: str, context, bounced: set[int]
) -> list[Message]:
    texts = content.project_texts(dwelling.project, rule.template_key)
    if content.settings_for(dwelling.project).approved_templates_only and not all(
        t.approved for t in texts.values()
    ):
        return []
    rows = []
    now = timezone.now()
    for contact in dwelling.contacts.all():
        if contact.role not in _roles(rule.recipients):
            continue
        chosen, _skipped = routing.routes(
            contact, dwelling, must_send=rule.template_key in MUST_SEND, bounced=contact.pk in bounced
        )
        language = contact.language if contact.language in texts else "nl"
        for route in chosen:
            subject, body = context.render(texts[language], route.channel, dwelling, contact)
            rows.append(
                Message(
                    project=dwelling.project,
                    dwelling=dwelling,
                    contact=contact,
                    recipient_name=contact.name,
                    trigger=trigger,
                    template_key=rule.template_key,
                    channel=route.channel,
                    language=language,
                    address=route.address,
                    subject=subject,
                    body=body,
                    fallback=route.why,
                    created_at=now,
                    status_changed_at=now,
                )
            )
    return rows


def _bounced(contact_ids) -> set[int]:
    return set(
        Message.objects.filter(
            contact_id__in=list(contact_ids), channel=Channel.EMAIL, status=MessageStatus.BOUNCED
        ).values_list("contact_id", flat=True)
    )


def _store(rows: list[Message]) -> list[int]:
    """Create the rows that do not exist yet; return the ids of the new e-mails and SMS to send."""
    if not rows:
        return []
    Message.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    triggers = {row.trigger for row in rows}
    fresh_after = min(row.created_at for row in rows)
    return list(
        Message.objects.filter(
            trigger__in=triggers,
            status=MessageStatus.QUEUED,
            channel__in=(Channel.EMAIL, Channel.SMS),
            created_at__gte=fresh_after,
        ).values_list("pk", flat=True)
    )


def messages_for_moves(log_ids: list[int]) -> list[int]:
    """The automatic messages of these moves (log rows); the ids of e-mails and SMS to send now."""
    # A move the resident made in the portal is confirmed by the portal itself, on their channel.
    logs = list(
        DwellingTransition.objects.filter(pk__in=log_ids, resident__isnull=True).select_related(
            "dwelling__project"
        )
    )
    project_ids = {log.dwelling.project_id for log in logs}
    active = set(
        CommunicationSettings.objects.filter(project_id__in=project_ids, automatic=True).values_list(
            "project_id", flat=True
        )
    )
    rules = {
        (rule.project_id, rule.trigger): rule for rule in AutomaticRule.objects.filter(project_id__in=active)
    }
    rows = []
    contexts = {}
    chosen_logs = [log for log in logs if (log.dwelling.project_id, log.transition) in rules]
    dwellings = {
        d.pk: d
        for d in Dwelling.objects.filter(pk__in={log.dwelling_id for log in chosen_logs})
        .select_related("project")
        .prefetch_related("contacts")
    }
    bounced = _bounced(Contact.objects.filter(dwelling_id__in=list(dwellings)).values_list("pk", flat=True))
    for log in chosen_logs:
        dwelling = dwellings[log.dwelling_id]
        rule = rules[(dwelling.project_id, log.transition)]
        context = contexts.setdefault(dwelling.project_id, content.ProjectContext(dwelling.project))
        rows.extend(_messages(rule, dwelling, f"move:{log.pk}", context, bounced))
    return _store(rows)


def reminders_for(day: datetime.date) -> list[int]:
    """The day-before reminders for the visits and installations on ``day`` (once per appointment)."""
    rules = list(
        AutomaticRule.objects.filter(
            trigger__in=list(DAY_BEFORE), project__communication_settings__automatic=True
        ).select_related("project")
    )
    rows = []
    for rule in rules:
        homes = Dwelling.objects.filter(project=rule.project)
        if rule.trigger == DAY_BEFORE_SURVEY:
            homes = homes.filter(state="survey_planned", survey_appointment_at__date=day)
        else:
            homes = homes.filter(state="installation_planned", installation_planned_on=day)
        homes = list(homes.select_related("project").prefetch_related("contacts"))
        if not homes:
            continue
        context = content.ProjectContext(rule.project)
        bounced = _bounced(Contact.objects.filter(dwelling__in=homes).values_list("pk", flat=True))
        for dwelling in homes:
            rows.extend(
                _messages(rule, dwelling, f"{rule.trigger}:{dwelling.pk}:{day.isoformat()}", context, bounced)
            )
    return _store(rows)
