"""Survey visits, the survey record of a dwelling, and its photos.

A tablet may send the same thing twice (a retry after the connection dropped): visits and photos
carry the client's own id (a UUID made on the device), unique, so the second copy is recognised and
not stored again.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.schema import SECTIONS, all_fields


class VisitOutcome(models.TextChoices):
    COMPLETED = "completed", _("completed")
    NOT_HOME = "not_home", _("nobody home")
    NO_ACCESS = "no_access", _("no access")
    REFUSED = "refused", _("refused")
    SECOND_VISIT_NEEDED = "second_visit_needed", _("second visit needed")
    # The failed outcomes are the VisitFailure choices of the state machine (projects.states).


class AnswerSource(models.TextChoices):
    RESIDENT = "resident", _("resident")
    SURVEYOR = "surveyor", _("surveyor")


class Visit(models.Model):
    dwelling = models.ForeignKey(
        "projects.Dwelling", on_delete=models.CASCADE, related_name="visits", verbose_name=_("dwelling")
    )
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("surveyor")
    )
    second_person_organisation = models.ForeignKey(
        "projects.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation of the second person"),
        null=True,
        blank=True,
        help_text=_("Only when two people visit: the organisation of the second person."),
    )
    second_visit_reason = models.TextField(
        _("reason for another visit"),
        blank=True,
        help_text=_("Required when the dwelling was visited before."),
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=24, choices=VisitOutcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    client_id = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["dwelling", "started_at"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["surveyor", "started_at"], name="visit_surveyor_started")]

    def __str__(self):
        return f"{self.dwelling} · {self.started_at:%Y-%m-%d}"


class Survey(models.Model):
    """The one record of the survey of a dwelling: answers per field, each with who gave it."""

    dwelling = models.OneToOneField(
        "projects.Dwelling", on_delete=models.CASCADE, related_name="survey", verbose_name=_("dwelling")
    )
    # {"<section>.<field>": {"value": ..., "by": "resident" | "surveyor"}}
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # [{"work": "remove_boiler", "responsible": "installer"}, ...]
    works = models.JSONField(_("works"), default=list, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self):
        return str(self.dwelling)

    def value(self, key: str):
        answer = self.answers.get(key)
        return answer.get("value") if isinstance(answer, dict) else None

    def missing(
        self, photo_counts: dict[str, int] | None = None, sign_off: bool | None = None
    ) -> list[tuple[str, str]]:
        """The (section, field) pairs that still need an answer for the survey to be complete.

        ``photo_counts`` maps "<section>.<field>" to the number of photos; pass it when the photos are
        already loaded, otherwise they are counted here (one query). ``sign_off``: whether the project
        has the resident sign the record (governance block 3.1); read here when not given.
        """
        if photo_counts is None:
            photo_counts = {}
            for key in self.photos.values_list("field", flat=True):
                photo_counts[key] = photo_counts.get(key, 0) + 1
        if sign_off is None:
            sign_off = self.sign_off_required()
        gaps = []
        for section, schema_field in all_fields():
            key = f"{section.name}.{schema_field.name}"
            if not schema_field.applies(section.name, self.value):
                continue  # not asked for this home (the place of a boiler it does not have)
            if schema_field.kind == "signature" and sign_off:
                if not photo_counts.get(key):
                    gaps.append((section.name, schema_field.name))
            elif schema_field.kind == "photos":
                if photo_counts.get(key, 0) < schema_field.min_photos:
                    gaps.append((section.name, schema_field.name))
            elif schema_field.kind == "works":
                if schema_field.required and not self.works:
                    gaps.append((section.name, schema_field.name))
            elif schema_field.required and self.value(key) in (None, "", [], {}):
                gaps.append((section.name, schema_field.name))
        return gaps

    def sign_off_required(self) -> bool:
        from projects.models import Governance

        return bool(
            Governance.objects.filter(project__dwellings=self.dwelling_id)
            .values_list("survey_sign_off", flat=True)
            .first()
        )

    def is_complete(self) -> bool:
        return not self.missing()


def photo_upload_to(instance, filename):
    return f"surveys/{instance.survey.dwelling.project_id}/{instance.survey.dwelling_id}/{filename}"


class DevicePhoto(models.Model):
    """A photo (or sketch, or signature) sent from a tablet or phone: its size, who sent it, and the id
    the device made, so that a retry stores it once (``surveys.photos.store_photo``). A concrete model
    adds what it belongs to and its ``image`` (with its own place in the storage)."""

    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    client_id = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class Photo(DevicePhoto):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="photos", verbose_name=_("survey")
    )
    field = models.CharField(_("field"), max_length=64, help_text=_("<section>.<field> of the survey schema"))
    image = models.ImageField(
        _("image"), upload_to=photo_upload_to, width_field="width", height_field="height"
    )

    class Meta:
        ordering = ["survey", "field", "created_at"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return f"{self.survey} · {self.field}"


def plan_upload_to(instance, filename):
    return f"plans/{instance.dwelling.project_id}/{instance.dwelling_id}/{filename}"


class PlanVariant(models.TextChoices):
    FULL = "full", _("full")
    INSTALLER = "installer", _("installer")


class ConnectionPlan(models.Model):
    """One rendered version of the connection plan (aansluitplan) of a dwelling, as a PDF.

    A plan is made from the survey, the works and the planning; ``source_hash`` fingerprints exactly
    what went into it, so rendering the same content again returns the stored version instead of a
    duplicate, and any change makes a new version. Old versions are kept.
    """

    dwelling = models.ForeignKey(
        "projects.Dwelling",
        on_delete=models.CASCADE,
        related_name="connection_plans",
        verbose_name=_("dwelling"),
    )
    variant = models.CharField(_("version for"), max_length=16, choices=PlanVariant.choices)
    version = models.PositiveIntegerField(_("version"))
    survey_version = models.PositiveIntegerField(_("survey version"))
    source_hash = models.CharField(_("fingerprint"), max_length=64)
    file = models.FileField(_("file"), upload_to=plan_upload_to)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("made by"),
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["dwelling", "variant", "-version"]
        verbose_name = _("connection plan")
        verbose_name_plural = _("connection plans")
        constraints = [
            models.UniqueConstraint(
                fields=["dwelling", "variant", "version"], name="connection_plan_unique_version"
            ),
            models.UniqueConstraint(
                fields=["dwelling", "variant", "source_hash"], name="connection_plan_unique_content"
            ),
        ]

    def __str__(self):
        return f"{self.dwelling} · {self.get_variant_display()} v{self.version}"


class SurveySlot(models.Model):
    """A time a surveyor has free for a survey visit. Published slots can be offered to residents
    (the resident portal books one); a booked slot points to its dwelling."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="survey_slots", verbose_name=_("project")
    )
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="survey_slots",
        verbose_name=_("surveyor"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Offered to residents to choose from.")
    )
    dwelling = models.OneToOneField(
        "projects.Dwelling",
        on_delete=models.SET_NULL,
        related_name="survey_slot",
        verbose_name=_("booked for"),
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "surveyor"]
        verbose_name = _("survey slot")
        verbose_name_plural = _("survey slots")
        constraints = [
            models.UniqueConstraint(fields=["surveyor", "starts_at"], name="survey_slot_unique_time"),
        ]
        indexes = [models.Index(fields=["project", "published", "starts_at"], name="slot_project_open")]

    def __str__(self):
        return f"{self.surveyor} · {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.dwelling_id is None


SECTION_NAMES = [section.name for section in SECTIONS]
