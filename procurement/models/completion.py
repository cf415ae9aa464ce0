"""Completion with evidence and the heat company's review.

The installer fills the project's commissioning checklist (``procurement.checklist``) for a dwelling:
answers and photos, sent from a phone or tablet like the survey, safe to send twice. *Report installed*
is refused until every required item is there. The heat company then reviews the evidence: it confirms
the connection, and the delivery set enters its register; or it rejects the installation with a reason
per item, and the dwelling goes back to *installation planned* for rework, counted per installer.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from procurement import checklist
from projects.models import Dwelling, Organisation, Project
from surveys.models import DevicePhoto


class CommissioningChecklist(models.Model):
    """A project's checklist: the template, with the items its lead party made optional."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="commissioning_checklist", verbose_name=_("project")
    )
    optional_items = models.JSONField(
        _("optional items"),
        default=list,
        blank=True,
        help_text=_("Items of the template that this project does not require."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("commissioning checklist")
        verbose_name_plural = _("commissioning checklists")

    def __str__(self):
        return str(self.project)

    @property
    def required_items(self) -> list[str]:
        optional = set(self.optional_items) - checklist.LOCKED
        return [key for key in checklist.default_required() if key not in optional]


def required_items(project_id: int) -> list[str]:
    """The items a project requires (the template's, where the project has no checklist of its own)."""
    own = CommissioningChecklist.objects.filter(project_id=project_id).first()
    return own.required_items if own else checklist.default_required()


class Completion(models.Model):
    """What the installer recorded at a dwelling: the checklist's answers and its photos."""

    dwelling = models.OneToOneField(
        Dwelling, on_delete=models.CASCADE, related_name="completion", verbose_name=_("dwelling")
    )
    installer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="completions", verbose_name=_("installer")
    )
    # {"<section>.<item>": value}
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The report's id made on the device: a report sent twice is recorded once.
    report_client_id = models.UUIDField(_("client id of the report"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")

    def __str__(self):
        return str(self.dwelling)

    def value(self, key: str):
        return self.answers.get(key)

    @property
    def works_done(self) -> dict[str, float]:
        """{work: quantity} of the works reported done."""
        prefix = f"{checklist.WORKS_SECTION}."
        return {
            key.removeprefix(prefix): value
            for key, value in self.answers.items()
            if key.startswith(prefix) and isinstance(value, int | float) and value > 0
        }


def completion_photo_upload_to(instance, filename):
    return f"completions/{instance.completion.dwelling_id}/{filename}"


class CompletionPhoto(DevicePhoto):
    completion = models.ForeignKey(
        Completion, on_delete=models.CASCADE, related_name="photos", verbose_name=_("completion")
    )
    item = models.CharField(_("item"), max_length=64, help_text=_("<section>.<item> of the checklist"))
    image = models.ImageField(
        _("image"), upload_to=completion_photo_upload_to, width_field="width", height_field="height"
    )

    class Meta:
        ordering = ["completion", "item", "created_at"]
        verbose_name = _("completion photo")
        verbose_name_plural = _("completion photos")

    def __str__(self):
        return f"{self.completion} · {self.item}"


class ReviewDecision(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")


class InstallationReview(models.Model):
    """The heat company's decision on a reported installation; a rejection says what is wrong, per item."""

    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.CASCADE, related_name="installation_reviews", verbose_name=_("dwelling")
    )
    installer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="installation_reviews",
        verbose_name=_("installer"),
    )
    decision = models.CharField(_("decision"), max_length=16, choices=ReviewDecision.choices)
    # {"<section>.<item>": "reason"}; "" for what is wrong beyond the checklist
    reasons = models.JSONField(_("reasons"), default=dict, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewed by")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))

    class Meta:
        ordering = ["dwelling", "-reviewed_at"]
        verbose_name = _("installation review")
        verbose_name_plural = _("installation reviews")
        indexes = [models.Index(fields=["installer", "decision"], name="review_installer_decision")]

    def __str__(self):
        return f"{self.dwelling} · {self.get_decision_display()}"


class DeliverySet(models.Model):
    """A delivery set the heat company took into its management: its register."""

    serial_number = models.CharField(_("serial number"), max_length=64, unique=True)
    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.PROTECT, related_name="delivery_sets", verbose_name=_("dwelling")
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="delivery_sets", verbose_name=_("project")
    )
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="delivery_sets",
        verbose_name=_("owner"),
        help_text=_("The heat company that manages it."),
    )
    installer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("installer")
    )
    meter_number = models.CharField(_("meter number"), max_length=64)
    meter_class = models.CharField(_("accuracy class"), max_length=8, blank=True)
    start_reading = models.DecimalField(_("start reading (GJ)"), max_digits=12, decimal_places=3, null=True)
    seal_numbers = models.CharField(_("seal numbers"), max_length=200)
    installed_on = models.DateField(_("installed on"))
    connected_on = models.DateField(_("connected on"))
    active = models.BooleanField(_("in use"), default=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )

    class Meta:
        ordering = ["project", "dwelling__street", "dwelling__house_number"]
        verbose_name = _("delivery set")
        verbose_name_plural = _("delivery sets")
        constraints = [
            models.UniqueConstraint(
                fields=["dwelling"], condition=Q(active=True), name="one_delivery_set_in_use_per_dwelling"
            )
        ]

    def __str__(self):
        return self.serial_number


class ExtraWork(models.Model):
    """Work beyond the survey's works that the lead party approved for a dwelling, with its reason."""

    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.CASCADE, related_name="extra_work", verbose_name=_("dwelling")
    )
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    reason = models.TextField(_("reason"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)

    class Meta:
        ordering = ["dwelling", "approved_at"]
        verbose_name = _("extra work")
        verbose_name_plural = _("extra work")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="extra_work_positive")]

    def __str__(self):
        return f"{self.dwelling}: {self.description}"
