"""Benchmark of the dashboards: prints figures, writes a section of docs/PERFORMANCE.md.

A heat company leads two projects, one of ``--dwellings`` homes (100,000) and one of 1,000, in one
municipality; an installer works in the big one. For each backend (PostgreSQL, the throwaway server of
``scripts/with-services``; and SQLite in a temporary file), in a process of its own:

(1) each dashboard page as a browser asks it (Django's test client, logged in; the page rendered with
    its charts and tables): the big project's dashboard as the lead party, the municipality's dashboard
    as the municipality, the programme as the lead party; against
(2) the raw SQL that computes the same figures: the same groupings written by hand as SQL strings and
    run through the database cursor, with the same small steps in Python (the percentiles of the lead
    times), nothing rendered. Goal: each page at most 2x its raw SQL.
(3) the API's list of dwellings (its first page) in a project of 100 homes and in the big one: the
    list must not grow with the project;
(4) the lead party's dwellings as a streamed CSV, of 1,000 homes and of the big project: the time, and
    the peak of the Python memory the request allocated (tracemalloc), which must stay flat.

The median of ``--repeat`` runs counts. Run: ``scripts/with-services .venv/bin/python
scripts/bench_dashboards.py`` (``--dwellings 20000`` for a quick run, ``--backends sqlite``,
``--no-write`` to leave the document alone).
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "PERFORMANCE.md"
GOAL = 2.0
START = "<!-- dashboards: written by scripts/bench_dashboards.py -->"
END = "<!-- /dashboards -->"
SMALL = 1_000
TINY = 100


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dwellings", type=int, default=100_000, help="homes of the big project (100000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; the median counts (5)")
    parser.add_argument("--backends", default="postgres,sqlite", help="postgres,sqlite")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {DOC.relative_to(ROOT)}")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)

    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    if "postgres" in backends and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Run under scripts/with-services for PostgreSQL (DATABASE_URL), or pass --backends sqlite.")
    results = []
    started = time.monotonic()
    for backend in backends:
        print(
            f"\n{backend}: building {args.dwellings:,} + {SMALL:,} + {TINY:,} homes, then measuring",
            flush=True,
        )
        command = [
            sys.executable,
            __file__,
            "--child",
            backend,
            "--dwellings",
            str(args.dwellings),
            "--repeat",
            str(args.repeat),
        ]
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
        lines = done.stdout.splitlines()
        for line in lines:
            if not line.startswith("RESULT "):
                print(line, flush=True)
        found = [json.loads(line[7:]) for line in lines if line.startswith("RESULT ")]
        if done.returncode or not found:
            print(f"The {backend} run failed (status {done.returncode}).", file=sys.stderr)
            return 1
        results.append(found[0])
    print(f"\nThe whole run took {time.monotonic() - started:.0f} s.")
    if not args.no_write:
        write_section(section(results, args))
        print(f"Wrote the section “Dashboards” of {DOC.relative_to(ROOT)}")
    return 0


# --- the measuring process, one per backend -----------------------------------------------------------


def child(args) -> int:
    backend = args.child
    tmp = Path(tempfile.mkdtemp(prefix="lastmetre-bench-dashboards-"))
    os.environ["VAR_DIR"] = str(tmp)
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.pop("DEBUG", None)  # as the other benchmarks: DEBUG is switched off after setup
    os.environ.pop("TEST_CLOCK", None)
    bench_db = None
    if backend == "postgres":
        from bench_common import recreate_database

        base, _slash, name = os.environ["DATABASE_URL"].rpartition("/")
        bench_db = f"{name.split('?')[0] or 'lastmetre'}_dashboard_bench"
        recreate_database(bench_db)
        os.environ["DATABASE_URL"] = f"{base}/{bench_db}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False  # the test client speaks plain HTTP
    try:
        call_command("migrate", verbosity=0)
        bench = DashboardBench(args.dwellings, args.repeat)
        bench.build()
        result = bench.run()
        result["backend"] = connection.vendor
        result["database"] = _database_version()
        print("RESULT " + json.dumps(result, default=str), flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        if bench_db:
            from bench_common import drop_database

            drop_database(bench_db)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return "PostgreSQL " + cursor.fetchone()[0].split(" ")[0]
        cursor.execute("SELECT sqlite_version()")
        return "SQLite " + cursor.fetchone()[0]


def _median_seconds(function, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


class DashboardBench:
    def __init__(self, dwellings: int, repeat: int):
        self.dwellings = dwellings
        self.repeat = repeat

    def say(self, line: str) -> None:
        print(line, flush=True)

    def build(self) -> None:
        from procurement.models import InstallerProfile
        from projects.models import (
            Organisation,
            OrganisationKind,
            Participation,
            Project,
            Role,
            User,
            WorkRole,
        )
        from tests.progress import data

        started = time.perf_counter()
        heat = Organisation.objects.create(
            name="Warmtebedrijf", slug="warmtebedrijf", kind=OrganisationKind.HEAT_COMPANY
        )
        town = Organisation.objects.create(
            name="Gemeente", slug="gemeente", kind=OrganisationKind.MUNICIPALITY
        )
        installer = Organisation.objects.create(
            name="Installateur", slug="installateur", kind=OrganisationKind.INSTALLER
        )
        InstallerProfile.objects.create(organisation=installer, connections_per_week=400)
        today = datetime.date.today()
        self.projects = {}
        for slug, count in (("groot", self.dwellings), ("klein", SMALL), ("heel-klein", TINY)):
            project = Project.objects.create(
                name=slug.capitalize(),
                slug=slug,
                municipality="Amstelhoven",
                neighbourhood=slug,
                planned_dwellings=count,
                start_date=today - datetime.timedelta(days=400),
            )
            for role in (Role.LEAD, Role.HEAT_COMPANY, Role.COMMUNICATING_PARTY):
                Participation.objects.create(project=project, organisation=heat, role=role)
            Participation.objects.create(project=project, organisation=town, role=Role.MUNICIPALITY)
            Participation.objects.create(project=project, organisation=installer, role=Role.INSTALLER)
            data.build(project, count, installer=installer, per_street=400)
            self.projects[slug] = project
        roles = [WorkRole.COORDINATOR, WorkRole.COMMUNICATION]
        self.lead = User.objects.create_user(email="lead@bench.test", organisation=heat, work_roles=roles)
        self.town = User.objects.create_user(email="gemeente@bench.test", organisation=town, work_roles=roles)
        self.build_seconds = time.perf_counter() - started
        self.say(f"  built in {self.build_seconds:.0f} s")

    def run(self) -> dict:
        from django.db import connection, reset_queries
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, setup_test_environment
        from django.urls import reverse

        # As scripts/bench.py: the test client's environment (DEBUG stays off), so that the queries of a
        # request can be counted.
        setup_test_environment(debug=False)
        groot = self.projects["groot"]
        cases = [
            ("project", self.lead, reverse("progress:project", args=["groot"]), [groot], True),
            (
                "municipality",
                self.town,
                reverse("progress:scope", args=["municipality"]),
                list(self.projects.values()),
                False,
            ),
            (
                "programme",
                self.lead,
                reverse("progress:scope", args=["programme"]),
                list(self.projects.values()),
                True,
            ),
        ]
        rows = []
        for name, user, url, projects, exact in cases:
            client = Client()
            client.force_login(user)
            client.get(url)  # warm: templates, the first connection
            reset_queries()  # the request empties the log as it starts: count from an empty one
            with CaptureQueriesContext(connection) as queries:
                answer = client.get(url)
            count = len(queries)  # now: the next request empties the log
            assert answer.status_code == 200, (url, answer.status_code)
            page, _answer = _median_seconds(lambda client=client, url=url: client.get(url), self.repeat)
            ids = [project.pk for project in projects]
            raw(ids, exact)
            baseline, _figures = _median_seconds(lambda ids=ids, exact=exact: raw(ids, exact), self.repeat)
            dwellings = sum(project.dwellings.count() for project in projects)
            row = {
                "dashboard": name,
                "dwellings": dwellings,
                "page": page,
                "raw": baseline,
                "ratio": page / baseline,
                "queries": count,
                "bytes": len(answer.content),
            }
            rows.append(row)
            self.say(
                f"  {name} dashboard ({dwellings:,} homes): page {page * 1000:,.0f} ms, raw SQL "
                f"{baseline * 1000:,.0f} ms = {row['ratio']:.2f}x (goal ≤ {GOAL}x), {count} queries"
            )
        api = []
        for slug in ("heel-klein", "groot"):
            client = Client()
            client.force_login(self.lead)
            url = f"/api/v1/dwellings/?project={slug}"
            client.get(url)
            reset_queries()  # the request empties the log as it starts: count from an empty one
            with CaptureQueriesContext(connection) as queries:
                answer = client.get(url)
            asked = len(queries)
            assert answer.status_code == 200
            seconds, _answer = _median_seconds(lambda client=client, url=url: client.get(url), self.repeat)
            count = self.projects[slug].dwellings.count()
            api.append(
                {
                    "project": count,
                    "seconds": seconds,
                    "queries": asked,
                    "rows": len(answer.json()["results"]),
                }
            )
            self.say(f"  API list, project of {count:,} homes: {seconds * 1000:,.0f} ms, {asked} queries")
        streamed = []
        for slug in ("klein", "groot"):
            client = Client()
            client.force_login(self.lead)
            url = reverse("progress:dwellings-csv", args=[slug])

            def consume(client=client, url=url):
                answer = client.get(url)
                assert answer.status_code == 200 and answer.streaming
                size = lines = 0
                for chunk in answer.streaming_content:
                    size += len(chunk)
                    lines += chunk.count(b"\n")
                return size, lines

            seconds, (size, lines) = _median_seconds(consume, min(self.repeat, 3))
            tracemalloc.start()
            consume()
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            count = self.projects[slug].dwellings.count()
            streamed.append(
                {"project": count, "seconds": seconds, "bytes": size, "lines": lines, "peak": peak}
            )
            self.say(
                f"  dwellings CSV, {count:,} homes: {seconds:,.1f} s, {size / 1e6:,.1f} MB, "
                f"peak Python memory {peak / 1e6:,.1f} MB"
            )
        return {
            "build": self.build_seconds,
            "dashboards": rows,
            "api": api,
            "csv": streamed,
            "repeat": self.repeat,
            "dwellings": self.dwellings,
        }


# --- the raw SQL ----------------------------------------------------------------------------------------


def raw(ids: list[int], exact: bool) -> dict:
    """The dashboard's figures by hand-written SQL, with the same steps in Python the service takes for
    percentiles; nothing rendered."""
    from django.db import connection
    from django.utils import timezone

    from progress.figures import LEAD_TIMES, WEEKS, percentile

    marks = ", ".join(["%s"] * len(ids))
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    first = monday - datetime.timedelta(weeks=WEEKS - 1)
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    figures = {}
    with connection.cursor() as cursor:

        def rows(sql, params=()):
            cursor.execute(sql, list(params))
            return cursor.fetchall()

        figures["states"] = rows(
            f"SELECT project_id, state, COUNT(*) FROM projects_dwelling WHERE project_id IN ({marks}) "
            "GROUP BY project_id, state",
            ids,
        )
        for column in ("agreement_signed_on", "installed_on", "connected_on"):
            figures[column] = rows(
                f"SELECT project_id, {column}, COUNT(*) FROM projects_dwelling WHERE project_id IN ({marks}) "
                f"AND {column} >= %s GROUP BY project_id, {column}",
                [*ids, first],
            )
        zone = timezone.get_current_timezone()
        surveyed = {}
        cursor.execute(
            "SELECT project_id, survey_completed_at FROM projects_dwelling "
            f"WHERE project_id IN ({marks}) AND survey_completed_at >= %s",
            [*ids, since],
        )
        for project_id, moment in cursor.fetchall():
            day = _date(moment, zone)
            surveyed[project_id, day] = surveyed.get((project_id, day), 0) + 1
        figures["surveyed"] = surveyed
        figures["before"] = rows(
            f"SELECT COUNT(*) FROM projects_dwelling WHERE project_id IN ({marks}) AND connected_on < %s",
            [*ids, first],
        )
        spans = {key: [] for key, *_rest in LEAD_TIMES}
        cursor.execute(
            "SELECT (SELECT MIN(t.at) FROM projects_dwellingtransition t WHERE t.dwelling_id = d.id "
            "AND t.transition = 'inform'), d.survey_completed_at, d.agreement_signed_on, d.connected_on "
            f"FROM projects_dwelling d WHERE d.project_id IN ({marks}) "
            "AND (d.survey_completed_at IS NOT NULL OR d.connected_on IS NOT NULL)",
            ids,
        )
        for informed, surveyed, agreed, connected in cursor.fetchall():
            days = {
                "informed": _date(informed, zone),
                "surveyed": _date(surveyed, zone),
                "agreed": _date(agreed, zone),
                "connected": _date(connected, zone),
            }
            for key, _label, start, end in LEAD_TIMES:
                if days[start] and days[end] and days[end] >= days[start]:
                    spans[key].append((days[end] - days[start]).days)
        figures["lead_times"] = {
            key: (len(values), percentile(sorted(values), 0.5), percentile(sorted(values), 0.8))
            for key, values in spans.items()
        }
        figures["visits"] = rows(
            "SELECT COUNT(*), SUM(CASE WHEN survey_completed_at IS NOT NULL THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN survey_completed_at IS NOT NULL AND visit_count = 1 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN visit_count > 1 THEN 1 ELSE 0 END), COALESCE(SUM(visit_count), 0) "
            f"FROM projects_dwelling WHERE project_id IN ({marks}) AND visit_count > 0",
            ids,
        )
        figures["failed_visits"] = rows(
            "SELECT v.outcome, COUNT(*) FROM surveys_visit v "
            "JOIN projects_dwelling d ON d.id = v.dwelling_id "
            f"WHERE d.project_id IN ({marks}) AND v.outcome NOT IN ('', 'completed') GROUP BY v.outcome",
            ids,
        )
        if exact:
            figures["declines"] = rows(
                "SELECT t.reason, COUNT(*) FROM projects_dwellingtransition t "
                "JOIN projects_dwelling d ON d.id = t.dwelling_id "
                f"WHERE d.project_id IN ({marks}) AND t.transition = 'decline' AND d.state = 'declined' "
                "AND t.reason <> '' GROUP BY t.reason ORDER BY COUNT(*) DESC, t.reason LIMIT 10",
                ids,
            )
        figures["messages"] = rows(
            "SELECT channel, COUNT(*), "
            "SUM(CASE WHEN status IN ('sent', 'delivered', 'unknown', 'bounced') THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) "
            f"FROM communication_message WHERE project_id IN ({marks}) GROUP BY channel",
            ids,
        )
        figures["questions"] = rows(
            "SELECT COUNT(*), SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN kind = 'aftercare' THEN 1 ELSE 0 END) "
            f"FROM portal_question WHERE project_id IN ({marks})",
            ids,
        )
        figures["answers"] = rows(
            f"SELECT created_at, answered_at FROM portal_question WHERE project_id IN ({marks}) "
            "AND answered_at IS NOT NULL ORDER BY answered_at",
            ids,
        )
        figures["rework_done"] = rows(
            "SELECT o.name, COUNT(*) FROM projects_dwelling d "
            "JOIN projects_organisation o ON o.id = d.installer_id "
            f"WHERE d.project_id IN ({marks}) AND d.state IN ('installed', 'connected') GROUP BY o.name",
            ids,
        )
        figures["rework_rejected"] = rows(
            "SELECT o.name, COUNT(*) FROM projects_dwellingtransition t "
            "JOIN projects_dwelling d ON d.id = t.dwelling_id "
            "JOIN projects_organisation o ON o.id = d.installer_id "
            f"WHERE d.project_id IN ({marks}) AND t.transition = 'reject_installation' GROUP BY o.name",
            ids,
        )
        figures["capacity"] = rows(
            "SELECT d.installer_id, o.name, d.installation_planned_on, COUNT(*) FROM projects_dwelling d "
            f"JOIN projects_organisation o ON o.id = d.installer_id WHERE d.project_id IN ({marks}) "
            "AND d.installation_planned_on >= %s AND d.installation_planned_on < %s "
            "GROUP BY d.installer_id, o.name, d.installation_planned_on",
            [*ids, monday - datetime.timedelta(weeks=4), monday + datetime.timedelta(weeks=9)],
        )
        figures["profiles"] = rows(
            "SELECT organisation_id, connections_per_week FROM procurement_installerprofile"
        )
        for column in ("cluster", "street", "ownership", "dwelling_type"):
            figures[column] = rows(
                f"SELECT {column}, state, COUNT(*) FROM projects_dwelling WHERE project_id IN ({marks}) "
                f"GROUP BY {column}, state",
                ids,
            )
        figures["installer"] = rows(
            "SELECT o.name, d.state, COUNT(*) FROM projects_dwelling d "
            "LEFT JOIN projects_organisation o ON o.id = d.installer_id "
            f"WHERE d.project_id IN ({marks}) GROUP BY o.name, d.state",
            ids,
        )
    return figures


def _date(value, zone):
    if value is None:
        return None
    if isinstance(value, str):  # SQLite returns text for some expressions
        value = (
            datetime.datetime.fromisoformat(value)
            if " " in value or "T" in value
            else datetime.date.fromisoformat(value)
        )
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        return value.astimezone(zone).date()
    return value


# --- the document -------------------------------------------------------------------------------------


def _machine() -> dict:
    from bench_common import cpu_name

    cpu = cpu_name()
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}


def section(results: list[dict], args) -> str:
    machine = _machine()
    command = "make bench"
    alone = "scripts/with-services .venv/bin/python scripts/bench_dashboards.py"
    if args.dwellings != 100_000:
        alone += f" --dwellings {args.dwellings}"
    worst = max(row["ratio"] for result in results for row in result["dashboards"])
    verdict = f"worst {worst:.2f}x: {'met' if worst <= GOAL else '**not met**'}"
    lines = [
        START,
        "## Dashboards",
        "",
        "Written by `scripts/bench_dashboards.py`; run it again after a change to the dashboards' figures",
        "(`progress/figures.py`) or pages, and commit the new figures with the change.",
        "",
        "| | |",
        "|---|---|",
        f"| Command | `{command}` (or on its own: `{alone}`) |",
        f"| Date | {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} |",
        f"| CPU | {machine['cpu']}, {machine['cores']} cores |",
        f"| Python | {machine['python']} |",
        f"| Data | a project of {args.dwellings:,} homes and one of {SMALL:,} and one of {TINY:,} (one heat "
        "company, one municipality, one installer), with their moves over the last 200 days |",
        f"| Goal | each dashboard page at most {GOAL}x the raw SQL of its figures; {verdict} |",
        "",
        "Each page is asked as a browser asks it (Django's test client, logged in) and rendered whole:",
        "its figures, its server-side SVG charts and its tables. The raw SQL is the same groupings",
        "written by hand and run through the database cursor, with the same step in Python for the",
        f"lead times' percentiles, and nothing rendered. The median of {results[0]['repeat']} runs counts.",
        "",
        "| database | dashboard | homes | page | raw SQL | ratio | goal | queries | page size |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for row in result["dashboards"]:
            lines.append(
                f"| {result['database']} | {row['dashboard']} | {row['dwellings']:,} | "
                f"{row['page'] * 1000:,.0f} ms | {row['raw'] * 1000:,.0f} ms | {row['ratio']:.2f}x | "
                f"≤ {GOAL}x | "
                f"{row['queries']} | {row['bytes'] / 1024:,.0f} KB |"
            )
    lines += [
        "",
        "The API's list of dwellings (its first page, 50 rows), in a project of 100 homes and in the big",
        "one, as the lead party:",
        "",
        "| database | project | time | queries | rows |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        for row in result["api"]:
            lines.append(
                f"| {result['database']} | {row['project']:,} homes | {row['seconds'] * 1000:,.1f} ms | "
                f"{row['queries']} | {row['rows']} |"
            )
    lines += [
        "",
        "The lead party's dwellings as CSV (`/progress/projects/{slug}/exports/dwellings.csv`), streamed:",
        "read through to the last byte as a browser downloads it; the peak of the Python memory the",
        "request allocated meanwhile (`tracemalloc`, a run of its own) must not grow with the project.",
        "The homes are read 2,000 at a time (`.iterator(chunk_size=2000)`, their people fetched per",
        "chunk): the peak is two chunks' worth, reached with the second chunk and the same from there on,",
        "so a project smaller than one chunk stays below it and any larger one reaches the same ceiling.",
        "",
        "| database | project | time | size | lines | peak memory |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        for row in result.get("csv", []):
            lines.append(
                f"| {result['database']} | {row['project']:,} homes | {row['seconds']:,.1f} s | "
                f"{row['bytes'] / 1e6:,.1f} MB | {row['lines']:,} | {row['peak'] / 1e6:,.1f} MB |"
            )
    lines += ["", f"Command as run: `{shlex.join(['scripts/bench_dashboards.py', *sys.argv[1:]])}`", END]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    doc = DOC.read_text() if DOC.exists() else "# Performance\n"
    if START in doc and END in doc:
        before, rest = doc.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        doc = before + text + ("\n" + after if after else "")
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    DOC.write_text(doc)


if __name__ == "__main__":
    sys.exit(main())
