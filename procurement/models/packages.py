"""Work packages: agreed dwellings the lead party bundles and offers to an installer of the project's
pool, to be done within a span of weeks."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from projects.models import Dwelling, Organisation, Project

from .agreements import FrameworkAgreement


class PackageStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OFFERED = "offered", _("offered")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


# A package in these holds its dwellings: a dwelling is in at most one of them at a time.
OPEN_STATUSES = (PackageStatus.DRAFT, PackageStatus.OFFERED, PackageStatus.ACCEPTED)
# A package in these weighs on its installer's capacity.
LOADING_STATUSES = (PackageStatus.OFFERED, PackageStatus.ACCEPTED)


class WorkPackage(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="work_packages", verbose_name=_("project")
    )
    number = models.PositiveIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=PackageStatus.choices, default=PackageStatus.DRAFT
    )
    first_week = models.DateField(_("first week"), help_text=_("The Monday of the first week."))
    last_week = models.DateField(_("last week"), help_text=_("The Monday of the last week."))
    installer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_packages",
        verbose_name=_("installer"),
    )
    agreement = models.ForeignKey(
        FrameworkAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_packages",
        verbose_name=_("agreement"),
    )
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why it was declined or withdrawn."))
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["project", "-number"]
        verbose_name = _("work package")
        verbose_name_plural = _("work packages")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="package_number_per_project"),
            models.CheckConstraint(
                condition=Q(last_week__gte=F("first_week")), name="package_weeks_in_order"
            ),
        ]
        indexes = [models.Index(fields=["installer", "status", "first_week"], name="package_installer_weeks")]

    def __str__(self):
        return f"#{self.number} {self.name}"

    @property
    def weeks(self) -> list[datetime.date]:
        """The Mondays of its weeks."""
        count = (self.last_week - self.first_week).days // 7 + 1
        return [self.first_week + datetime.timedelta(weeks=n) for n in range(count)]

    @property
    def last_day(self) -> datetime.date:
        return self.last_week + datetime.timedelta(days=6)

    @cached_property
    def open_dwelling_ids(self) -> frozenset[int]:
        return frozenset(self.items.filter(open=True).values_list("dwelling_id", flat=True))


class PackageDwelling(models.Model):
    """A dwelling in a package; ``open`` while the package holds it (a dwelling is in one open package at
    most). The main contractor may hand it to one of its subcontractors."""

    package = models.ForeignKey(
        WorkPackage, on_delete=models.CASCADE, related_name="items", verbose_name=_("package")
    )
    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.CASCADE, related_name="package_items", verbose_name=_("dwelling")
    )
    open = models.BooleanField(_("open"), default=True)
    subcontractor = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handed_dwellings",
        verbose_name=_("subcontractor"),
    )

    class Meta:
        ordering = ["package", "dwelling__street", "dwelling__house_number"]
        verbose_name = _("dwelling of a package")
        verbose_name_plural = _("dwellings of packages")
        constraints = [
            models.UniqueConstraint(fields=["package", "dwelling"], name="package_dwelling_once"),
            models.UniqueConstraint(
                fields=["dwelling"], condition=Q(open=True), name="dwelling_in_one_open_package"
            ),
        ]

    def __str__(self):
        return f"{self.package}: {self.dwelling}"
