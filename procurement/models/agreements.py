"""Framework agreements (raamovereenkomsten): a contracting party (a heat company, sometimes a housing
association) and an installer agree on a term, a scope, unit rates per kind of work and a maximum
volume. An ad hoc tender's award is an agreement for one project only."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import Organisation, Project
from surveys.schema import WORKS

from .installers import CertificateKind


class AgreementScope(models.TextChoices):
    SURVEY = "survey", _("survey")
    INSTALLATION = "installation", _("installation")
    BOTH = "both", _("survey and installation")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ACTIVE = "active", _("active")
    EXPIRED = "expired", _("expired")
    TERMINATED = "terminated", _("terminated")


class AgreementQuerySet(models.QuerySet):
    def with_effective_status(self, day: datetime.date | None = None):
        """``effective_status``: an active agreement past its end date is expired, whether or not the
        nightly task has written that yet."""
        day = day or timezone.localdate()
        return self.annotate(
            effective_status=Case(
                When(status=AgreementStatus.ACTIVE, ends_on__lt=day, then=Value(AgreementStatus.EXPIRED)),
                default=F("status"),
                output_field=models.CharField(),
            )
        )

    def in_force(self, first: datetime.date, last: datetime.date | None = None):
        """Active and running on every day from ``first`` to ``last``."""
        return self.filter(status=AgreementStatus.ACTIVE, starts_on__lte=first, ends_on__gte=last or first)

    def covering_installation(self):
        return self.filter(scope__in=[AgreementScope.INSTALLATION, AgreementScope.BOTH])

    def usable_in(self, project: Project):
        """Open to every project, or awarded to this one."""
        return self.filter(Q(project__isnull=True) | Q(project=project))


class FrameworkAgreement(models.Model):
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    contracting_party = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="agreements_as_client",
        verbose_name=_("contracting party"),
    )
    installer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("installer")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awarded_agreements",
        verbose_name=_("only for project"),
        help_text=_("Set for the award of an ad hoc tender: the agreement holds for this project only."),
    )
    scope = models.CharField(_("scope"), max_length=16, choices=AgreementScope.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    max_volume = models.PositiveIntegerField(
        _("maximum volume"),
        null=True,
        blank=True,
        help_text=_("Dwellings over the whole term; empty: no maximum."),
    )
    required_certificates = models.JSONField(
        _("required certificates"),
        default=list,
        blank=True,
        help_text=_("The installer must hold these, valid up to the last week of every package."),
    )
    status = models.CharField(_("status"), max_length=16, choices=AgreementStatus.choices, default="draft")
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "reference"]
        verbose_name = _("framework agreement")
        verbose_name_plural = _("framework agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="agreement_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["installer", "status", "ends_on"], name="agreement_installer_status")]

    def __str__(self):
        return f"{self.reference} ({self.installer})"

    def clean(self):
        unknown = set(self.required_certificates or ()) - set(CertificateKind.values)
        if unknown:
            raise ValidationError({"required_certificates": _("Unknown kind of certificate.")})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The agreement cannot end before it starts.")})

    def effective_status_on(self, day: datetime.date | None = None) -> str:
        day = day or timezone.localdate()
        if self.status == AgreementStatus.ACTIVE and self.ends_on < day:
            return AgreementStatus.EXPIRED
        return self.status

    @property
    def effective_status(self) -> str:
        return self.effective_status_on()

    def get_effective_status_display(self) -> str:
        return str(AgreementStatus(self.effective_status).label)

    @property
    def covers_installation(self) -> bool:
        return self.scope in (AgreementScope.INSTALLATION, AgreementScope.BOTH)


class RateUnit(models.TextChoices):
    PIECE = "piece", _("per piece")
    METRE = "metre", _("per metre")
    HOUR = "hour", _("per hour")


class UnitRate(models.Model):
    """The price of one kind of work under an agreement, in euros excluding VAT."""

    agreement = models.ForeignKey(
        FrameworkAgreement, on_delete=models.CASCADE, related_name="rates", verbose_name=_("agreement")
    )
    work = models.CharField(_("kind of work"), max_length=32, choices=WORKS)
    unit = models.CharField(_("unit"), max_length=16, choices=RateUnit.choices, default=RateUnit.PIECE)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["agreement", "work"]
        verbose_name = _("unit rate")
        verbose_name_plural = _("unit rates")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "work"], name="unit_rate_once_per_work"),
            models.CheckConstraint(condition=Q(price__gte=0), name="unit_rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_work_display()}: € {self.price}"
