"""Jobs: one claim for every kind, a job whose worker stopped is taken over and finished (each dwelling
moved once), and one status page and JSON with each kind's scope.

A worker that dies is simulated in the process (a ``BaseException`` in the middle of a step, which no
``except Exception`` catches: the step's transaction rolls back and the job stays "running"), and, on
PostgreSQL with the Redis of ``make test``, with real Celery worker processes, one of which is killed.
The heartbeat is aged in the database's clock, which is the one the claim reads: the tests pass on any
day and with the clock moved (``--clock``).
"""

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone

import projects.services
from projects import jobs, tasks
from projects.imports.services import import_job_run
from projects.jobs import JobLost, job_claim
from projects.models import Dwelling, DwellingTransition, Job, OrganisationKind, Role
from surveys.planning.services import area_jobs, plan_area_job_create, plan_area_preview, plan_area_run
from surveys.plans.services import batches
from surveys.plans.tasks import plans_batch_task
from tests.conftest import member_of, next_monday
from tests.factories import DwellingFactory, UserFactory
from tests.world import build_outsider, build_world

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """The worker process stops in the middle of a step: nothing of the step is committed."""


def went_quiet(job, seconds=None):
    """The job's last sign of life lies further back than JOB_STALE_AFTER_SECONDS (database clock)."""
    from django.conf import settings

    seconds = seconds if seconds is not None else settings.JOB_STALE_AFTER_SECONDS + 60
    Job.objects.filter(pk=job.pk).update(heartbeat_at=Now() - datetime.timedelta(seconds=seconds))


def bulk_job(project, actor, homes, transition="inform"):
    return Job.objects.create(
        project=project,
        kind=Job.Kind.BULK_TRANSITION,
        created_by=actor,
        total=len(homes),
        params={"transition": transition, "reason": "Brief 1", "dwelling_ids": [h.pk for h in homes]},
    )


def moves_per_dwelling(homes) -> dict[int, int]:
    rows = (
        DwellingTransition.objects.filter(dwelling__in=[h.pk for h in homes])
        .values("dwelling")
        .annotate(n=Count("id"))
    )
    return {row["dwelling"]: row["n"] for row in rows}


# --- Bulk moves -----------------------------------------------------------------------------------


def test_a_bulk_move_whose_worker_died_is_taken_over_and_moves_each_dwelling_once(
    client, monkeypatch, lead_user, advised_project
):
    homes = DwellingFactory.create_batch(7, project=advised_project)
    job = bulk_job(advised_project, lead_user, homes)
    monkeypatch.setattr(tasks, "BULK_STEP", 3)
    real = projects.services.dwellings_bulk_transition
    steps = []

    def dies_in_the_second_step(**kwargs):
        steps.append(kwargs["dwelling_ids"])
        result = real(**kwargs)  # moves them, inside the step's transaction
        if len(steps) == 2:
            raise WorkerKilled
        return result

    monkeypatch.setattr(projects.services, "dwellings_bulk_transition", dies_in_the_second_step)
    with pytest.raises(WorkerKilled):
        tasks.dwellings_bulk_transition_task(job.pk)

    job.refresh_from_db()
    assert (job.status, job.processed, job.claims) == (Job.Status.RUNNING, 3, 1)
    assert DwellingTransition.objects.count() == 3  # the second step rolled back with its worker
    assert job.result == {"moved": 3, "skipped": []}

    # Delivered again while the job still looks alive: left alone.
    monkeypatch.setattr(projects.services, "dwellings_bulk_transition", real)
    tasks.dwellings_bulk_transition_task(job.pk)
    job.refresh_from_db()
    assert (job.status, job.claims, DwellingTransition.objects.count()) == (Job.Status.RUNNING, 1, 3)

    went_quiet(job)
    tasks.dwellings_bulk_transition_task(job.pk)

    job.refresh_from_db()
    assert (job.status, job.processed, job.takeovers) == (Job.Status.DONE, 7, 1)
    assert job.taken_over_at is not None
    assert job.result == {"moved": 7, "skipped": []}
    assert moves_per_dwelling(homes) == {h.pk: 1 for h in homes}
    assert set(Dwelling.objects.filter(project=advised_project).values_list("state", flat=True)) == {
        "informed"
    }
    client.force_login(lead_user)
    page = client.get(reverse("projects:job", args=[advised_project.slug, job.pk])).content.decode()
    assert 'id="job-taken-over"' in page and 'id="job-result"' in page
    assert "data-job-taken-over hidden" not in page
    status = client.get(reverse("projects:job-status", args=[advised_project.slug, job.pk])).json()
    assert (status["taken_over"], status["finished"], status["result"]) == (
        1,
        True,
        {"moved": 7, "skipped": 0},
    )


def test_a_bulk_move_that_runs_on_shows_no_note(client, lead_user, advised_project):
    homes = DwellingFactory.create_batch(2, project=advised_project)
    job = bulk_job(advised_project, lead_user, homes)
    tasks.dwellings_bulk_transition_task(job.pk)
    tasks.dwellings_bulk_transition_task(job.pk)  # delivered twice (acks_late): runs once
    job.refresh_from_db()
    assert (job.status, job.claims, job.takeovers) == (Job.Status.DONE, 1, 0)
    assert moves_per_dwelling(homes) == {h.pk: 1 for h in homes}
    client.force_login(lead_user)
    page = client.get(reverse("projects:job", args=[advised_project.slug, job.pk])).content.decode()
    assert "job-taken-over" not in page


# --- The claim --------------------------------------------------------------------------------------


def test_a_run_taken_for_dead_that_wakes_up_writes_nothing(lead_user, advised_project):
    homes = DwellingFactory.create_batch(2, project=advised_project)
    job = bulk_job(advised_project, lead_user, homes)
    first = job_claim(job_id=job.pk, kind=Job.Kind.BULK_TRANSITION)
    assert job_claim(job_id=job.pk, kind=Job.Kind.BULK_TRANSITION) is None  # it is running
    assert job_claim(job_id=job.pk, kind=Job.Kind.IMPORT) is None  # not of that kind
    went_quiet(job)
    second = job_claim(job_id=job.pk, kind=Job.Kind.BULK_TRANSITION)
    assert second.taken_over and (first.claim, second.claim) == (1, 2)

    with pytest.raises(JobLost):
        first.advance(1)
    with pytest.raises(JobLost), first.step():
        pass
    with pytest.raises(JobLost):
        first.finish({"moved": 2})
    first.fail("woke up")
    job.refresh_from_db()
    assert (job.status, job.processed, job.error) == (Job.Status.RUNNING, 0, "")

    second.advance(1)
    second.finish({"moved": 0})
    job.refresh_from_db()
    assert (job.status, job.result) == (Job.Status.DONE, {"moved": 0})
    assert job_claim(job_id=job.pk, kind=Job.Kind.BULK_TRANSITION) is None  # finished


def test_a_job_whose_worker_keeps_stopping_fails(lead_user, advised_project):
    job = bulk_job(advised_project, lead_user, DwellingFactory.create_batch(1, project=advised_project))
    for _ in range(jobs.MAX_CLAIMS):
        assert job_claim(job_id=job.pk, kind=Job.Kind.BULK_TRANSITION) is not None
        went_quiet(job)
    assert job_claim(job_id=job.pk, kind=Job.Kind.BULK_TRANSITION) is None
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and str(jobs.MAX_CLAIMS) in job.error
    assert not DwellingTransition.objects.exists()


def test_the_sweep_sends_the_jobs_whose_worker_stopped_again(settings, lead_user, advised_project):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    homes = DwellingFactory.create_batch(4, project=advised_project)
    stopped = bulk_job(advised_project, lead_user, homes[:1])
    alive = bulk_job(advised_project, lead_user, homes[1:2])
    lost = bulk_job(advised_project, lead_user, homes[2:3])  # its task never arrived
    waiting = bulk_job(advised_project, lead_user, homes[3:])  # its task is on its way
    for job in (stopped, alive):
        job_claim(job_id=job.pk, kind=Job.Kind.BULK_TRANSITION)
    went_quiet(stopped)
    Job.objects.filter(pk=lost.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))

    assert tasks.jobs_resume_stale_task.apply().get() == 2

    status = dict(Job.objects.values_list("pk", "status"))
    assert status == {stopped.pk: "done", alive.pk: "running", lost.pk: "done", waiting.pk: "pending"}
    assert moves_per_dwelling(homes) == {homes[0].pk: 1, homes[2].pk: 1}
    assert Job.objects.get(pk=stopped.pk).takeovers == 1
    assert Job.objects.get(pk=lost.pk).takeovers == 0


# --- The other kinds --------------------------------------------------------------------------------


def test_an_import_taken_over_starts_again_and_imports_once(lead_user, advised_project):
    rows = "\n".join(f"1437 CA;{n};Lindelaan;Amstelhoven;koop;tussenwoning" for n in range(1, 4))
    data = f"postcode;huisnummer;straat;plaats;eigendom;woningtype\n{rows}\n".encode()
    job = Job.objects.create(
        project=advised_project,
        kind=Job.Kind.IMPORT,
        created_by=lead_user,
        total=3,
        params={"filename": "woningen.csv", "language": "en"},
        input_file=ContentFile(data, name="woningen.csv"),
    )
    job_claim(job_id=job.pk, kind=Job.Kind.IMPORT)
    Job.objects.filter(pk=job.pk).update(processed=2)  # what its worker reported before it died
    went_quiet(job)

    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.takeovers, job.result["created"]) == (Job.Status.DONE, 1, 3)
    assert Dwelling.objects.filter(project=advised_project).count() == 3


def test_area_planning_taken_over_plans_each_dwelling_once(monkeypatch, advised_project):
    planner = member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
    surveyor = UserFactory(organisation=planner.organisation, field_worker=True)
    homes = [
        DwellingFactory(project=advised_project, state="informed", street="Kastanjelaan", house_number=n)
        for n in (1, 2, 3)
    ]
    preview = plan_area_preview(
        actor=planner,
        project=advised_project,
        streets=["Kastanjelaan"],
        surveyors=[surveyor],
        first_day=next_monday(),
    )
    job, _created = plan_area_job_create(
        actor=planner, project=advised_project, token="t1", assignments=[a.as_row() for a in preview.planned]
    )
    monkeypatch.setattr(area_jobs, "PROGRESS_EVERY", 2)
    real = area_jobs.plan_area_execute
    calls = []

    def dies_in_the_second_step(**kwargs):
        calls.append(kwargs["assignments"])
        result = real(**kwargs)
        if len(calls) == 2:
            raise WorkerKilled
        return result

    monkeypatch.setattr(area_jobs, "plan_area_execute", dies_in_the_second_step)
    with pytest.raises(WorkerKilled):
        plan_area_run(job_id=job.pk)
    assert DwellingTransition.objects.filter(transition="plan_survey").count() == 2

    monkeypatch.setattr(area_jobs, "plan_area_execute", real)
    went_quiet(job)
    plan_area_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.takeovers, job.result["moved"], job.result["skipped"]) == ("done", 1, 3, [])
    assert moves_per_dwelling(homes) == {h.pk: 1 for h in homes}


def test_a_plan_batch_taken_over_counts_each_chunk_once(settings, monkeypatch, lead_user, advised_project):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    homes = DwellingFactory.create_batch(2, project=advised_project, state="plan_ready")
    job = Job.objects.create(
        project=advised_project,
        kind=Job.Kind.PLAN_BATCH,
        created_by=lead_user,
        total=2,
        params={"scope": "project", "dwelling_ids": [h.pk for h in homes]},
    )
    rendered = []

    def render(*, dwelling_id, made_by):
        rendered.append(dwelling_id)
        return [(None, True), (None, False)]

    monkeypatch.setattr(batches, "plans_render", render)
    monkeypatch.setattr(batches, "BATCH_CHUNK", 1)
    assert batches.plans_batch_chunks(job) == [[homes[0].pk], [homes[1].pk]]
    batches.plans_batch_chunk(job_id=job.pk, chunk=0, dwelling_ids=[homes[0].pk])  # then its worker died
    went_quiet(job)

    plans_batch_task(job.pk)  # sends both chunks again; the first was counted

    job.refresh_from_db()
    assert rendered == [homes[0].pk, homes[1].pk]
    assert (job.status, job.processed, job.takeovers) == ("done", 2, 1)
    assert (job.result["made"], job.result["unchanged"], sorted(job.result["chunks"])) == (2, 2, [0, 1])


# --- One page and one JSON, each kind with its scope ----------------------------------------------

ROUTES = {
    Job.Kind.IMPORT: "projects:imports:job",
    Job.Kind.BULK_TRANSITION: "projects:job",
    Job.Kind.PLAN_BATCH: "plans:job",
    Job.Kind.AREA_PLANNING: "planning:job",
}


@pytest.fixture
def world(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return build_world()


def urls(world, kind):
    args = [world.project.slug, world.jobs[kind].pk]
    return reverse(ROUTES[kind], args=args), reverse(f"{ROUTES[kind]}-status", args=args)


def test_the_status_json_of_every_kind_has_the_same_keys(client, world):
    keys = {}
    for kind in ROUTES:
        who = world.people["planner" if kind == Job.Kind.AREA_PLANNING else "coordinator"]
        client.force_login(who)
        page, status = urls(world, kind)
        assert client.get(page).status_code == 200, kind
        response = client.get(status)
        assert response.status_code == 200, kind
        body = response.json()
        keys[kind] = set(body)
        assert (body["id"], body["kind"], body["url"]) == (world.jobs[kind].pk, kind, page)
        assert (body["finished"], body["percent"], body["taken_over"]) == (True, 100, 0)
    assert len({frozenset(k) for k in keys.values()}) == 1, keys


def test_a_running_job_page_polls_its_own_status(client, world):
    client.force_login(world.people["coordinator"])
    job = world.jobs[Job.Kind.BULK_TRANSITION]
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, total=4, processed=1)
    page, status = urls(world, Job.Kind.BULK_TRANSITION)
    text = client.get(page).content.decode()
    assert f'data-job-status="{status}"' in text and "data-job-taken-over hidden" in text


@pytest.mark.parametrize("outsider", [kind for kind, _label in OrganisationKind.choices])
def test_outsiders_get_404_for_every_kinds_page_and_json(client, world, outsider):
    client.force_login(build_outsider(outsider))
    for kind in ROUTES:
        for url in urls(world, kind):
            assert client.get(url).status_code == 404, url


def test_inside_the_project_each_kind_keeps_its_own_rule(client, world):
    """The import says 403 to the project's other parties, as its upload page does; the planning runs
    are the survey party's planners', the rest is 404 for whoever may not open them."""
    expected = {
        "communicator": {
            Job.Kind.IMPORT: 403,
            Job.Kind.BULK_TRANSITION: 404,
            "plan_batch": 404,
            "area_planning": 404,
        },
        "planner": {
            Job.Kind.IMPORT: 403,
            Job.Kind.BULK_TRANSITION: 404,
            "plan_batch": 404,
            "area_planning": 200,
        },
        "surveyor": {
            Job.Kind.IMPORT: 403,
            Job.Kind.BULK_TRANSITION: 404,
            "plan_batch": 404,
            "area_planning": 403,
        },
        "coordinator": {
            Job.Kind.IMPORT: 200,
            Job.Kind.BULK_TRANSITION: 200,
            "plan_batch": 200,
            "area_planning": 404,
        },
    }
    for person, codes in expected.items():
        client.force_login(world.people[person])
        for kind, code in codes.items():
            for url in urls(world, kind):
                assert client.get(url).status_code == code, (person, url)


# --- A real worker is killed in the middle of a bulk move; another one takes it over ---------------

needs_services = pytest.mark.skipif(
    connection.vendor != "postgresql" or not os.environ.get("TEST_REDIS_URL"),
    reason="needs PostgreSQL and the throwaway Redis of make test (scripts/with-services)",
)


class Workers:
    """Real ``celery -A config worker`` processes against the test database and the test Redis."""

    def __init__(self, tmp: Path):
        db = connection.settings_dict
        login = f"{db['USER']}:{db['PASSWORD']}" if db["PASSWORD"] else db["USER"]
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"CELERY_TASK_ALWAYS_EAGER", "TEST_CLOCK"}},
            "DATABASE_URL": f"postgres://{login}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": os.environ["TEST_REDIS_URL"],
            "VAR_DIR": str(tmp),
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        self.tmp = tmp
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
                "-n",
                f"{name}-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.tmp / f"{name}.log", "ab"),  # noqa: SIM115 - closed with the process
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def send(self, task: str, *args) -> None:
        from celery import Celery

        with Celery("jobs-test", broker=os.environ["TEST_REDIS_URL"]) as app:
            app.send_task(task, args=list(args))

    def kill(self, process: subprocess.Popen, sig=signal.SIGKILL) -> None:
        if process.poll() is None:
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop(self) -> None:
        for process in self.processes:
            try:
                self.kill(process, signal.SIGTERM)
            except subprocess.TimeoutExpired:
                self.kill(process)


def wait_for(condition, what: str, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout:.0f} s for {what}")


def someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0


@pytest.mark.postgres
@needs_services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_takes_over_a_bulk_move_whose_worker_was_killed(tmp_path, lead_user, advised_project):
    homes = sorted(
        DwellingFactory.create_batch(tasks.BULK_STEP + 3, project=advised_project), key=lambda h: h.pk
    )
    job = bulk_job(advised_project, lead_user, homes)
    workers = Workers(tmp_path)
    held, release = threading.Event(), threading.Event()

    def hold_a_dwelling_of_the_second_step():
        try:
            with transaction.atomic():
                list(
                    Dwelling.objects.select_for_update()
                    .filter(pk=homes[tasks.BULK_STEP].pk)
                    .values_list("pk")
                )
                held.set()
                release.wait(120)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_a_dwelling_of_the_second_step, daemon=True)
    holder.start()
    try:
        assert held.wait(10)
        first = workers.start("first")
        workers.send("projects.tasks.dwellings_bulk_transition_task", job.pk)
        # The first step committed; the second waits for the dwelling held above. Then the worker dies.
        wait_for(lambda: Job.objects.get(pk=job.pk).processed == tasks.BULK_STEP, "the first step")
        wait_for(someone_waits_for_a_lock, "the second step to wait for its dwelling")
        workers.kill(first)
        release.set()
        holder.join(30)
        went_quiet(job)  # waits until the dead worker's connection let go of the job's row

        job.refresh_from_db()
        assert (job.status, job.processed) == (Job.Status.RUNNING, tasks.BULK_STEP)
        assert DwellingTransition.objects.count() == tasks.BULK_STEP

        workers.start("second")
        workers.send("projects.tasks.jobs_resume_stale_task")  # what beat sends every five minutes
        wait_for(lambda: Job.objects.get(pk=job.pk).finished, "the second worker to finish the job")
    finally:
        release.set()
        workers.stop()

    job.refresh_from_db()
    logs = {p.name: p.read_text() for p in tmp_path.glob("*.log")}
    assert job.status == Job.Status.DONE, (job.error, logs)
    assert (job.takeovers, job.result["moved"], job.result["skipped"]) == (1, len(homes), [])
    assert moves_per_dwelling(homes) == {h.pk: 1 for h in homes}
    assert not Dwelling.objects.filter(project=advised_project).exclude(state="informed").exists()
