"""The days an installer offers for the homes of an accepted work package: each resident picks one in
the resident portal (``portal.services.installation``), as many homes a day as it has places."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .packages import WorkPackage


class InstallationDay(models.Model):
    """A working day within the package's weeks with ``places`` homes at most. A home has taken a place
    when its installation is planned on the day (however it was planned); the places are counted under
    a lock on this row (``portal.services.installation``)."""

    package = models.ForeignKey(
        WorkPackage, on_delete=models.CASCADE, related_name="installation_days", verbose_name=_("package")
    )
    date = models.DateField(_("date"))
    places = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1)], help_text=_("How many homes that day.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["package", "date"]
        verbose_name = _("installation day")
        verbose_name_plural = _("installation days")
        constraints = [
            models.UniqueConstraint(fields=["package", "date"], name="installation_day_once_per_package"),
            models.CheckConstraint(condition=Q(places__gte=1), name="installation_day_has_places"),
        ]

    def __str__(self):
        return f"{self.package}: {self.date:%Y-%m-%d}"
