"""Importing the dwelling register: check every row, then apply all of them or none.

The work is in ``importer`` (reading the register and checking the rows) and ``writing`` (writing in
batches), with the values of a cell in ``values``, matching a row to a dwelling and its conflicts in
``matching``, the change list and its history in ``changes``, and the result in ``results``. This
module is the use case: ``import_dwellings`` for code and the command line,
``import_job_create``/``import_job_run`` for the upload page.

By default one wrong row stops the whole import and every wrong row is reported. With
``skip_invalid`` the good rows go in and the wrong ones come back as a CSV file to fix and import
again. A row that would change a home that has agreed or is further along is refused like a wrong row,
unless ``update_agreed`` is given. Everything is written in one transaction, with a history row per
changed dwelling and person (source "import").
"""

from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from projects import workflow
from projects.jobs import JobLost, job_claim
from projects.models import Job, Project, User
from projects.permissions import can_manage_register

from . import parsing, writing
from .importer import Importer, Plan
from .parsing import ImportFileError
from .results import MAX_STORED_CHANGES, MAX_STORED_ERRORS, ImportResult, RowError

__all__ = [
    "BATCH_SIZE",
    "MAX_STORED_CHANGES",
    "MAX_STORED_ERRORS",
    "ImportFileError",
    "ImportResult",
    "RowError",
    "import_dwellings",
    "import_job_create",
    "import_job_run",
]

BATCH_SIZE = 2000


def import_dwellings(
    *,
    actor: User | None,
    project: Project,
    rows_source,
    skip_invalid: bool = False,
    update_agreed: bool = False,
    job_id: int | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Import a register file (a path or a binary file-like object, CSV or XLSX) into the project.

    ``actor`` must be of the lead party (``PermissionDenied`` otherwise); ``None`` is the trusted
    command line. Raises ``ImportFileError`` when the file as a whole is unusable. With errors in rows
    and without ``skip_invalid`` nothing is written. Rows that would change a home that has agreed or
    is further along are refused unless ``update_agreed``. Writes the history of every change (with
    ``job_id`` when a job runs it). ``progress(rows)`` is called after every batch.
    """
    if actor is not None and not can_manage_register(actor, project):
        raise PermissionDenied(_("Only a coordinator of the lead party keeps the dwelling register."))
    with parsing.read_table(rows_source) as table, transaction.atomic():
        # One import per project at a time; dwellings of the project can still be written meanwhile.
        list(Project.objects.select_for_update(no_key=True).filter(pk=project.pk).values_list("pk"))
        importer = Importer(project, table, Plan.for_table(table), update_agreed=update_agreed)
        # The check is a sign of life too: the job's heartbeat goes on while nothing is written yet.
        rows = importer.check(table.rows(), alive=(lambda: progress(0)) if progress else None)
        result = ImportResult(
            errors=importer.errors,
            rows=importer.row_count,
            rejected=len(importer.rejects),
            ignored_columns=table.ignored,
            refused_agreed=importer.refused_agreed,
            update_agreed=update_agreed,
        )
        if importer.errors and not skip_invalid:
            result.imported = False
            return result
        if importer.rejects:
            result.rejects_csv = importer.rejects_csv()
        writing.write(
            importer, rows, result, actor=actor, job_id=job_id, progress=progress, batch_size=batch_size
        )
        workflow.publish_register_changed(
            workflow.RegisterChanged(
                dwelling_ids=tuple(importer.updated_ids),
                fields=frozenset(),
                actor_id=actor.pk if actor else None,
                source="import",
            )
        )
    return result


# --- jobs: the upload page runs an import in the background --------------------------------------


@transaction.atomic
def import_job_create(
    *,
    actor: User,
    project: Project,
    upload,
    skip_invalid: bool = False,
    update_agreed: bool = False,
    submission: str = "",
    total: int = 0,
) -> tuple[Job, bool]:
    """Store an uploaded file as an import job and start it on commit; (job, created).

    The same ``submission`` token twice (a double click, a browser resending the form) gives the first
    job back instead of a second import.
    """
    from .tasks import import_dwellings_task

    if not can_manage_register(actor, project):
        raise PermissionDenied(_("Only a coordinator of the lead party keeps the dwelling register."))
    list(Project.objects.select_for_update(no_key=True).filter(pk=project.pk).values_list("pk"))
    if submission:
        earlier = Job.objects.filter(
            project=project, kind=Job.Kind.IMPORT, params__submission=str(submission)
        ).first()
        if earlier is not None:
            return earlier, False
    job = Job.objects.create(
        project=project,
        kind=Job.Kind.IMPORT,
        created_by=actor,
        total=total,
        params={
            "skip_invalid": bool(skip_invalid),
            "update_agreed": bool(update_agreed),
            "filename": getattr(upload, "name", "") or "",
            "submission": str(submission),
            "language": translation.get_language() or "",
        },
        input_file=upload,
    )
    transaction.on_commit(partial(import_dwellings_task.delay, job.pk))
    return job, True


def import_job_run(*, job_id: int) -> None:
    """Run an import job once: claim it, import its file, keep the result and the rejects file.

    Does nothing for a job that is finished or that another worker runs. A job whose worker stopped
    is taken over and imported from the start: the first run's import was one transaction, rolled
    back with its worker (and a run that was taken for dead rolls back at its next progress report).
    """
    run = job_claim(job_id=job_id, kind=Job.Kind.IMPORT)
    if run is None:
        return
    job = run.job
    language = job.params.get("language") or settings.LANGUAGE_CODE
    try:
        if run.taken_over:
            run.advance(0)
        with translation.override(language), run.progress_reporter() as progress:
            try:
                with job.input_file.open("rb") as handle:
                    result = import_dwellings(
                        actor=job.created_by,
                        project=job.project,
                        rows_source=handle,
                        skip_invalid=job.params.get("skip_invalid", False),
                        update_agreed=job.params.get("update_agreed", False),
                        job_id=job.pk,
                        progress=progress,
                    )
            except (ImportFileError, PermissionDenied) as exc:
                run.fail(str(exc))
                return
            except JobLost:
                raise
            except Exception:
                run.fail(_("The import stopped on an unexpected error; nothing was changed."))
                raise
            if result.rejects_csv is not None:
                job.output_file.save(
                    f"import-{job.pk}-rejects.csv", ContentFile(result.rejects_csv), save=False
                )
                Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name)
            run.finish(result.as_dict())
    except JobLost:
        return  # another run took the import over
