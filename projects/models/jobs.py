"""Long work (imports, bulk moves, later campaigns and PDF batches) runs as a job with progress."""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .project import Project


class Job(models.Model):
    class Kind(models.TextChoices):
        IMPORT = "import", _("import")
        BULK_TRANSITION = "bulk_transition", _("bulk move")
        PLAN_BATCH = "plan_batch", _("connection plans")
        AREA_PLANNING = "area_planning", _("survey planning")

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

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def start(self, total: int) -> None:
        Job.objects.filter(pk=self.pk).update(
            status=self.Status.RUNNING, started_at=timezone.now(), total=total
        )
        self.refresh_from_db()

    def advance(self, processed: int) -> None:
        """Record progress; written outside the work's own transaction so a poller sees it."""
        Job.objects.filter(pk=self.pk).update(processed=processed)

    def finish(self, result: dict) -> None:
        Job.objects.filter(pk=self.pk).update(
            status=self.Status.DONE, finished_at=timezone.now(), result=result, processed=F("total")
        )
        self.refresh_from_db()

    def fail(self, error: str) -> None:
        Job.objects.filter(pk=self.pk).update(
            status=self.Status.FAILED, finished_at=timezone.now(), error=error
        )
        self.refresh_from_db()
