"""Resident communication: templates, campaigns, messages (one row per person and channel), letter
batches, the automatic messages of a project and the other parties' requests to inform residents.

A message is created once (a unique row per campaign or trigger, person and channel) before it is
sent, claimed under a row lock, and sent with its own ``reference`` as the provider's reference; its
status only moves forward (``communication.statuses``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import Channel, Contact, Dwelling, Organisation, Project


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


class TemplateKey(models.TextChoices):
    """The starter set: one template for every step (``communication.starter`` holds the texts)."""

    INFORMATION_LETTER = "information_letter", _("information letter")
    SURVEY_INVITATION = "survey_invitation", _("survey invitation with the appointment")
    SURVEY_REMINDER = "survey_reminder", _("survey reminder, the day before")
    VISIT_MISSED = "visit_missed", _("visit missed")
    PLAN_READY = "plan_ready", _("connection plan ready")
    AGREEMENT_REQUEST = "agreement_request", _("agreement request")
    INSTALLATION_DATE = "installation_date", _("installation date")
    INSTALLATION_REMINDER = "installation_reminder", _("installation reminder, the day before")
    WELCOME = "welcome", _("connected and welcome")
    AFTERCARE_QUESTION = "aftercare_question", _("aftercare question")
    # Made from a meeting's page (portal.meeting_manage): the meeting's facts are filled in as it is made.
    MEETING_INVITATION = "meeting_invitation", _("invitation to a meeting")
    # Personal messages of the resident portal, to one person at a time.
    PORTAL_LINK = "portal_link", _("your personal link")
    APPOINTMENT_CONFIRMED = "appointment_confirmed", _("appointment booked or changed")
    APPOINTMENT_CANCELLED = "appointment_cancelled", _("appointment called off")
    ANSWER = "answer", _("answer to a question")
    ONE_TIME_CODE = "one_time_code", _("one-time code")
    CUSTOM = "custom", _("own message")


# Sent to one person by the portal, never as a campaign to many.
PERSONAL_KEYS = frozenset(
    {
        TemplateKey.PORTAL_LINK,
        TemplateKey.APPOINTMENT_CONFIRMED,
        TemplateKey.APPOINTMENT_CANCELLED,
        TemplateKey.ANSWER,
        TemplateKey.ONE_TIME_CODE,
    }
)


# The steps a move or a day-before reminder may send automatically: not a personal message, not an
# invitation (made from its meeting), not an own message (which has no fixed text).
def automatic_keys() -> list[str]:
    return [
        key
        for key in TemplateKey.values
        if key not in PERSONAL_KEYS and key not in (TemplateKey.CUSTOM, "meeting_invitation")
    ]


class Template(models.Model):
    """A project's own text for one step (or an own message) in one language, for every channel.
    A step without a row uses the starter text, which counts as approved."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="message_templates", verbose_name=_("project")
    )
    key = models.CharField(_("step"), max_length=32, choices=TemplateKey.choices)
    name = models.CharField(_("name"), max_length=120)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default="nl")
    email_subject = models.CharField(_("e-mail subject"), max_length=200)
    email_body = models.TextField(_("e-mail text"))
    sms_body = models.TextField(_("SMS text"))
    letter_body = models.TextField(_("letter text"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["project", "key", "language", "pk"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "key", "language"],
                condition=~Q(key="custom"),
                name="template_one_per_step_and_language",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.language})"

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


class Recipients(models.TextChoices):
    OWNERS = "owners", _("owners")
    RESIDENTS = "residents", _("residents")
    BOTH = "both", _("owners and residents")


class CommunicationSettings(models.Model):
    """A project's contact point, its rule on templates and its automatic messages."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="communication_settings", verbose_name=_("project")
    )
    contact_name = models.CharField(_("contact point"), max_length=120, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    approved_templates_only = models.BooleanField(
        _("approved templates only"),
        default=False,
        help_text=_("Messages may be sent only with templates that someone approved."),
    )
    automatic = models.BooleanField(_("automatic messages on"), default=False)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("communication settings")
        verbose_name_plural = _("communication settings")

    def __str__(self):
        return str(self.project)


class AutomaticRule(models.Model):
    """A move of the workflow (or the day before an appointment) sends a template to whom."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="automatic_messages", verbose_name=_("project")
    )
    trigger = models.CharField(_("when"), max_length=40)
    template_key = models.CharField(_("template"), max_length=32, choices=TemplateKey.choices)
    recipients = models.CharField(_("to"), max_length=16, choices=Recipients.choices, default=Recipients.BOTH)

    class Meta:
        ordering = ["project", "pk"]
        verbose_name = _("automatic message")
        verbose_name_plural = _("automatic messages")
        constraints = [
            models.UniqueConstraint(fields=["project", "trigger"], name="automatic_one_per_trigger"),
        ]

    def __str__(self):
        return f"{self.trigger} → {self.template_key}"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SCHEDULED = "scheduled", _("scheduled")
    SENDING = "sending", _("sending")
    DONE = "done", _("sent")
    CANCELLED = "cancelled", _("cancelled")


class Campaign(models.Model):
    """One template to the people a filter chose, now or at a set time."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="campaigns", verbose_name=_("project")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    name = models.CharField(_("name"), max_length=160)
    template_key = models.CharField(_("template"), max_length=32, choices=TemplateKey.choices)
    template = models.ForeignKey(
        Template,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("own template"),
    )
    filters = models.JSONField(_("recipients"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("made by")
    )
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.name


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    UNKNOWN = "unknown", _("outcome unknown")
    SENT = "sent", _("sent")
    FAILED_TEMPORARY = "failed_temporary", _("failed (temporary)")
    FAILED_PERMANENT = "failed_permanent", _("failed (permanent)")
    DELIVERED = "delivered", _("delivered")
    BOUNCED = "bounced", _("bounced")


class Fallback(models.TextChoices):
    """Why a message did not take the person's own channel."""

    NO_EMAIL = "no_email", _("no e-mail address")
    BOUNCED = "bounced", _("an earlier e-mail bounced")
    NO_MOBILE = "no_mobile", _("no valid mobile number")
    EMAIL_OPT_OUT = "email_opt_out", _("opted out of e-mail; an appointment goes by letter")
    SMS_OPT_OUT = "sms_opt_out", _("opted out of SMS; an appointment goes by letter")
    EXTRA_CARE = "extra_care", _("extra care: always a letter too")


class Message(models.Model):
    """One message to one person on one channel, with its content as sent."""

    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.CASCADE, related_name="messages", verbose_name=_("dwelling")
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("person"),
    )
    recipient_name = models.CharField(_("to"), max_length=120)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("campaign"),
    )
    trigger = models.CharField(_("sent because of"), max_length=80, blank=True)
    template_key = models.CharField(_("template"), max_length=32, choices=TemplateKey.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    address = models.CharField(_("address"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    fallback = models.CharField(_("why this channel"), max_length=16, choices=Fallback.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    provider_id = models.CharField(_("provider's id"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    letter_batch = models.ForeignKey(
        "LetterBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("letter batch"),
    )
    created_at = models.DateTimeField(_("made at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "contact", "channel"],
                condition=Q(campaign__isnull=False),
                name="message_one_per_campaign_person_channel",
            ),
            models.UniqueConstraint(
                fields=["trigger", "contact", "channel"],
                condition=~Q(trigger=""),
                name="message_one_per_trigger_person_channel",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="message_campaign_status"),
            models.Index(fields=["channel", "status"], name="message_channel_status"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient_name}: {self.subject or self.body[:40]}"


class LetterBatch(models.Model):
    """One print-ready PDF for the print shop: a cover sheet, then one letter per address."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="letter_batches", verbose_name=_("project")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="letter_batches",
        verbose_name=_("campaign"),
    )
    pdf = models.FileField(_("PDF"), upload_to="letters/", blank=True)
    letters = models.PositiveIntegerField(_("letters"), default=0)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    created_at = models.DateTimeField(_("made at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("letter batch")
        verbose_name_plural = _("letter batches")

    def __str__(self):
        return f"{self.project} {self.created_at:%Y-%m-%d %H:%M} ({self.letters})"


class RequestStatus(models.TextChoices):
    OPEN = "open", _("open")
    SENT = "sent", _("sent")
    REFUSED = "refused", _("refused")


class MessageRequest(models.Model):
    """Another party (an installer, the survey party) asks the communicating party to inform the
    residents of some homes, with the text it proposes."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="message_requests", verbose_name=_("project")
    )
    requested_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    communicating_party = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked of")
    )
    dwellings = models.ManyToManyField(Dwelling, related_name="+", verbose_name=_("homes"))
    text = models.TextField(_("proposed text"))
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    campaign = models.OneToOneField(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="request",
        verbose_name=_("campaign"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("request to inform residents")
        verbose_name_plural = _("requests to inform residents")

    def __str__(self):
        return f"{self.requested_by}: {self.text[:60]}"
