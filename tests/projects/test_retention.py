"""Uploaded register files and rejects files are removed after IMPORT_FILE_RETENTION_DAYS; the job stays."""

import datetime
import uuid
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from config.celery import app as celery_app
from projects.imports.retention import import_files_purge
from projects.models import Job
from projects.tasks import import_files_purge_task

pytestmark = pytest.mark.django_db

# One good row and one with a postcode that cannot be: with skip_invalid the import keeps a rejects file.
REGISTER = (
    b"postcode;huisnummer;straat;plaats;eigendom;woningtype;bouwjaar;eigenaar_naam;eigenaar_email\n"
    b"1437 CA;1;Lindelaan;Amstelhoven;koop;tussenwoning;1958;Anna Jansen;anna@example.com\n"
    b"0123 AB;2;Lindelaan;Amstelhoven;koop;tussenwoning;1958;Bert Jansen;bert@example.com\n"
)


@pytest.fixture
def project(advised_project):
    return advised_project


@pytest.fixture
def imported(client, project, lead_user, django_capture_on_commit_callbacks):
    """Import the register through the upload page at a moment ``days_ago`` days back; the finished job."""
    client.force_login(lead_user)

    def run(days_ago: float) -> Job:
        moment = timezone.now() - datetime.timedelta(days=days_ago)
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("projects:imports:upload", args=[project.slug]),
                {
                    "file": SimpleUploadedFile("woningen.csv", REGISTER),
                    "skip_invalid": "on",
                    "submission": str(uuid.uuid4()),
                },
            )
        assert response.status_code == 302
        job = Job.objects.latest("pk")
        assert job.status == Job.Status.DONE
        assert job.input_file and job.output_file
        return job

    return run


def stored(job: Job) -> list[Path]:
    """The job's files as they lie in storage (MEDIA_ROOT)."""
    return [Path(field.path) for field in (job.input_file, job.output_file) if field]


def test_files_older_than_the_setting_are_removed_and_newer_ones_kept(settings, imported):
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    old, recent = imported(days_ago=31), imported(days_ago=29)
    old_files, recent_files = stored(old), stored(recent)
    old_result = dict(old.result)
    assert len(old_files) == len(recent_files) == 2
    assert all(path.exists() for path in old_files + recent_files)

    assert import_files_purge() == 1

    old.refresh_from_db()
    assert not old.input_file and not old.output_file
    assert not any(path.exists() for path in old_files)
    # The history stays: the job, its counts and its wrong rows (without the values the file held).
    assert old.status == Job.Status.DONE
    kept = {key: old.result[key] for key in old_result if key != "errors"}
    assert kept == {key: value for key, value in old_result.items() if key != "errors"}
    assert [row[:2] + row[3:] for row in old.result["errors"]] == [
        row[:2] + row[3:] for row in old_result["errors"]
    ]
    assert (old.result["created"], old.result["rejected"]) == (1, 1)
    assert old.result["files_removed"]["after_days"] == 30
    recent.refresh_from_db()
    assert recent.input_file and recent.output_file
    assert all(path.exists() for path in recent_files)


def test_a_second_run_changes_nothing(settings, imported):
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    imported(days_ago=40)
    recent = imported(days_ago=1)
    assert import_files_purge() == 1
    rows = list(Job.objects.order_by("pk").values())
    recent_files = stored(recent)

    assert import_files_purge() == 0

    assert list(Job.objects.order_by("pk").values()) == rows
    assert all(path.exists() for path in recent_files)


def test_the_clock_decides_with_the_setting(settings, imported):
    """The same job: kept while it is younger than the setting, its files removed once it is older."""
    settings.IMPORT_FILE_RETENTION_DAYS = 7
    job = imported(days_ago=0)
    files = stored(job)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=6, hours=23), tick=False):
        assert import_files_purge() == 0
    assert all(path.exists() for path in files)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, hours=1), tick=False):
        assert import_files_purge() == 1
    assert not any(path.exists() for path in files)
    job.refresh_from_db()
    assert job.result["files_removed"]["after_days"] == 7


def test_chunks_reach_every_job(settings, imported):
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    jobs = [imported(days_ago=31 + n) for n in range(3)]

    assert import_files_purge(chunk_size=1) == 3

    assert not Job.objects.exclude(input_file="").exists()
    assert not any(path.exists() for job in jobs for path in stored(job))


def test_unfinished_and_other_jobs_keep_their_files(settings, project, lead_user):
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    long_ago = timezone.now() - datetime.timedelta(days=90)

    def job_with_file(**fields) -> Job:
        job = Job(project=project, created_by=lead_user, created_at=long_ago, **fields)
        job.input_file.save("register.csv", ContentFile(b"postcode\n"), save=False)
        job.save()
        return job

    failed = job_with_file(kind=Job.Kind.IMPORT, status=Job.Status.FAILED, finished_at=long_ago)
    running = job_with_file(kind=Job.Kind.IMPORT, status=Job.Status.RUNNING)
    other_kind = job_with_file(kind=Job.Kind.BULK_TRANSITION, status=Job.Status.DONE, finished_at=long_ago)

    assert import_files_purge() == 1

    failed.refresh_from_db()
    assert not failed.input_file  # a failed import's file goes too
    for job in (running, other_kind):
        kept = Path(job.input_file.path)
        job.refresh_from_db()
        assert job.input_file and kept.exists()


def test_a_file_already_gone_from_storage_is_cleared_all_the_same(settings, imported):
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    job = imported(days_ago=31)
    for path in stored(job):
        path.unlink()

    assert import_files_purge() == 1

    job.refresh_from_db()
    assert not job.input_file and not job.output_file


def test_the_job_page_still_opens_and_says_the_file_was_removed(client, settings, project, imported):
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    job = imported(days_ago=31)
    rejects_url = reverse("projects:imports:rejects", args=[project.slug, job.pk])
    job_url = reverse("projects:imports:job", args=[project.slug, job.pk])
    assert rejects_url in client.get(job_url).text

    import_files_purge()

    page = client.get(job_url)
    assert page.status_code == 200
    assert 'id="import-result"' in page.text
    assert rejects_url not in page.text  # no download that is gone
    with translation.override("nl"):
        removed = ngettext(
            "The file with the skipped rows was removed %(counter)s day after the import.",
            "The file with the skipped rows was removed %(counter)s days after the import.",
            30,
        ) % {"counter": 30}
    assert removed in page.text
    assert client.get(rejects_url).status_code == 404


# --- the task and its schedule ---------------------------------------------------------------------


def test_the_task_removes_the_old_files(settings, imported):
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    job = imported(days_ago=31)

    assert import_files_purge_task.apply().get() == 1

    job.refresh_from_db()
    assert not job.input_file


def test_the_beat_schedule_names_tasks_that_celery_knows(settings):
    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscover the tasks

    assert settings.CELERY_BEAT_SCHEDULE
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks
    assert "projects.tasks.import_files_purge_task" in [
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    ]


@pytest.mark.django_db(transaction=True)  # the scheduler commits and closes connections as beat does
def test_beat_writes_the_schedule_into_the_database_for_the_admin():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    assert celery_app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"

    DatabaseScheduler(app=celery_app)  # what `celery beat` does at start

    task = PeriodicTask.objects.get(name="import-files-purge")
    assert task.task == "projects.tasks.import_files_purge_task"
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("3", "15")


def test_the_result_loses_its_copies_of_personal_data_with_the_files(
    client, settings, project, imported, django_capture_on_commit_callbacks
):
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    first = imported(days_ago=40)
    # The same home again with another owner's e-mail: the job lists that change per home.
    changed = REGISTER.replace(b"anna@example.com", b"anna.jansen@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("projects:imports:upload", args=[project.slug]),
            {
                "file": SimpleUploadedFile("woningen.csv", changed),
                "skip_invalid": "on",
                "submission": str(uuid.uuid4()),
            },
        )
    second = Job.objects.latest("pk")
    assert second.pk != first.pk
    Job.objects.filter(pk=second.pk).update(finished_at=timezone.now() - datetime.timedelta(days=40))
    second.refresh_from_db()
    assert "anna" in str(second.result["changes"])
    assert "0123 AB" in str(second.result["errors"])

    import_files_purge()

    second.refresh_from_db()
    kept = str(second.result)
    assert "anna" not in kept and "0123 AB" not in kept
    assert second.result["errors"] and second.result["errors"][0][3]  # line, column and reason stay
    page = client.get(reverse("projects:imports:job", args=[project.slug, second.pk])).text
    assert 'id="changes-removed"' in page
    # The history of the home still has the change, and so does the CSV made from it.
    csv = b"".join(
        client.get(reverse("projects:imports:changes", args=[project.slug, second.pk])).streaming_content
    )
    assert b"anna.jansen@example.com" in csv
