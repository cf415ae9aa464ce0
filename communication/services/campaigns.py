"""Campaigns: choose people by filter, see the count per channel, preview, send now or at a set time.

Sending creates one message row per person and channel (unique per campaign, so a second send, a
retried task or a second worker adds nothing), then Celery tasks claim and send them in chunks
(``communication.sending``). Letters are printed in one batch when the e-mails and SMS are done.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from communication import content, routing
from communication.models import (
    Campaign,
    CampaignStatus,
    Message,
    MessageStatus,
    Recipients,
    Template,
    TemplateKey,
)
from communication.permissions import can_speak, recipients_dwellings
from communication.starter import MUST_SEND
from projects.errors import Conflict
from projects.models import Channel, Contact, ContactRole, Project

FILTER_KEYS = ("states", "clusters", "streets", "ownership", "recipients", "extra_care", "dwellings")


def clean_filters(filters: dict) -> dict:
    cleaned = {key: filters[key] for key in FILTER_KEYS if filters.get(key) not in (None, "", [], False)}
    cleaned.setdefault("recipients", Recipients.BOTH)
    if cleaned["recipients"] not in Recipients.values:
        raise ValidationError({"recipients": _("Choose owners, residents or both.")})
    return cleaned


def recipients(actor, project: Project, filters: dict):
    """The people (contacts) the filter chooses, among the homes the actor may message."""
    homes = recipients_dwellings(actor, project)
    if filters.get("states"):
        homes = homes.filter(state__in=filters["states"])
    if filters.get("clusters"):
        homes = homes.filter(cluster__in=filters["clusters"])
    if filters.get("streets"):
        homes = homes.filter(street__in=filters["streets"])
    if filters.get("ownership"):
        homes = homes.filter(ownership__in=filters["ownership"])
    if filters.get("extra_care"):
        homes = homes.filter(extra_care=True)
    if filters.get("dwellings"):
        homes = homes.filter(pk__in=filters["dwellings"])
    roles = {
        Recipients.OWNERS: [ContactRole.OWNER],
        Recipients.RESIDENTS: [ContactRole.RESIDENT],
    }.get(filters.get("recipients"), [ContactRole.OWNER, ContactRole.RESIDENT])
    bounced = Message.objects.filter(
        contact=OuterRef("pk"), channel=Channel.EMAIL, status=MessageStatus.BOUNCED
    )
    return (
        Contact.objects.filter(dwelling__in=homes, role__in=roles)
        .select_related("dwelling")
        .annotate(bounced=Exists(bounced))
        .order_by("dwelling__street", "dwelling__house_number", "dwelling__pk", "role")
    )


@dataclass
class Plan:
    """Who gets what on which channel: counted before sending, and the rows to create when sending."""

    rows: list[tuple] = field(default_factory=list)  # (contact, route)
    skipped: Counter = field(default_factory=Counter)

    @property
    def per_channel(self) -> dict[str, int]:
        counts = Counter(route.channel for _contact, route in self.rows)
        return {channel: counts.get(channel, 0) for channel in Channel.values}

    @property
    def people(self) -> int:
        return len({contact.pk for contact, _route in self.rows})

    @property
    def fallbacks(self) -> int:
        return sum(1 for _contact, route in self.rows if route.why)


def plan(actor, project: Project, filters: dict, template_key: str) -> Plan:
    result = Plan()
    must = template_key in MUST_SEND
    for contact in recipients(actor, project, filters):
        chosen, skipped = routing.routes(contact, contact.dwelling, must_send=must, bounced=contact.bounced)
        if skipped:
            result.skipped[skipped] += 1
        result.rows.extend((contact, route) for route in chosen)
    return result


def texts_for(project: Project, campaign_template: Template | None, key: str) -> dict[str, content.Texts]:
    if campaign_template is not None:
        own = content.from_template(campaign_template)
        return {"nl": own, "en": own}
    return content.project_texts(project, key)


def _require_speaker(actor, project):
    if not can_speak(actor, project):
        raise PermissionDenied(
            _("Only the communicating party and the lead party send messages to residents.")
        )


def _check_approved(project, texts: dict[str, content.Texts]):
    if not content.settings_for(project).approved_templates_only:
        return
    unapproved = [t for t in texts.values() if not t.approved]
    if unapproved:
        raise ValidationError(
            _("This project sends approved templates only; approve %(name)s first.")
            % {"name": unapproved[0].name}
        )


@transaction.atomic
def campaign_create(
    *, actor, project: Project, name: str, template_key: str, filters: dict, template: Template | None = None
) -> Campaign:
    _require_speaker(actor, project)
    TemplateKey(template_key)
    if template is not None and template.project_id != project.pk:
        raise Template.DoesNotExist
    if template_key == TemplateKey.CUSTOM and template is None:
        raise ValidationError({"template": _("Choose the own message to send.")})
    if template_key == TemplateKey.MEETING_INVITATION and template is None:
        # Its text needs a meeting's facts, filled in on the meeting's page.
        raise ValidationError({"template_key": _("Invite residents from the meeting's page.")})
    return Campaign.objects.create(
        project=project,
        organisation_id=actor.organisation_id,
        name=name.strip() or str(TemplateKey(template_key).label),
        template_key=template_key,
        template=template,
        filters=clean_filters(filters),
        created_by=actor,
    )


@transaction.atomic
def campaign_send(*, actor, campaign: Campaign, send_at=None) -> Campaign:
    """Send now, or at ``send_at``. A campaign is sent once: a second press changes nothing."""
    from communication import tasks

    _require_speaker(actor, campaign.project)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise Conflict(_("This campaign was sent already; nobody gets a second message."))
    _check_approved(campaign.project, texts_for(campaign.project, campaign.template, campaign.template_key))
    now = timezone.now()
    if send_at is not None and send_at <= now:
        send_at = None
    campaign.status, campaign.send_at = CampaignStatus.SCHEDULED, send_at or now
    campaign.save(update_fields=["status", "send_at"])
    if send_at is None:
        transaction.on_commit(lambda: tasks.campaign_dispatch_task.delay(campaign.pk))
    else:
        # An ETA for the punctual case; the minute sweep (beat) sends it if the broker lost the ETA.
        transaction.on_commit(lambda: tasks.campaign_dispatch_task.apply_async((campaign.pk,), eta=send_at))
    return campaign


@transaction.atomic
def campaign_cancel(*, actor, campaign: Campaign) -> Campaign:
    _require_speaker(actor, campaign.project)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise Conflict(_("This campaign is being sent or was sent; it can no longer be cancelled."))
    campaign.status = CampaignStatus.CANCELLED
    campaign.save(update_fields=["status"])
    return campaign


CHUNK = 200


def campaign_dispatch(campaign_id: int) -> int:
    """Create the campaign's messages (once) and return how many chunks of sending to enqueue.

    Runs in a worker when the campaign is due. The rows are unique per campaign, person and channel:
    a second dispatch creates nothing new."""
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("project", "template", "created_by")
            .get(pk=campaign_id)
        )
        if campaign.status == CampaignStatus.SCHEDULED:
            if campaign.send_at and campaign.send_at > timezone.now():
                return 0  # an early ETA: the sweep or the real ETA sends it
            campaign.status, campaign.started_at = CampaignStatus.SENDING, timezone.now()
            campaign.progress_at = campaign.started_at
            campaign.save(update_fields=["status", "started_at", "progress_at"])
            _create_messages(campaign)
        elif campaign.status != CampaignStatus.SENDING:
            return 0
    waiting = Message.objects.filter(
        campaign_id=campaign_id, status=MessageStatus.QUEUED, channel__in=(Channel.EMAIL, Channel.SMS)
    ).count()
    return max(1, -(-waiting // CHUNK))


def _create_messages(campaign: Campaign) -> int:
    project = campaign.project
    texts = texts_for(project, campaign.template, campaign.template_key)
    context = content.ProjectContext(project)
    planned = plan(campaign.created_by, project, campaign.filters, campaign.template_key)
    now = timezone.now()
    rows = []
    for contact, route in planned.rows:
        language = contact.language if contact.language in texts else "nl"
        chosen = texts[language]
        subject, body = context.render(chosen, route.channel, contact.dwelling, contact)
        rows.append(
            Message(
                project=project,
                dwelling=contact.dwelling,
                contact=contact,
                recipient_name=contact.name,
                campaign=campaign,
                template_key=campaign.template_key,
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
    Message.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def campaign_finish_if_done(campaign_id: int) -> bool:
    """When no e-mail or SMS waits any more: print the letters in one batch and close the campaign."""
    from communication import letters

    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update(of=("self",)).select_related("project").get(pk=campaign_id)
        )
        if campaign.status != CampaignStatus.SENDING:
            return campaign.status == CampaignStatus.DONE
        if Message.objects.filter(
            campaign_id=campaign_id, status=MessageStatus.QUEUED, channel__in=(Channel.EMAIL, Channel.SMS)
        ).exists():
            campaign.progress_at = timezone.now()
            campaign.save(update_fields=["progress_at"])
            return False
        letters.make_batch(campaign.project, campaign_id=campaign_id)
        campaign.status, campaign.finished_at = CampaignStatus.DONE, timezone.now()
        campaign.progress_at = campaign.finished_at
        campaign.save(update_fields=["status", "finished_at", "progress_at"])
        return True


def figures(campaign: Campaign) -> dict:
    """Counts per status and channel, in one query."""
    from django.db.models import Count

    rows = (
        Message.objects.filter(campaign=campaign)
        .values("channel", "status")
        .annotate(n=Count("pk"))
        .order_by("channel", "status")
    )
    per_status: Counter = Counter()
    per_channel: Counter = Counter()
    table: dict[str, Counter] = {}
    for row in rows:
        per_status[row["status"]] += row["n"]
        per_channel[row["channel"]] += row["n"]
        table.setdefault(row["channel"], Counter())[row["status"]] += row["n"]
    total = sum(per_status.values())
    done = total - per_status.get(MessageStatus.QUEUED, 0) - per_status.get(MessageStatus.SENDING, 0)
    return {
        "total": total,
        "done": done,
        "percent": round(100 * done / total)
        if total
        else (100 if campaign.status == CampaignStatus.DONE else 0),
        "per_status": dict(per_status),
        "per_channel": dict(per_channel),
        "table": {channel: dict(counts) for channel, counts in table.items()},
    }


@transaction.atomic
def messages_retry(*, actor, campaign: Campaign, statuses=None) -> int:
    """Send the failed (or unknown) messages of a campaign again, on purpose. Returns how many."""
    from communication import tasks
    from communication.statuses import RETRYABLE

    _require_speaker(actor, campaign.project)
    chosen = [s for s in (statuses or RETRYABLE) if s in RETRYABLE]
    count = Message.objects.filter(campaign=campaign, status__in=chosen).update(
        status=MessageStatus.QUEUED, reason="", status_changed_at=timezone.now()
    )
    if count:
        Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.SENDING, finished_at=None)
        transaction.on_commit(lambda: tasks.campaign_send_chunk_task.delay(campaign.pk))
    return count
