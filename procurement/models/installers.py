"""An installer as procurement knows it: its certificates with their expiry, where it works, and how
many connections it can make in a week over all its projects."""

import datetime

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import Organisation


class CertificateKind(models.TextChoices):
    HEAT_NETWORK = "heat_network", _("heat network installation")
    PRESSURE_EQUIPMENT = "pressure_equipment", _("pressure equipment")
    ASBESTOS_INVENTORY = "asbestos_inventory", _("asbestos inventory")
    GAS = "gas", _("gas installations")
    ELECTRICAL = "electrical", _("electrical installations")
    VCA = "vca", _("safety (VCA)")


class InstallerProfile(models.Model):
    """What a heat company needs to know of an installer before it offers work."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="installer_profile", verbose_name=_("installer")
    )
    connections_per_week = models.PositiveIntegerField(
        _("connections per week"),
        validators=[MinValueValidator(1)],
        help_text=_("Over all projects together: the capacity is the installer's, not a project's."),
    )
    municipalities = models.JSONField(
        _("municipalities"), default=list, blank=True, help_text=_("The municipalities it works in.")
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("installer profile")
        verbose_name_plural = _("installer profiles")

    def __str__(self):
        return str(self.organisation)


class Certificate(models.Model):
    """A certificate or qualification of an installer, valid up to and including ``valid_until``."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("installer")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=CertificateKind.choices)
    number = models.CharField(_("number"), max_length=100, blank=True)
    valid_until = models.DateField(_("valid until"))

    class Meta:
        ordering = ["organisation", "kind", "-valid_until"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [models.Index(fields=["organisation", "kind", "valid_until"], name="certificate_valid")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.organisation})"

    def valid_on(self, day: datetime.date) -> bool:
        return self.valid_until >= day
