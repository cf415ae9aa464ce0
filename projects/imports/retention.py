"""How long the files of an import are kept: the upload and the rejects file go, the job stays.

An uploaded register holds names, e-mail addresses and phone numbers of residents; once the import is
done the register itself has them, so the file is kept only ``IMPORT_FILE_RETENTION_DAYS`` days after
the import finished. The job's result loses what it copied of them at the same time: the list of what
changed per home (the history of each home keeps it, for who may read it) and the cell values of the
wrong rows. The job keeps its counts and the line, column and reason of each wrong row, and notes when
its files were removed, so the job page says so instead of offering a download that is gone.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from projects.models import Job

logger = logging.getLogger(__name__)

CHUNK_SIZE = 200


def _expired_imports(cutoff: datetime.datetime) -> QuerySet[Job]:
    """Finished imports that still hold a file and finished before ``cutoff``."""
    finished_before = Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    return (
        Job.objects.filter(kind=Job.Kind.IMPORT, status__in=(Job.Status.DONE, Job.Status.FAILED))
        .filter(finished_before)
        .exclude(result__has_key="files_removed")
    )


def import_files_purge(
    *, days: int | None = None, now: datetime.datetime | None = None, chunk_size: int = CHUNK_SIZE
) -> int:
    """Remove the stored files of imports finished more than ``days`` ago; the number of jobs purged.

    Deletes the files from storage, clears the fields and notes the removal in the job's result.
    Idempotent: a purged job holds no file and is not selected again; two runs at once skip each
    other's locked rows. A file already gone from storage counts as removed. A file that cannot be
    removed is logged and left for the next run, without holding up the others.
    """
    days = settings.IMPORT_FILE_RETENTION_DAYS if days is None else days
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=days)
    purged = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            jobs = list(
                _expired_imports(cutoff)
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .select_for_update(skip_locked=True)[:chunk_size]
            )
            if not jobs:
                break
            for job in jobs:
                purged += _purge_files(job, days=days, now=now)
        last_pk = jobs[-1].pk
    if purged:
        logger.info("Removed the files of %d imports finished more than %d days ago", purged, days)
    return purged


def _purge_files(job: Job, *, days: int, now: datetime.datetime) -> int:
    """Delete the job's files and clear the fields; 1 when done, 0 when a file could not be removed.

    The file goes first and the field after: should saving fail, the next run finds the field still
    set and finishes the work (deleting a missing file is no error), rather than a file left behind
    that nothing points to.
    """
    try:
        for field in (job.input_file, job.output_file):
            if field:
                field.delete(save=False)  # removes it from storage and clears the field on the job
    except OSError:
        logger.exception("Import job %s: its files could not be removed; trying again next run", job.pk)
        return 0
    job.input_file = ""
    job.output_file = ""
    result = dict(job.result or {})
    # Personal data copied into the result: the per-home changes and the values of the wrong rows.
    if result.get("changes"):
        result["changes"] = []
        result["changes_removed"] = True
    result["errors"] = [
        [line, column, "", reason] for line, column, _value, reason in result.get("errors", [])
    ]
    job.result = {**result, "files_removed": {"at": now.isoformat(), "after_days": days}}
    job.save(update_fields=["input_file", "output_file", "result"])
    return 1
