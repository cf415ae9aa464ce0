"""The installer's request to inform residents: where communication goes through one party, the
installer does not message residents itself but asks the communicating party, whose queue it lands in
(the messaging issue sends the message from there)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import Dwelling, Organisation, Project


class RequestStatus(models.TextChoices):
    OPEN = "open", _("open")
    HANDLED = "handled", _("handled")


class InformRequest(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="inform_requests", verbose_name=_("project")
    )
    installer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="inform_requests_made",
        verbose_name=_("installer"),
    )
    communicating_party = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="inform_requests",
        verbose_name=_("communicating party"),
    )
    dwellings = models.ManyToManyField(Dwelling, related_name="inform_requests", verbose_name=_("dwellings"))
    message = models.TextField(_("what the residents should know"))
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["status", "-created_at"]
        verbose_name = _("request to inform residents")
        verbose_name_plural = _("requests to inform residents")
        indexes = [models.Index(fields=["communicating_party", "status"], name="inform_request_queue")]

    def __str__(self):
        return f"{self.installer} → {self.communicating_party}: {self.created_at:%Y-%m-%d}"
