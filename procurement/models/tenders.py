"""Ad hoc tenders: where a project's governance says "ad hoc", its lead party invites installers, each
bids a price per kind of work, and the award becomes an agreement for that project only. The survey and
the installation may be tendered separately (the tender's scope)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import Organisation, Project

from .agreements import AgreementScope, FrameworkAgreement


class TenderStatus(models.TextChoices):
    OPEN = "open", _("open for bids")
    AWARDED = "awarded", _("awarded")
    CANCELLED = "cancelled", _("cancelled")


class Tender(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="tenders", verbose_name=_("project")
    )
    title = models.CharField(_("title"), max_length=200)
    scope = models.CharField(
        _("scope"), max_length=16, choices=AgreementScope.choices, default=AgreementScope.INSTALLATION
    )
    description = models.TextField(_("description"), blank=True)
    deadline = models.DateField(_("bids until"), help_text=_("The last day a bid can be made."))
    status = models.CharField(
        _("status"), max_length=16, choices=TenderStatus.choices, default=TenderStatus.OPEN
    )
    invited = models.ManyToManyField(
        Organisation, related_name="tender_invitations", blank=True, verbose_name=_("invited installers")
    )
    agreement = models.OneToOneField(
        FrameworkAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tender",
        verbose_name=_("agreement of the award"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["project", "-created_at"]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")

    def __str__(self):
        return self.title


class Bid(models.Model):
    """An installer's bid: a price per kind of work (euros excluding VAT, per the kind's unit)."""

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="bids", verbose_name=_("tender")
    )
    installer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="bids", verbose_name=_("installer")
    )
    # {"<work>": "1450.00"}
    prices = models.JSONField(_("prices"), default=dict)
    note = models.TextField(_("note"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        ordering = ["tender", "submitted_at"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [models.UniqueConstraint(fields=["tender", "installer"], name="one_bid_per_installer")]

    def __str__(self):
        return f"{self.tender}: {self.installer}"
