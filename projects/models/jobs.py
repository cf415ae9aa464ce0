"""Long work (imports, bulk moves, connection plan batches, area planning) runs as a job with progress.

How a worker claims a job, reports progress and finishes it, and how a job whose worker stopped is
taken over, is in ``projects/jobs.py``; this is the table.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .project import Project


class Job(models.Model):
    class Kind(models.TextChoices):
        IMPORT = "import", _("import")
        BULK_TRANSITION = "bulk_transition", _("bulk move")
        PLAN_BATCH = "plan_batch", _("connection plans")
        AREA_PLANNING = "area_planning", _("survey planning")
        DWELLING_EXPORT = "dwelling_export", _("dwelling export")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The worker's sign of life, in the database's clock: written at the claim and with every progress
    # report. A running job without one for JOB_STALE_AFTER_SECONDS has lost its worker.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    # One more at every claim; a worker writes to the job only while the number is still its own.
    claims = models.PositiveIntegerField(_("times started"), default=0)
    taken_over_at = models.DateTimeField(_("taken over at"), null=True, blank=True)
    total = models.PositiveIntegerField(_("total"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    input_file = models.FileField(_("input file"), upload_to="jobs/input/%Y/%m/", blank=True)
    output_file = models.FileField(_("output file"), upload_to="jobs/output/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(int(100 * self.processed / self.total), 100) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def takeovers(self) -> int:
        """How often another run took the job over after its worker stopped."""
        return max(self.claims - 1, 0)
