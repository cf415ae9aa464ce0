"""Long work as a ``Job``: one claim, one heartbeat, one way to report progress, and the kinds of job.

Every kind of job (imports, bulk moves, connection plan batches, area planning) is run by a task that
takes the job's id and calls ``job_claim``. The claim takes a waiting job, or takes over a running one
whose heartbeat is older than ``JOB_STALE_AFTER_SECONDS``: its worker stopped. Celery's ``acks_late``
delivers such a task again, and ``jobs_resume_stale`` (a periodic task) sends it again, so no job stays
"running" for ever. The claim is a row lock that skips a job another worker holds at that moment
(``select_for_update(skip_locked=True)``), so two deliveries of one task never both run it, and a
number: each claim adds one to ``Job.claims``, and whatever the run writes later (progress, a step,
the result) is written only while that number is still the job's. A worker that was taken for dead
and wakes up again writes nothing: it gets ``JobLost``, and its open transaction rolls back.

The heartbeat and its age are in the database's clock (``Now()``), so that workers on machines whose
clocks differ agree on it.

Three shapes of work use it:

- work in steps that resumes (bulk moves, area planning): ``run.steps()`` does each step in one
  transaction that holds the job's row and stores, with the step's work, how far the job got
  (``processed``) and its result so far; a run that takes over starts after the last stored step, so
  every item is done once;
- work in one transaction (the import): ``run.progress_reporter()`` writes progress over a connection of
  its own, so a poller sees it before the work commits; a run that takes over starts again from the
  beginning (the first run's transaction was rolled back with its worker);
- work shared by several workers (connection plan batches): ``job_add_chunk`` counts each chunk once,
  keeps the job's heartbeat and finishes the job with the last chunk; a run that takes over sends the
  chunks again, and a chunk counted before is not counted twice.

The kinds register themselves (``register``, from their app's ``AppConfig.ready()``): who may open
which jobs of a project, the page's template and URL name, the task that runs a job, and what the
status JSON says of the result. ``projects/views/jobs.py`` serves every kind's page and JSON.
"""

import datetime
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from projects.models import Job, Project, User

__all__ = [
    "JOB_KINDS",
    "MAX_CLAIMS",
    "JobKind",
    "JobLost",
    "JobRun",
    "job_add_chunk",
    "job_claim",
    "jobs_resume_stale",
    "jobs_stale",
    "merge_result",
    "register",
]

# A job whose worker stopped this many times is not taken over again but fails: something in it
# stops every worker that runs it.
MAX_CLAIMS = 4


class JobLost(Exception):
    """Another run took the job over (its worker had stopped giving signs of life), or it finished."""


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)


def _stale() -> Q:
    """Running, and no sign of life for JOB_STALE_AFTER_SECONDS (in the database's clock)."""
    return Q(status=Job.Status.RUNNING) & (
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=Now() - stale_after())
    )


# --- claiming -----------------------------------------------------------------------------------


def job_claim(*, job_id: int, kind: str) -> "JobRun | None":
    """Claim a waiting job, or take over a running one whose worker stopped; None when there is
    nothing to run here (finished, running elsewhere, of another kind, removed).

    Safe under a task delivered twice: the row lock skips a job another worker is claiming or working
    on, and a claimed job is no longer waiting. A job whose worker stopped ``MAX_CLAIMS`` times fails
    instead of being taken over again.
    """
    with transaction.atomic():
        job = (
            Job.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("created_by", "project")
            .filter(Q(status=Job.Status.PENDING) | _stale(), pk=job_id, kind=kind)
            .first()
        )
        if job is None:
            return None
        taken_over = job.status == Job.Status.RUNNING
        if taken_over and job.claims >= MAX_CLAIMS:
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED,
                finished_at=timezone.now(),
                error=_("The job stopped %(count)d times before it was finished; start it again.")
                % {"count": job.claims},
            )
            return None
        changes = {"status": Job.Status.RUNNING, "heartbeat_at": Now(), "claims": F("claims") + 1}
        if job.started_at is None:
            changes["started_at"] = timezone.now()
        if taken_over:
            changes["taken_over_at"] = Now()
        Job.objects.filter(pk=job.pk).update(**changes)
        job.refresh_from_db(fields=["status", "heartbeat_at", "claims", "started_at", "taken_over_at"])
    return JobRun(job=job, claim=job.claims, taken_over=taken_over)


def merge_result(into: dict, part: dict) -> dict:
    """Add a part's result to a job's result so far: numbers add up, lists grow, the rest is replaced."""
    for key, value in part.items():
        earlier = into.get(key)
        if isinstance(value, list) and isinstance(earlier, list):
            into[key] = [*earlier, *value]
        elif isinstance(value, dict) and isinstance(earlier, dict):
            merge_result(earlier, value)
        elif (
            isinstance(value, int | float)
            and isinstance(earlier, int | float)
            and not isinstance(value, bool)
            and not isinstance(earlier, bool)
        ):
            into[key] = earlier + value
        else:
            into[key] = value
    return into


@dataclass
class JobRun:
    """A claimed job and the claim's number: every write of the run is conditional on it."""

    job: Job
    claim: int
    taken_over: bool = False

    def _mine(self) -> QuerySet[Job]:
        return Job.objects.filter(pk=self.job.pk, claims=self.claim, status=Job.Status.RUNNING)

    def advance(self, processed: int) -> None:
        """Report progress, which is the run's sign of life too; ``JobLost`` when it was taken over."""
        if not self._mine().update(processed=processed, heartbeat_at=Now()):
            raise JobLost
        self.job.processed = processed

    @contextmanager
    def step(self):
        """One step of the work in one transaction with the job's row locked: the body sets the job's
        ``processed`` and ``result``, stored with the step's own writes (or rolled back with them)."""
        with transaction.atomic():
            job = self._mine().select_for_update().first()
            if job is None:
                raise JobLost
            yield job
            job.heartbeat_at = Now()
            job.save(update_fields=["processed", "result", "heartbeat_at"])
        self.job.processed, self.job.result = job.processed, job.result

    def steps(self, items: Sequence, size: int, work: Callable[[Sequence], dict]) -> dict:
        """Do ``work`` on the items not done yet, ``size`` at a time, a step each (``step``); the
        merged result of every step, those of an earlier run included."""
        for start in range(self.job.processed, len(items), size):
            part = items[start : start + size]
            with self.step() as job:
                merge_result(job.result, work(part))
                job.processed = start + len(part)
        return self.job.result

    @contextmanager
    def progress_reporter(self):
        """A ``progress(processed)`` for work that runs in one long transaction.

        On PostgreSQL it writes over a connection of its own: a poller sees the progress, and the
        heartbeat keeps the job from looking stale, while the work has not committed. A progress that
        cannot be written is let go (the work goes on); a job taken over raises ``JobLost``, which rolls
        the work back. Elsewhere it writes through the work's own connection.
        """
        if connection.vendor != "postgresql":
            yield self.advance
            return
        side = connections.create_connection("default")
        quote = connection.ops.quote_name
        table = quote(Job._meta.db_table)
        sql = (
            f"UPDATE {table} SET {quote('processed')} = %s, {quote('heartbeat_at')} = STATEMENT_TIMESTAMP() "
            f"WHERE {quote('id')} = %s AND {quote('claims')} = %s AND {quote('status')} = %s"
        )

        def progress(processed: int) -> None:
            try:
                with side.cursor() as cursor:
                    cursor.execute(sql, [processed, self.job.pk, self.claim, Job.Status.RUNNING])
                    lost = cursor.rowcount == 0
            except DatabaseError:
                return  # progress is a courtesy; the work goes on without it
            # Nothing written: taken over, or a job the other connection cannot see yet (made in the
            # work's own transaction, as in a test). The work's connection sees what is committed.
            if lost and not self._mine().exists():
                raise JobLost
            self.job.processed = processed

        try:
            yield progress
        finally:
            side.close()

    def finish(self, result: dict) -> None:
        """The job is done with this result; ``JobLost`` when another run has it now."""
        finished = self._mine().update(
            status=Job.Status.DONE,
            finished_at=timezone.now(),
            heartbeat_at=Now(),
            result=result,
            processed=F("total"),
        )
        if not finished:
            raise JobLost
        self.job.refresh_from_db()

    def fail(self, error: str) -> None:
        """The job failed with this message (nothing, when another run has it now)."""
        if self._mine().update(status=Job.Status.FAILED, finished_at=timezone.now(), error=error):
            self.job.refresh_from_db()


def job_add_chunk(*, job_id: int, chunk: int, processed: int, result: dict) -> bool:
    """Count one chunk of a job that several workers share, once: add its result and its number of
    items, keep the job's heartbeat, and finish the job with the last chunk. False when the chunk was
    counted before (a task delivered twice) or the job is no longer running."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, status=Job.Status.RUNNING).first()
        if job is None or chunk in job.result.get("chunks", []):
            return False
        merge_result(job.result, result)
        job.result["chunks"] = [*job.result.get("chunks", []), chunk]
        job.processed += processed
        job.heartbeat_at = Now()
        fields = ["result", "processed", "heartbeat_at"]
        if job.processed >= job.total:
            job.status, job.finished_at = Job.Status.DONE, timezone.now()
            fields += ["status", "finished_at"]
        job.save(update_fields=fields)
    return True


# --- jobs whose worker stopped ------------------------------------------------------------------


def jobs_stale() -> QuerySet[Job]:
    """Jobs whose worker stopped: running without a sign of life for JOB_STALE_AFTER_SECONDS, or
    still waiting that long after they were made (their task was lost)."""
    waiting_too_long = Q(status=Job.Status.PENDING, created_at__lt=timezone.now() - stale_after())
    return Job.objects.filter(_stale() | waiting_too_long)


def jobs_resume_stale() -> int:
    """Send the task of every job whose worker stopped again; its claim takes the job over (a task
    that arrives twice runs it once). The number of tasks sent."""
    sent = 0
    for job_id, kind in jobs_stale().order_by("pk").values_list("pk", "kind"):
        spec = JOB_KINDS.get(kind)
        if spec is not None:
            import_string(spec.task).delay(job_id)
            sent += 1
    return sent


# --- the kinds of job ---------------------------------------------------------------------------


def _nothing(_job: Job) -> dict:
    return {}


@dataclass(frozen=True)
class JobKind:
    """What the base needs to know of a kind of job to show it and to run it again.

    ``jobs(user, project)``: the jobs of this kind in the project that the user may open (none: the page
    answers 404); it may raise ``PermissionDenied`` for a party that knows the work but may not see it.
    ``url_name``: the job page's URL name (``slug`` and ``job_id``); ``<url_name>-status`` is its JSON.
    ``task``: the dotted path of the Celery task that runs a job by id. ``context(job)``: what the
    page's result part needs besides the job. ``summary(job)``: the result's figures in the JSON.
    """

    jobs: Callable[[User, Project], QuerySet[Job]]
    template: str
    url_name: str
    task: str
    context: Callable[[Job], dict] = _nothing
    summary: Callable[[Job], dict] = _nothing


JOB_KINDS: dict[str, JobKind] = {}


def register(kind: str, spec: JobKind) -> None:
    """Add a kind of job (from an app's ``AppConfig.ready()``)."""
    JOB_KINDS[kind] = spec
