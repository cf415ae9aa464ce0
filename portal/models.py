"""The resident portal's records: personal links, one-time codes, questions and aftercare reports with
their replies, and the agreements residents accepted."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import Contact, Dwelling, Organisation, Project


class PortalLink(models.Model):
    """A personal link: a long random code of which only the hash is kept, tied to one person and their
    home, until it expires or is revoked. Every message with a link mints a new one."""

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="portal_links", verbose_name=_("person")
    )
    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.CASCADE, related_name="portal_links", verbose_name=_("dwelling")
    )
    code_hash = models.CharField(_("hash of the code"), max_length=64, unique=True, editable=False)
    hint = models.CharField(
        _("last characters"),
        max_length=4,
        editable=False,
        help_text=_("To tell links apart, never to open one."),
    )
    created_at = models.DateTimeField(_("made at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    purpose = models.CharField(_("made for"), max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("personal link")
        verbose_name_plural = _("personal links")
        indexes = [models.Index(fields=["contact", "revoked_at"], name="portal_link_contact")]

    def __str__(self):
        return f"…{self.hint} ({self.contact_id})"

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class CodePurpose(models.TextChoices):
    AGREEMENT = "agreement", _("accepting the agreement")


class OneTimeCode(models.Model):
    """A short code sent to the person's known e-mail or phone, to check it is them before they accept
    the agreement. Kept as a hash; a few tries, then a new one must be asked for."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    purpose = models.CharField(_("for"), max_length=16, choices=CodePurpose.choices)
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("made at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self):
        return f"{self.get_purpose_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class QuestionKind(models.TextChoices):
    QUESTION = "question", _("question")
    AFTERCARE = "aftercare", _("aftercare report")


class AftercareProblem(models.TextChoices):
    NO_HEAT = "no_heat", _("no heat")
    NO_HOT_WATER = "no_hot_water", _("no hot water")
    LEAK = "leak", _("a leak")
    NOISE = "noise", _("a noise")
    OTHER = "other", _("something else")


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("open")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")


def question_photo_to(instance, filename):
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "jpg"
    return f"portal/{instance.project_id}/{instance.dwelling_id}/{uuid.uuid4().hex}.{extension}"


class Question(models.Model):
    """A resident's question to the communicating party, or an aftercare report to the heat company."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.CASCADE, related_name="questions", verbose_name=_("dwelling")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, related_name="questions", verbose_name=_("person")
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=QuestionKind.choices, default=QuestionKind.QUESTION
    )
    problem = models.CharField(_("problem"), max_length=16, choices=AftercareProblem.choices, blank=True)
    text = models.TextField(_("question"))
    photo = models.ImageField(_("photo"), upload_to=question_photo_to, blank=True)
    addressed_to = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("for")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    client_id = models.UUIDField(_("form id"), help_text=_("The same form sent twice makes one question."))
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("question from a resident")
        verbose_name_plural = _("questions from residents")
        constraints = [
            models.UniqueConstraint(fields=["contact", "client_id"], name="question_once_per_form"),
            models.CheckConstraint(
                condition=Q(kind="question", problem="") | Q(kind="aftercare") & ~Q(problem=""),
                name="question_problem_for_aftercare",
            ),
        ]
        indexes = [models.Index(fields=["addressed_to", "status", "created_at"], name="question_inbox")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk}"


class Reply(models.Model):
    """An answer to a question (sent to the person on their channel), or a note between colleagues."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("answer"))
    to_resident = models.BooleanField(_("sent to the resident"), default=True)
    message_reference = models.UUIDField(_("message"), null=True, blank=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self):
        return f"{self.question} · {self.created_at:%Y-%m-%d %H:%M}"


def acceptance_pdf_to(instance, filename):
    return f"portal/{instance.dwelling.project_id}/{instance.dwelling_id}/accepted-{uuid.uuid4().hex}.pdf"


class Acceptance(models.Model):
    """What a person accepted in the portal: the agreement (an owner-occupier's consent) or a tenant's
    support, with how it was checked that it was them, the moment, and the PDF of the text accepted."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("agreement")
        TENANT_SUPPORT = "tenant_support", _("tenant's support")

    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.CASCADE, related_name="acceptances", verbose_name=_("dwelling")
    )
    # The record stays when the person leaves the home's register; its PDF names them.
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)
    identity_check = models.CharField(_("identity checked by"), max_length=200)
    text_digest = models.CharField(_("SHA-256 of the text accepted"), max_length=64)
    document = models.FileField(_("what was accepted (PDF)"), upload_to=acceptance_pdf_to)

    class Meta:
        ordering = ["-accepted_at", "-pk"]
        verbose_name = _("acceptance in the portal")
        verbose_name_plural = _("acceptances in the portal")
        constraints = [
            models.UniqueConstraint(fields=["dwelling", "contact", "kind"], name="acceptance_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.accepted_at:%Y-%m-%d %H:%M}"


class MeetingKind(models.TextChoices):
    SOUNDING_BOARD = "sounding_board", _("sounding-board meeting")
    INFORMATION_EVENING = "information_evening", _("information evening")


class Meeting(models.Model):
    """A meeting with residents: an information evening for everyone, or a meeting of the project's
    sounding board (klankbordgroep), with the notes written after it."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=160)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200)
    description = models.TextField(_("what it is about"), blank=True)
    notes = models.TextField(
        _("notes"),
        blank=True,
        help_text=_("For a sounding-board meeting: written after it, for its members."),
    )
    # The draft (or sent) campaign that invites residents; a new one is made once it has left.
    invitation = models.ForeignKey(
        "communication.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invitation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    created_at = models.DateTimeField(_("made at"), default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting with residents")
        verbose_name_plural = _("meetings with residents")
        indexes = [models.Index(fields=["project", "starts_at"], name="meeting_project_start")]

    def __str__(self):
        return f"{self.title} · {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def started(self) -> bool:
        return self.starts_at <= timezone.now()


class SoundingBoardMember(models.Model):
    """A person who signed up in the portal for the project's sounding board. Leaving keeps the row
    (with the day); signing up again makes a new one."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="sounding_board", verbose_name=_("project")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="sounding_boards", verbose_name=_("person")
    )
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        ordering = ["-joined_at", "-pk"]
        verbose_name = _("sounding-board member")
        verbose_name_plural = _("sounding-board members")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "contact"],
                condition=Q(left_at__isnull=True),
                name="sounding_board_member_once",
            ),
        ]

    def __str__(self):
        return f"{self.contact_id} · {self.joined_at:%Y-%m-%d}"


class MeetingReply(models.Model):
    """A resident's answer to a meeting: coming or not, and with how many people. One per person; a
    new answer replaces the old one."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="replies", verbose_name=_("meeting")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="meeting_replies", verbose_name=_("person")
    )
    coming = models.BooleanField(_("coming"))
    people = models.PositiveSmallIntegerField(_("number of people"), default=1)
    replied_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        ordering = ["-replied_at", "-pk"]
        verbose_name = _("answer to a meeting")
        verbose_name_plural = _("answers to meetings")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "contact"], name="meeting_reply_once"),
            models.CheckConstraint(condition=Q(people__gte=1, people__lte=6), name="meeting_reply_people"),
        ]

    def __str__(self):
        return f"{self.meeting_id} · {self.contact_id} · {'+' if self.coming else '-'}{self.people}"
