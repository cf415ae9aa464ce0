"""The dwellings of a project as a file, for the lead party (``permissions.can_export_dwellings``).

What a row holds is what the person may see of a dwelling, decided once for the project
(``permissions.sees_people``, ``sees_care_note``): the register and the dwelling's way always; the
names, e-mail addresses and phone numbers of owner and resident only where the base's rules show
them; never a price or an amount. The rows are the dwellings of the project's list page
(``projects.selectors.dwelling_list``), in its order.

- CSV: streamed while it is read from the database (``.iterator(chunk_size=...)``: memory stays flat,
  whatever the number of dwellings), in the format of ``progress.exports`` (``;``, UTF-8 with a byte
  order mark, a header row); choices in words, dates as ``2026-05-01``.
- XLSX: a ``Job`` with progress (``projects.jobs``), written in constant memory to a temporary file and
  then kept as the job's file; it can be downloaded for ``EXPORT_LINK_HOURS`` after it was made, and
  ``export_files_purge`` (hourly, ``CELERY_BEAT_SCHEDULE``) removes it after that.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from progress import exports
from progress.permissions import can_export_dwellings, can_start_dwelling_export, sees_care_note, sees_people
from projects import selectors
from projects.jobs import JobLost, job_claim
from projects.models import Contact, Dwelling, Job, Project, User
from projects.services.register import REGISTER_FIELDS

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000  # dwellings read from the database at a time
PROGRESS_EVERY = 500  # rows between two progress reports of the XLSX job
UNFINISHED = (Job.Status.PENDING, Job.Status.RUNNING)
READ_ONLY = gettext_lazy(
    "Your account reads only: it downloads the CSV file, and a colleague who works in the project makes "
    "the XLSX file."
)


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    value: Callable[[Dwelling], object]


def _field(name: str) -> Column:
    field = Dwelling._meta.get_field(name)
    if field.choices:
        return Column(name, field.verbose_name, lambda d: getattr(d, f"get_{name}_display")() or None)
    if field.is_relation:
        return Column(name, field.verbose_name, lambda d: str(getattr(d, name) or "") or None)
    return Column(name, field.verbose_name, lambda d: getattr(d, name))


# The register's fields as the register form has them; the care note only for who may read it.
REGISTER = [name for name in REGISTER_FIELDS if name != "extra_care_note"]
WAY = [
    "state",
    "state_reason",
    "state_changed_at",
    "visit_count",
    "survey_appointment_at",
    "survey_completed_at",
    "agreement_signed_on",
    "installer",
    "installation_planned_on",
    "installed_on",
    "connected_on",
]
PEOPLE = [("owner", gettext_lazy("owner")), ("resident", gettext_lazy("resident"))]
PEOPLE_FIELDS = [
    ("name", gettext_lazy("name")),
    ("email", gettext_lazy("e-mail address")),
    ("phone", gettext_lazy("phone")),
]


def _person(role: str, attribute: str) -> Callable[[Dwelling], object]:
    def value(dwelling):
        for contact in dwelling.contacts.all():
            if contact.role == role:
                return getattr(contact, attribute) or None
        return None

    return value


def columns(user: User, project: Project) -> list[Column]:
    """The columns this person gets, in order."""
    found = [Column("id", gettext_lazy("id"), lambda d: d.pk)]
    found += [_field(name) for name in REGISTER]
    if sees_care_note(user, project):
        found.append(_field("extra_care_note"))
    found += [_field(name) for name in WAY]
    if sees_people(user, project):
        for role, role_label in PEOPLE:
            for attribute, label in PEOPLE_FIELDS:
                found.append(
                    Column(f"{role}_{attribute}", f"{role_label}: {label}", _person(role, attribute))
                )
    return found


def dwellings(user: User, project: Project) -> QuerySet[Dwelling]:
    """The dwellings of the project's list page, with what the rows read."""
    queryset = selectors.dwelling_list(user=user, project=project, sort="address")
    if sees_people(user, project):
        queryset = queryset.prefetch_related(
            Prefetch(
                "contacts", queryset=Contact.objects.only("dwelling_id", "role", "name", "email", "phone")
            )
        )
    return queryset


def header(found: list[Column]) -> list[str]:
    return [capfirst(str(column.label)) for column in found]


def rows(user: User, project: Project, found: list[Column]) -> Iterator[list]:
    for dwelling in dwellings(user, project).iterator(chunk_size=CHUNK_SIZE):
        yield [column.value(dwelling) for column in found]


def filename(project: Project, extension: str) -> str:
    today = timezone.localdate().isoformat()
    return f"{slugify(_('dwellings'))}-{project.slug}-{today}.{extension}"


def csv_stream(user: User, project: Project) -> Iterator[str]:
    """The CSV file line by line (the caller checked ``can_export_dwellings``)."""
    found = columns(user, project)
    return exports.csv_lines(header(found), rows(user, project, found))


# --- the XLSX job ----------------------------------------------------------------------------------------


def export_start(*, actor: User, project: Project) -> Job:
    """Have the project's dwellings written to an XLSX file, as a job with progress. A second start
    while the person's export of this project is still under way returns that one."""
    if not can_export_dwellings(actor, project):
        raise PermissionDenied(_("Only the lead party exports the dwellings of a project."))
    if not can_start_dwelling_export(actor, project):
        raise PermissionDenied(READ_ONLY)
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).exists()
        running = Job.objects.filter(
            project=project, kind=Job.Kind.DWELLING_EXPORT, created_by=actor, status__in=UNFINISHED
        ).first()
        if running is not None:
            return running
        job = Job.objects.create(
            project=project,
            kind=Job.Kind.DWELLING_EXPORT,
            created_by=actor,
            total=dwellings(actor, project).count(),
            params={"format": "xlsx"},
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from progress.tasks import dwelling_export_task

    dwelling_export_task.delay(job_id)


def export_run(job_id: int) -> None:
    """Write the file of an export job, or of one whose worker stopped (from the beginning again)."""
    run = job_claim(job_id=job_id, kind=Job.Kind.DWELLING_EXPORT)
    if run is None:
        return
    user, project = run.job.created_by, run.job.project
    if not can_export_dwellings(user, project):
        run.fail(_("You no longer export the dwellings of this project."))
        return
    name = ""
    try:
        with tempfile.TemporaryFile(suffix=".xlsx") as handle:
            count = _write_xlsx(user, project, handle, run.advance)
            handle.seek(0)
            name = Job._meta.get_field("output_file").generate_filename(run.job, filename(project, "xlsx"))
            name = run.job.output_file.storage.save(name, File(handle))
        stored = Job.objects.filter(pk=run.job.pk, claims=run.claim, status=Job.Status.RUNNING).update(
            output_file=name
        )
        if not stored:
            raise JobLost
        run.finish({"rows": count, "file": name.rsplit("/", 1)[-1]})
    except JobLost:
        if name:
            run.job.output_file.storage.delete(name)
        return
    except Exception as exc:
        if name:
            run.job.output_file.storage.delete(name)
        run.fail(str(exc))
        raise


def _write_xlsx(user: User, project: Project, handle, progress: Callable[[int], None]) -> int:
    found = columns(user, project)
    book = exports.workbook(handle)
    cells = exports.CellWriter(book)
    sheet = book.add_worksheet(capfirst(_("dwellings"))[:31])
    for column, label in enumerate(header(found)):
        sheet.write_string(0, column, label, cells.bold)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, values in enumerate(rows(user, project, found), start=1):
        for column, value in enumerate(values):
            cells.write(sheet, count, column, value)
        if count % PROGRESS_EVERY == 0:
            progress(count)
    book.close()
    return count


def expires_hours() -> int:
    return settings.EXPORT_LINK_HOURS


def expires_at(job: Job) -> datetime.datetime | None:
    """Until when the file of a finished export can be downloaded."""
    if job.finished_at is None:
        return None
    return job.finished_at + datetime.timedelta(hours=settings.EXPORT_LINK_HOURS)


def downloadable(job: Job, now: datetime.datetime | None = None) -> bool:
    """Made, still kept, and not older than ``EXPORT_LINK_HOURS``."""
    until = expires_at(job)
    if job.status != Job.Status.DONE or not job.output_file or until is None:
        return False
    return (now or timezone.now()) < until


def export_files_purge(*, now: datetime.datetime | None = None) -> int:
    """Remove the files of exports whose link has expired; the job stays and says so. Idempotent."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.EXPORT_LINK_HOURS)
    purged = 0
    with transaction.atomic():
        jobs = list(
            Job.objects.filter(kind=Job.Kind.DWELLING_EXPORT, finished_at__lt=cutoff)
            .exclude(output_file="")
            .select_for_update(skip_locked=True)
        )
        for job in jobs:
            try:
                job.output_file.delete(save=False)
            except OSError:
                logger.exception(
                    "Export job %s: its file could not be removed; trying again next run", job.pk
                )
                continue
            job.result = {**(job.result or {}), "file_removed": now.isoformat()}
            job.save(update_fields=["output_file", "result"])
            purged += 1
    return purged
