"""The monthly progress report: a PDF per project, programme and municipality, made for an
organisation on the first of the month and on demand, kept per month, scoped like the dashboards.

The PDF is read back with the project's own reader (``tests.surveys.test_plans.pdf_text``: pypdf and
pdftotext are not part of the project). Every phrase asserted absent from the municipality's report is
found by the same reader in the lead party's, so an empty extraction cannot make the test pass.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext

from procurement.models import ProjectProcurement
from progress import reports, scopes
from progress.aggregates import Viewer
from progress.cells import Suppressed
from progress.figures import dashboard
from progress.models import MonthlyReport
from progress.tasks import reports_monthly_task
from projects.models import Contact
from tests.progress.data import DECLINE_REASONS
from tests.surveys.test_plans import pdf_objects, pdf_text, squeeze

pytestmark = pytest.mark.django_db

Kind = MonthlyReport.Kind
NAME, EMAIL, PHONE = "Bert Vertrouwelijk", "bert.vertrouwelijk@example.test", "0687654321"


@pytest.fixture
def world(programme):
    for project in programme["projects"]:
        dwelling = project.dwellings.order_by("pk").first()
        Contact.objects.create(dwelling=dwelling, role="resident", name=NAME, email=EMAIL, phone=PHONE)
    ProjectProcurement.objects.create(project=programme["lindehof"], budget=Decimal("987654"))
    return programme


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def make(client, user, name, *args, capture):
    client.force_login(user)
    with capture(execute=True):
        return client.post(reverse(f"progress:{name}", args=args))


def read(report: MonthlyReport) -> bytes:
    with report.file.open("rb") as file:
        return file.read()


def pages(pdf: bytes) -> int:
    return sum(1 for head, _data in pdf_objects(pdf).values() if re.search(rb"/Type\s*/Page(?![a-z])", head))


def test_a_double_submit_makes_one_report_and_making_it_again_replaces_it(
    client, world, django_capture_on_commit_callbacks
):
    lead, project = world["lead"], world["lindehof"]
    answer = make(client, lead, "project-report-make", "lindehof", capture=django_capture_on_commit_callbacks)
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "progress:project-reports", args=["lindehof"]
    )
    report = MonthlyReport.objects.get()
    assert (report.kind, report.project, report.organisation, report.month) == (
        Kind.PROJECT,
        project,
        lead.organisation,
        this_month(),
    )
    assert report.status == MonthlyReport.Status.DONE and read(report).startswith(b"%PDF-")
    first = report.file.name

    # Two clicks before the first is made: one row, one task.
    MonthlyReport.objects.all().delete()
    with django_capture_on_commit_callbacks() as callbacks:
        one = reports.report_request(actor=lead, kind=Kind.PROJECT, project=project)
        two = reports.report_request(actor=lead, kind=Kind.PROJECT, project=project)
    assert one.pk == two.pk and MonthlyReport.objects.count() == 1 and len(callbacks) == 1

    # Made again later: the same row, a new file, the old one gone.
    for callback in callbacks:
        callback()
    report = MonthlyReport.objects.get()
    made = report.made_at
    name = report.file.name
    make(client, lead, "project-report-make", "lindehof", capture=django_capture_on_commit_callbacks)
    again = MonthlyReport.objects.get()
    assert again.pk == report.pk and again.made_at > made and again.file.name != name
    assert not default_storage.exists(name) and default_storage.exists(first)  # the first row was deleted
    assert default_storage.exists(again.file.name)


def test_the_beat_task_makes_one_report_per_project_programme_and_municipality(world, monkeypatch):
    sent = reports_monthly_task.delay().get()
    made = MonthlyReport.objects.filter(month=this_month())
    assert len(sent) == made.count()
    heat, town = world["lead"].organisation, world["municipality"].organisation
    other = world["outsider"].organisation
    assert {(r.project.slug, r.organisation_id) for r in made.filter(kind=Kind.PROJECT)} == {
        ("lindehof", heat.pk),
        ("beukenhof", heat.pk),
        ("elders", other.pk),
    }
    assert set(made.filter(kind=Kind.PROGRAMME).values_list("organisation_id", flat=True)) == {
        heat.pk,
        other.pk,
    }
    assert list(made.filter(kind=Kind.MUNICIPALITY).values_list("organisation_id", flat=True)) == [town.pk]
    assert all(r.status == MonthlyReport.Status.DONE and r.file and r.figures for r in made)
    # Run again the same month: nothing new.
    assert reports_monthly_task.delay().get() == []
    assert MonthlyReport.objects.count() == 6
    # The next month gets its own (sent to be made; not made here).
    monkeypatch.setattr(reports, "_enqueue", lambda report_id: None)
    next_month = (this_month() + datetime.timedelta(days=32)).replace(day=1)
    assert len(reports.reports_monthly(next_month)) == 6
    assert MonthlyReport.objects.count() == 12


def test_the_municipality_s_report_holds_aggregates_only(client, world, django_capture_on_commit_callbacks):
    town, lead = world["municipality"], world["lead"]
    make(client, town, "scope-report-make", "municipality", capture=django_capture_on_commit_callbacks)
    make(client, lead, "scope-report-make", "programme", capture=django_capture_on_commit_callbacks)
    theirs = MonthlyReport.objects.get(kind=Kind.MUNICIPALITY)
    ours = MonthlyReport.objects.get(kind=Kind.PROGRAMME)
    town_pdf, lead_pdf = read(theirs), read(ours)
    town_text, lead_text = squeeze(pdf_text(town_pdf)), squeeze(pdf_text(lead_pdf))

    # Nothing personal, no money, no free text of residents; small groups hidden.
    assert "<10" in town_text and "Kastanjelaan" in town_text
    for secret in (NAME, EMAIL, PHONE, "€", "987.654", "987,654", *DECLINE_REASONS):
        assert squeeze(secret) not in town_text
        assert squeeze(secret) not in squeeze(town_pdf.decode("latin-1"))
    # The same reader finds the money and the reasons given in the lead party's report.
    assert "€" in lead_text and any(squeeze(reason) in lead_text for reason in DECLINE_REASONS)
    assert re.search(r"987[.,]654", lead_text)
    for secret in (NAME, EMAIL, PHONE):
        assert squeeze(secret) not in lead_text

    # Print-readable A4 with page numbers and the date made.
    assert pages(town_pdf) >= 3
    boxes = [head for head, _data in pdf_objects(town_pdf).values() if b"/MediaBox" in head]
    assert boxes and all(re.search(rb"/MediaBox\s*\[\s*0 0 595\.\d+ 841\.\d+", head) for head in boxes)
    with translation.override(settings.LANGUAGE_CODE):
        last = squeeze(gettext("page {page} of {pages}").format(page=pages(town_pdf), pages=pages(town_pdf)))
        made = squeeze(dateformat.format(timezone.localtime(theirs.made_at), "j F Y"))
    assert last in town_text and made in town_text
    # The charts are in it as drawings with their text (the same SVG as the page).
    assert town_text.count("<10") > 3


def test_what_changed_since_the_last_report(world, django_capture_on_commit_callbacks):
    lead, project = world["lead"], world["lindehof"]
    previous_month = (this_month() - datetime.timedelta(days=1)).replace(day=1)
    current = reports.key_figures(dashboard(*scopes.project_scope(lead, "lindehof")))
    earlier = {**current, "connected": current["connected"] - 20, "total": current["total"]}
    MonthlyReport.objects.create(
        kind=Kind.PROJECT,
        project=project,
        organisation=lead.organisation,
        month=previous_month,
        status=MonthlyReport.Status.DONE,
        figures=earlier,
    )
    with django_capture_on_commit_callbacks(execute=True):
        reports.report_request(actor=lead, kind=Kind.PROJECT, project=project)
    report = MonthlyReport.objects.get(month=this_month())
    assert report.figures == current
    text = squeeze(pdf_text(read(report)))
    assert "+20" in text
    rows = {row["key"]: row for row in reports.changes(report.figures, earlier, Viewer(True, True, 10))}
    assert rows["connected"]["difference"] == 20 and rows["total"]["difference"] == 0


def test_a_small_change_is_hidden_from_who_sees_aggregates_only():
    now = {"connected": 103, "total": 200, "pace": 2.5, "open_questions": "< 10", "installed": "x"}
    then = {"connected": 100, "total": 180, "pace": 2.0, "open_questions": 12, "installed": 30}
    aggregate = {row["key"]: row for row in reports.changes(now, then, Viewer(False, False, 10))}
    assert isinstance(aggregate["connected"]["difference"], Suppressed)
    assert aggregate["total"]["difference"] == 20 and aggregate["pace"]["difference"] == 0.5
    assert aggregate["open_questions"]["difference"] is None
    assert isinstance(aggregate["open_questions"]["now"], Suppressed)
    assert str(aggregate["open_questions"]["now"]) == "< 10" and str(aggregate["installed"]["now"]) == "x"
    assert aggregate["installed"]["difference"] is None
    exact = {row["key"]: row for row in reports.changes(now, then, Viewer(True, True, 10))}
    assert exact["connected"]["difference"] == 3
    first = reports.changes(now, None, Viewer(True, True, 10))
    assert all(row["then"] is None and row["difference"] is None for row in first)


def test_the_report_sees_as_the_organisation_s_people_see_the_dashboard(world):
    for person, kind, slug in (
        (world["lead"], "project", "lindehof"),
        (world["municipality"], "project", "lindehof"),
        (world["installer"], "project", "lindehof"),
        (world["lead"], "programme", None),
        (world["municipality"], "municipality", None),
        (world["outsider"], "programme", None),
    ):
        projects, viewer = scopes.project_scope(person, slug) if slug else scopes.SCOPES[kind](person)
        assert reports.organisation_viewer(person.organisation, projects) == viewer, (person, kind)
        if kind != "project":
            assert reports.report_projects(kind, person.organisation) == projects


def test_the_list_of_reports_and_their_files_are_scoped(client, world, django_capture_on_commit_callbacks):
    lead, town, installer, outsider = (
        world["lead"],
        world["municipality"],
        world["installer"],
        world["outsider"],
    )
    capture = django_capture_on_commit_callbacks
    make(client, lead, "project-report-make", "lindehof", capture=capture)
    make(client, town, "project-report-make", "lindehof", capture=capture)
    make(client, town, "scope-report-make", "municipality", capture=capture)
    lead_report = MonthlyReport.objects.get(kind=Kind.PROJECT, organisation=lead.organisation)
    town_report = MonthlyReport.objects.get(kind=Kind.PROJECT, organisation=town.organisation)
    town_scope = MonthlyReport.objects.get(kind=Kind.MUNICIPALITY)
    assert lead_report.pk != town_report.pk  # one per organisation: each sees it as on its own dashboard

    client.force_login(lead)
    page = client.get(reverse("progress:project-reports", args=["lindehof"])).content.decode()
    assert reverse("progress:report-file", args=[lead_report.pk]) in page
    assert reverse("progress:report-file", args=[town_report.pk]) not in page
    answer = client.get(reverse("progress:report-file", args=[lead_report.pk]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"

    # Another organisation's report does not exist for the person, even in a project they share.
    for person, report in (
        (town, lead_report),
        (lead, town_report),
        (lead, town_scope),
        (installer, lead_report),
    ):
        client.force_login(person)
        assert client.get(reverse("progress:report-file", args=[report.pk])).status_code == 404
    client.force_login(town)
    assert client.get(reverse("progress:report-file", args=[town_scope.pk])).status_code == 200

    # Outside the dashboards: 404 on every route, and nothing made.
    count = MonthlyReport.objects.count()
    client.force_login(outsider)
    for name, args in (
        ("project-reports", ["lindehof"]),
        ("scope-reports", ["municipality"]),
        ("scope-reports", ["nothing"]),
        ("report-file", [lead_report.pk]),
        ("report-file", [town_scope.pk]),
    ):
        assert client.get(reverse(f"progress:{name}", args=args)).status_code == 404, name
    for name, args in (
        ("project-report-make", ["lindehof"]),
        ("scope-report-make", ["municipality"]),
        ("scope-report-make", ["nothing"]),
    ):
        with capture(execute=True):
            assert client.post(reverse(f"progress:{name}", args=args)).status_code == 404, name
    client.force_login(town)
    with capture(execute=True):
        assert client.post(reverse("progress:scope-report-make", args=["programme"])).status_code == 404
    client.force_login(installer)
    assert client.get(reverse("progress:project-reports", args=["beukenhof"])).status_code == 404
    assert MonthlyReport.objects.count() == count


def test_a_person_without_an_organisation_gets_a_message_and_nothing_is_made(
    client, world, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    admin = UserFactory(organisation=None, is_superuser=True)
    answer = make(
        client, admin, "project-report-make", "lindehof", capture=django_capture_on_commit_callbacks
    )
    assert answer.status_code == 302 and MonthlyReport.objects.count() == 0
    page = client.get(answer["Location"])
    assert page.status_code == 200 and 'id="make-report"' not in page.content.decode()
    assert list(page.context["messages"])


def test_a_read_only_colleague_reads_the_reports_but_makes_none(
    client, world, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    reader = UserFactory(organisation=world["lead"].organisation, read_only=True)
    answer = make(
        client, reader, "project-report-make", "lindehof", capture=django_capture_on_commit_callbacks
    )
    assert answer.status_code == 403 and MonthlyReport.objects.count() == 0
    make(client, world["lead"], "project-report-make", "lindehof", capture=django_capture_on_commit_callbacks)
    report = MonthlyReport.objects.get()
    client.force_login(reader)
    page = client.get(reverse("progress:project-reports", args=["lindehof"])).content.decode()
    assert 'id="make-report"' not in page and reverse("progress:report-file", args=[report.pk]) in page
    assert client.get(reverse("progress:report-file", args=[report.pk])).status_code == 200
