from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import Organisation, Project


class MonthlyReport(models.Model):
    """The progress report of one month, made for one organisation: of a project (``project``), of the
    organisation's programme, or of the municipality's projects. One per scope and month: making the
    month's report again replaces its file and figures. ``figures`` keeps the key figures as the
    report showed them (a hidden count as "< 10"), to tell what changed by the next report."""

    class Kind(models.TextChoices):
        PROJECT = "project", _("project")
        PROGRAMME = "programme", _("programme")
        MUNICIPALITY = "municipality", _("municipality")

    class Status(models.TextChoices):
        PENDING = "pending", _("being made")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="monthly_reports",
        verbose_name=_("project"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="monthly_reports", verbose_name=_("made for")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    figures = models.JSONField(_("key figures"), default=dict, blank=True)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    made_at = models.DateTimeField(_("made at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-month", "kind"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "project", "organisation", "month"],
                condition=Q(project__isnull=False),
                name="monthly_report_one_per_project_month",
            ),
            models.UniqueConstraint(
                fields=["kind", "organisation", "month"],
                condition=Q(project__isnull=True),
                name="monthly_report_one_per_scope_month",
            ),
            models.CheckConstraint(
                condition=Q(kind="project", project__isnull=False)
                | (~Q(kind="project") & Q(project__isnull=True)),
                name="monthly_report_project_with_its_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.project or self.organisation} {self.month:%Y-%m}"
