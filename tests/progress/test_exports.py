"""Exports: a dashboard's figures as CSV and XLSX for whoever may open the dashboard (the same figures
as the page, hidden cells as "< 10"), and the dwellings of a project for the lead party (CSV streamed,
XLSX as a job whose link expires)."""

import csv
import datetime
import html
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from procurement.models import ProjectProcurement
from progress import dwelling_exports, scopes
from progress.cells import Suppressed
from progress.exports import sheets
from progress.figures import dashboard
from progress.permissions import (
    can_export_dwellings,
    projects_exportable_by,
    sees_care_note,
    sees_people,
)
from projects.jobs import JOB_KINDS
from projects.models import Contact, Dwelling, Job, Project, WorkRole
from projects.permissions import can_see_contacts, can_see_extra_care_note
from tests.factories import UserFactory
from tests.progress.data import DECLINE_REASONS

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE = "Anna Geheimhouder", "anna.geheimhouder@example.test", "0612398765"
BUDGET = Decimal("987654")


@pytest.fixture
def world(programme):
    """The programme with a person in a home of each project and a budget: what must never leak."""
    for project in programme["projects"]:
        dwelling = project.dwellings.order_by("pk").first()
        Contact.objects.create(dwelling=dwelling, role="owner", name=NAME, email=EMAIL, phone=PHONE)
    ProjectProcurement.objects.create(project=programme["lindehof"], budget=BUDGET)
    return programme


def has_budget(text: str) -> bool:
    """The budget as a number of its own (987654, 987.654, 987,654 or 987654.0), not digits in others."""
    return re.search(r"(?<![\d.,])987[.,\u00a0 ]?654(?![\d]|[.,]\d*[1-9])", text) is not None


def get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(f"progress:{name}", args=args))


def content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark, for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def long_values(data: bytes) -> dict[tuple[str, str, str], str]:
    header, *rows = read_csv(data)
    assert len(header) == 7
    return {(figure, row, column): value for figure, row, column, value, *_labels in rows}


def shown(cell) -> str:
    """A cell as the CSV writes it (whole numbers here; the decimals are checked apart)."""
    if cell is None:
        return ""
    if isinstance(cell, Suppressed):
        return str(cell)
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    return cell


def board_for(user, kind, slug=None):
    projects, viewer = scopes.project_scope(user, slug) if kind == "project" else scopes.SCOPES[kind](user)
    return dashboard(projects, viewer)


def page_cells(page: str, table_id: str) -> dict[tuple[str, str], str]:
    """The cells of a table on the dashboard page, as text."""
    table = re.search(rf'<table[^>]*id="table-{table_id}".*?</table>', page, re.S).group(0)
    found = {}
    for row_key, row in re.findall(r'<tr data-row="([^"]*)">(.*?)</tr>', table, re.S):
        for column, value in re.findall(r'<td[^>]*data-column="([^"]*)">(.*?)</td>', row, re.S):
            found[html.unescape(row_key), column] = html.unescape(re.sub(r"<[^>]+>", "", value)).strip()
    return found


# --- the figures ---------------------------------------------------------------------------------------


def test_the_csv_holds_the_figures_of_the_page_with_small_groups_hidden(client, world):
    town = world["municipality"]
    page = get(client, town, "scope", "municipality").content.decode()
    answer = get(client, town, "scope-csv", "municipality")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    values = long_values(answer.content)

    # The page's tables, cell by cell.
    for table_id, figure in (("funnel", "funnel"), ("weekly", "weekly"), ("by_street", "by_street")):
        cells = page_cells(page, table_id)
        assert cells
        for (row, column), text in cells.items():
            csv_value = values[figure, "total" if row == "total" else row, column]
            assert csv_value == text.replace(".", "").replace(",", "") or (text == "–" and csv_value == "")
    # The street of three is hidden: "< 10" (or "x", hidden to protect one) or nothing to hide, never its
    # count.
    street = {column: value for (figure, row, column), value in values.items() if row == "Kastanjelaan"}
    assert street and set(street.values()) <= {"< 10", "x", "0"} and "< 10" in street.values()
    assert "< 10" in values.values()

    # Every figure of the dashboard is there, as the aggregation service left it.
    board = board_for(town, "municipality")
    for sheet in sheets(board):
        for row_key, _label, cells in sheet.rows:
            for column, cell in cells.items():
                expected = shown(cell)
                if isinstance(expected, bool) or isinstance(cell, float | Decimal):
                    continue
                assert values[sheet.key, row_key, column] == str(expected), (sheet.key, row_key, column)
    assert values["key_figures", "pace", "value"].replace(",", ".") == str(board.forecast.pace)


def test_the_xlsx_has_a_sheet_per_table_with_the_same_figures(client, world):
    town = world["municipality"]
    answer = get(client, town, "scope-xlsx", "municipality")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(content(answer)), read_only=True)
    found = sheets(board_for(town, "municipality"))
    assert len(book.sheetnames) == len(found) + 1  # the first says what the file is
    hidden = 0
    for name, sheet in zip(book.sheetnames[1:], found, strict=True):
        rows = list(book[name].iter_rows(values_only=True))
        assert len(rows) == len(sheet.rows) + 1
        for (row_key, label, cells), values in zip(sheet.rows, rows[1:], strict=True):
            assert values[0] == label
            for (column, _label), value in zip(sheet.columns, values[1:], strict=False):
                cell = cells.get(column)
                if isinstance(cell, Suppressed):
                    assert value == str(cell), (sheet.key, row_key, column, values)
                    hidden += 1
                elif cell is None:
                    assert value is None
                elif isinstance(cell, bool):
                    assert isinstance(value, str)
                elif isinstance(cell, datetime.date):
                    assert value.date() == cell
                else:
                    assert value == pytest.approx(float(cell)), (sheet.key, row_key, column)
    assert hidden > 0


def all_text(book) -> str:
    return " ".join(
        str(value)
        for name in book.sheetnames
        for row in book[name].iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def test_no_personal_data_or_prices_in_the_municipality_s_files(client, world):
    town, lead = world["municipality"], world["lead"]
    for name, args in (("scope-csv", ["municipality"]), ("project-csv", ["lindehof"])):
        text = get(client, town, name, *args).content.decode("utf-8-sig")
        for secret in (NAME, EMAIL, PHONE, "€", *DECLINE_REASONS):
            assert secret not in text
        assert not has_budget(text)
        assert ";costs;" not in text and "\ncosts;" not in text
    book = openpyxl.load_workbook(io.BytesIO(content(get(client, town, "scope-xlsx", "municipality"))))
    text = all_text(book)
    for secret in (NAME, EMAIL, PHONE, "€", *DECLINE_REASONS):
        assert secret not in text
    assert not has_budget(text)

    # The lead party sees the money and the reasons given (the same reader finds them there).
    lead_text = get(client, lead, "scope-csv", "programme").content.decode("utf-8-sig")
    values = long_values(lead_text.encode("utf-8-sig"))
    assert has_budget(values["costs", "lindehof", "budget"])
    assert any(reason in lead_text for reason in DECLINE_REASONS)
    # ... and never a person's name in the figures either.
    assert NAME not in lead_text and EMAIL not in lead_text
    lead_book = all_text(
        openpyxl.load_workbook(io.BytesIO(content(get(client, lead, "project-xlsx", "lindehof"))))
    )
    assert has_budget(lead_book) and NAME not in lead_book


def test_the_dashboard_offers_its_files(client, world):
    page = get(client, world["municipality"], "scope", "municipality").content.decode()
    assert reverse("progress:scope-csv", args=["municipality"]) in page
    assert reverse("progress:scope-xlsx", args=["municipality"]) in page
    assert reverse("progress:scope-reports", args=["municipality"]) in page
    page = get(client, world["municipality"], "project", "lindehof").content.decode()
    assert 'id="export-csv"' in page and 'id="dwelling-exports-link"' not in page
    page = get(client, world["lead"], "project", "lindehof").content.decode()
    assert reverse("progress:dwelling-exports", args=["lindehof"]) in page
    dwellings = get(client, world["lead"], "dwelling-exports", "lindehof")
    assert dwellings.status_code == 200
    client.force_login(world["lead"])
    listing = client.get(reverse("projects:dwellings", args=["lindehof"])).content.decode()
    assert 'id="dwelling-export-link"' in listing


# --- who exports dwellings ------------------------------------------------------------------------------


def test_only_the_lead_party_exports_dwellings_and_the_rule_has_its_twin(world):
    lead = world["lead"]
    field_worker = UserFactory(organisation=lead.organisation, work_roles=[WorkRole.FIELD_WORKER])
    people = [
        lead,
        field_worker,
        world["municipality"],
        world["installer"],
        world["surveyor"],
        world["outsider"],
    ]
    for person in people:
        exportable = set(projects_exportable_by(person).values_list("pk", flat=True))
        for project in Project.objects.all():
            assert can_export_dwellings(person, project) == (project.pk in exportable)
    assert {p.slug for p in projects_exportable_by(lead)} == {"lindehof", "beukenhof"}
    assert {p.slug for p in projects_exportable_by(world["outsider"])} == {"elders"}
    for person in people[1:4]:
        assert not projects_exportable_by(person).exists()


def test_the_columns_follow_the_rules_for_one_dwelling(world):
    lead, installer = world["lead"], world["installer"]
    project = world["lindehof"]
    for dwelling in Dwelling.objects.filter(project=project).order_by("pk")[:25]:
        for person in (lead, installer, world["municipality"]):
            if sees_people(person, project):
                assert can_see_contacts(person, dwelling)
            if sees_care_note(person, project):
                assert can_see_extra_care_note(person, dwelling)
    keys = [column.key for column in dwelling_exports.columns(lead, project)]
    assert {"owner_name", "owner_email", "owner_phone", "resident_name", "extra_care_note"} <= set(keys)
    assert not any(word in key for key in keys for word in ("price", "cost", "budget", "amount", "rate"))
    # A party that sees no people would get the register only.
    assert "owner_name" not in [column.key for column in dwelling_exports.columns(installer, project)]


# --- the dwellings as CSV --------------------------------------------------------------------------------


def test_the_dwelling_csv_streams_exactly_the_visible_dwellings(client, world, monkeypatch):
    monkeypatch.setattr(dwelling_exports, "CHUNK_SIZE", 25)  # several chunks, each with its people
    lead = world["lead"]
    answer = get(client, lead, "dwellings-csv", "lindehof")
    assert answer.status_code == 200
    assert isinstance(answer, StreamingHttpResponse)
    assert answer["Content-Type"].startswith("text/csv") and "attachment" in answer["Content-Disposition"]
    header, *rows = read_csv(content(answer))
    keys = [column.key for column in dwelling_exports.columns(lead, world["lindehof"])]
    assert len(header) == len(keys) and all(len(row) == len(keys) for row in rows)
    ids = [int(row[keys.index("id")]) for row in rows]
    visible = set(Dwelling.objects.filter(project=world["lindehof"]).values_list("pk", flat=True))
    assert len(ids) == len(set(ids)) and set(ids) == visible
    # The lead party sees the people; no price anywhere.
    person = next(row for row in rows if row[keys.index("owner_name")] == NAME)
    assert person[keys.index("owner_email")] == EMAIL and person[keys.index("owner_phone")] == PHONE
    text = content(get(client, lead, "dwellings-csv", "lindehof")).decode("utf-8-sig")
    assert "€" not in text and not has_budget(text)


def test_a_text_that_excel_would_read_as_a_formula_is_written_as_text(client, world):
    dwelling = world["lindehof"].dwellings.order_by("pk").first()
    Dwelling.objects.filter(pk=dwelling.pk).update(owners_association='=HYPERLINK("http://x")')
    _header, *rows = read_csv(content(get(client, world["lead"], "dwellings-csv", "lindehof")))
    assert any(cell == '\'=HYPERLINK("http://x")' for row in rows for cell in row)


# --- the dwellings as XLSX, a job ---------------------------------------------------------------------------


def test_the_xlsx_export_runs_as_a_job_with_progress_and_a_download(
    client, world, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(dwelling_exports, "PROGRESS_EVERY", 20)
    reported = []
    from projects.jobs import JobRun

    advance = JobRun.advance
    monkeypatch.setattr(JobRun, "advance", lambda run, n: (reported.append(n), advance(run, n))[1])
    lead = world["lead"]
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("progress:dwellings-xlsx", args=["lindehof"]))
    job = Job.objects.get(kind=Job.Kind.DWELLING_EXPORT)
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "progress:export-job", args=["lindehof", job.pk]
    )
    assert job.status == Job.Status.DONE and job.total == 120 and job.result["rows"] == 120
    assert reported == [20, 40, 60, 80, 100, 120]
    status = client.get(reverse("progress:export-job-status", args=["lindehof", job.pk])).json()
    assert status["percent"] == 100 and status["result"]["download"]
    page = client.get(reverse("progress:export-job", args=["lindehof", job.pk])).content.decode()
    download = reverse("progress:export-download", args=["lindehof", job.pk])
    assert download in page
    answer = client.get(download)
    assert answer.status_code == 200 and answer["Cache-Control"] == "private, no-store"
    book = openpyxl.load_workbook(io.BytesIO(content(answer)), read_only=True)
    header, *rows = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    keys = [column.key for column in dwelling_exports.columns(lead, world["lindehof"])]
    assert len(header) == len(keys)
    visible = set(Dwelling.objects.filter(project=world["lindehof"]).values_list("pk", flat=True))
    assert {int(row[0]) for row in rows} == visible
    assert any(row[keys.index("owner_name")] == NAME for row in rows)
    assert JOB_KINDS[Job.Kind.DWELLING_EXPORT].url_name == "progress:export-job"

    # A second click while it runs returns the running one; a colleague does not see it.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    assert dwelling_exports.export_start(actor=lead, project=world["lindehof"]).pk == job.pk
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE)
    colleague = UserFactory(organisation=lead.organisation)
    assert get(client, colleague, "export-job", "lindehof", job.pk).status_code == 404
    assert get(client, colleague, "export-download", "lindehof", job.pk).status_code == 404


def test_an_expired_link_refuses_and_the_file_is_removed(client, world, django_capture_on_commit_callbacks):
    lead = world["lead"]
    with django_capture_on_commit_callbacks(execute=True):
        job = dwelling_exports.export_start(actor=lead, project=world["beukenhof"])
    job.refresh_from_db()
    name = job.output_file.name
    assert job.status == Job.Status.DONE and default_storage.exists(name)
    download = ("export-download", "beukenhof", job.pk)
    assert get(client, lead, *download).status_code == 200
    # Still there just before the hours are up, refused after; the job page no longer offers it.
    hours = datetime.timedelta(hours=settings.EXPORT_LINK_HOURS)
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - hours + datetime.timedelta(minutes=5))
    assert get(client, lead, *download).status_code == 200
    assert dwelling_exports.export_files_purge() == 0
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - hours - datetime.timedelta(minutes=1))
    refused = get(client, lead, *download)
    assert refused.status_code == 410 and b'id="export-expired"' in refused.content
    page = get(client, lead, "export-job", "beukenhof", job.pk).content.decode()
    assert 'id="job-expired"' in page and reverse("progress:export-download", args=download[1:]) not in page
    # The hourly sweep removes the file; the job stays and still refuses.
    from progress.tasks import export_files_purge_task

    assert export_files_purge_task.delay().get() == 1
    job.refresh_from_db()
    assert not job.output_file and not default_storage.exists(name) and "file_removed" in job.result
    assert get(client, lead, *download).status_code == 410
    assert dwelling_exports.export_files_purge() == 0


# --- scope -----------------------------------------------------------------------------------------------


def test_another_party_gets_404_on_every_new_route(client, world, django_capture_on_commit_callbacks):
    lead = world["lead"]
    with django_capture_on_commit_callbacks(execute=True):
        job = dwelling_exports.export_start(actor=lead, project=world["lindehof"])
    outsider, town, installer = world["outsider"], world["municipality"], world["installer"]
    figures = [
        ("project-csv", ["lindehof"]),
        ("project-xlsx", ["lindehof"]),
        ("scope-csv", ["municipality"]),
        ("scope-xlsx", ["municipality"]),
        ("scope-csv", ["nothing"]),
    ]
    dwellings = [
        ("dwelling-exports", ["lindehof"]),
        ("dwellings-csv", ["lindehof"]),
        ("export-job", ["lindehof", job.pk]),
        ("export-job-status", ["lindehof", job.pk]),
        ("export-download", ["lindehof", job.pk]),
    ]
    for name, args in figures + dwellings:
        assert get(client, outsider, name, *args).status_code == 404, name
    client.force_login(outsider)
    assert client.post(reverse("progress:dwellings-xlsx", args=["lindehof"])).status_code == 404
    # The outsider's own programme is its own project only.
    own = get(client, outsider, "scope-csv", "programme").content.decode("utf-8-sig")
    assert "elders" in own and "lindehof" not in own and "Lindehof" not in own
    # The parties of the project that are not its lead: the figures yes, the dwellings no.
    for person in (town, installer):
        assert get(client, person, "project-csv", "lindehof").status_code == 200
        for name, args in dwellings:
            assert get(client, person, name, *args).status_code == 404, (person, name)
        client.force_login(person)
        assert client.post(reverse("progress:dwellings-xlsx", args=["lindehof"])).status_code == 404
    assert get(client, town, "scope-xlsx", "programme").status_code == 404
    assert get(client, installer, "scope-csv", "municipality").status_code == 404
    assert Job.objects.filter(kind=Job.Kind.DWELLING_EXPORT).count() == 1


def test_a_read_only_colleague_downloads_the_csv_but_starts_no_job(client, world):
    reader = UserFactory(organisation=world["lead"].organisation, read_only=True)
    assert get(client, reader, "dwellings-csv", "lindehof").status_code == 200
    page = get(client, reader, "dwelling-exports", "lindehof").content.decode()
    assert 'id="xlsx-read-only"' in page and 'id="dwellings-xlsx"' not in page
    assert client.post(reverse("progress:dwellings-xlsx", args=["lindehof"])).status_code == 403
    assert not Job.objects.filter(kind=Job.Kind.DWELLING_EXPORT).exists()


def test_an_export_whose_maker_no_longer_leads_fails_with_the_reason_and_writes_no_file(
    world, django_capture_on_commit_callbacks
):
    from projects.models import Participation, Role

    lead = world["lead"]
    with django_capture_on_commit_callbacks() as callbacks:
        job = dwelling_exports.export_start(actor=lead, project=world["beukenhof"])
    Participation.objects.filter(
        project=world["beukenhof"], organisation=lead.organisation, role=Role.LEAD
    ).delete()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error and not job.output_file
