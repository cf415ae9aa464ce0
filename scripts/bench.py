"""`make bench`: build a 100,000-dwelling project, measure, print figures and write docs/PERFORMANCE.md.

Every figure comes with a baseline measured in the same run, so the ratio means something on any
machine:

(a) the dwelling list page at 100,000 dwellings against the same page at 1,000 (server time and
    queries; first page, a state filter, a free-text search), as the lead party;
(b) importing 100,000 register rows with ``projects.imports.services.import_dwellings`` against a bare
    ``bulk_create`` of the same rows (goal: at most 2x);
(c) a bulk move of 5,000 dwellings with ``dwellings_bulk_transition`` against a bare ``bulk_create``
    of the log rows plus a ``bulk_update`` of the dwellings, and against the floor: the same
    ``bulk_create`` and one ``UPDATE`` (goal: at most 3x the floor);
(d) a work package of up to 5,000 agreed dwellings bundled, offered and accepted, against a bulk move of
    as many dwellings (goal: at most 1.5x).

Runs under ``scripts/with-services`` (DATABASE_URL: a throwaway PostgreSQL); it creates the database
and the schema itself and needs nothing else. Without DATABASE_URL it uses SQLite in a temporary
directory. ``--dwellings 20000`` for a quick run, ``--no-write`` to leave the document alone.
"""

import argparse
import csv
import datetime
import os
import platform
import shlex
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "PERFORMANCE.md"


def _kept_sections() -> str:
    """The sections other benchmark scripts wrote (between their markers), kept as they are."""
    import bench_campaign
    import bench_dashboards
    import bench_plans

    text = DOC.read_text() if DOC.exists() else ""
    kept = ""
    for script in (bench_plans, bench_campaign, bench_dashboards):
        start, end = script.START, script.END
        if start in text and end in text:
            kept += "\n" + start + text.split(start, 1)[1].split(end, 1)[0] + end + "\n"
    return kept


LEAD = "warmtebedrijf@demo.test"
BASELINE_DWELLINGS = 1_000
MOVE_SIZE = 5_000
IMPORT_GOAL = 2.0
LIST_GOAL = 3.0
SEARCH_GOAL = 2.0
MOVE_GOAL = 3.0  # against the floor: bulk_create of the log rows and one UPDATE
PACKAGE_GOAL = 1.5  # against a bulk move of as many dwellings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dwellings", type=int, default=100_000, help="size of the big project (100000)")
    parser.add_argument("--repeat", type=int, default=15, help="requests per page; the median counts (15)")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.dwellings < 2 * BASELINE_DWELLINGS:
        parser.error(f"--dwellings must be at least {2 * BASELINE_DWELLINGS}")

    tmp = Path(tempfile.mkdtemp(prefix="lastmetre-bench-"))
    # Media, mail and (without DATABASE_URL) the SQLite database go to the temporary directory.
    os.environ.setdefault("VAR_DIR", str(tmp))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # Tasks are sent, not run in the measured request: as in production, where a worker makes the
    # connection plans that an acceptance asks for. Kombu's in-process transport takes them.
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    # WhiteNoise looks for collected static files, which a benchmark does not need.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    # Measure as in production: no query log (CaptureQueriesContext still counts where asked).
    settings.DEBUG = False
    _create_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from projects.models import Project

    if Project.objects.exists():
        sys.exit("The database has projects already: the benchmark needs an empty one (make bench).")

    started = time.monotonic()
    bench = Bench(args, tmp)
    try:
        bench.run()
        print(f"\nThe whole run took {time.monotonic() - started:.0f} s.")
        if not args.no_write:
            DOC.write_text(bench.document() + _kept_sections())
            print(f"Wrote {DOC.relative_to(ROOT)}")
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _create_database() -> None:
    """Create the database named in DATABASE_URL when the PostgreSQL server does not have it yet."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg
    from psycopg import sql

    params = {"host": db["HOST"], "port": db["PORT"] or None, "user": db["USER"], "password": db["PASSWORD"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))


def _seconds(function, *args, **kwargs):
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - started, value


def _ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.1f}x" if baseline else "–"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


class Bench:
    def __init__(self, args, tmp: Path):
        self.args = args
        self.tmp = tmp
        self.size = args.dwellings
        self.tables: dict[str, list[list[str]]] = {}

    def say(self, line: str = "") -> None:
        print(line, flush=True)

    def run(self) -> None:
        from demo.dwellings import dwellings_fill
        from demo.loading import load_demo
        from demo.parties import demo_area_project
        from projects.models import User

        load_demo()
        self.lead = User.objects.get(email=LEAD)
        self.say(
            f"Building two projects with the demo code: {BASELINE_DWELLINGS:,} and {self.size:,} dwellings"
        )
        small = demo_area_project(slug="bench-1000", name=f"Bench {BASELINE_DWELLINGS:,} woningen")
        fill = dwellings_fill(small, BASELINE_DWELLINGS)
        self.say(f"  {fill.added:,} dwellings with their history in {fill.seconds:.1f} s")
        self.big = demo_area_project(slug="bench-big", name=f"Bench {self.size:,} woningen")
        fill = dwellings_fill(self.big, self.size, progress=self._progress)
        self.build_seconds = fill.seconds
        self.say(
            f"  {fill.added:,} dwellings with their history in {fill.seconds:.1f} s "
            f"({fill.added / fill.seconds:,.0f} per second)"
        )
        self._analyze()
        self.list_page(small, self.big)
        self.import_rows()
        self.bulk_move()
        self.packages()

    def _progress(self, done, total):
        if done % 20_000 < 2_000 or done == total:
            print(f"    {done:,} of {total:,}", flush=True)

    def _analyze(self) -> None:
        """Statistics and visibility map as autovacuum leaves them on a table that has settled."""
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")

    # --- (a) the dwelling list page --------------------------------------------------------------

    def list_page(self, small, big) -> None:
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, setup_test_environment

        # The test client keeps the template context only in a test environment (DEBUG stays off).
        setup_test_environment(debug=False)
        client = Client()
        client.force_login(self.lead)
        pages = [
            ("first page", "", LIST_GOAL),
            ("filtered: ?state=informed", "?state=informed", LIST_GOAL),
            ("search: ?q=jansen", "?q=jansen", SEARCH_GOAL),
        ]

        def queries_of(project, query):
            url = f"/projects/{project.slug}/dwellings/{query}"
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return url, len(captured), response.context["total"]  # now: the next request empties the log

        def measure(query):
            """The two projects' pages in turns, so that whatever else the machine does weighs on both."""
            (small_url, *small_seen), (big_url, *big_seen) = queries_of(small, query), queries_of(big, query)
            small_times, big_times = [], []
            for _ in range(self.args.repeat):
                small_times.append(_seconds(client.get, small_url)[0])
                big_times.append(_seconds(client.get, big_url)[0])
            return (statistics.median(small_times), *small_seen), (statistics.median(big_times), *big_seen)

        self.say()
        self.say(f"(a) Dwelling list page, lead party, median of {self.args.repeat} requests")
        rows = []
        for label, query, goal in pages:
            (base_time, base_queries, base_total), (time_, queries, total) = measure(query)
            rows.append(
                [
                    label,
                    f"{_ms(time_)}, {queries} queries ({total:,} match)",
                    f"{_ms(base_time)}, {base_queries} queries ({base_total:,} match)",
                    _ratio(time_, base_time),
                    f"≤ {goal:.0f}x, same queries",
                ]
            )
            self.say(
                f"  {label:<28} {self.size:>7,}: {_ms(time_):>8} {queries:>2} queries   "
                f"{BASELINE_DWELLINGS:,}: {_ms(base_time):>8} {base_queries:>2} queries   "
                f"ratio {_ratio(time_, base_time)}"
            )
        self.tables["a"] = rows

    # --- (b) import ------------------------------------------------------------------------------

    def import_rows(self) -> None:
        from demo.parties import demo_area_project

        self.say()
        self.say(f"(b) Import of {self.size:,} rows")
        try:
            from projects.imports.services import import_dwellings
        except ImportError:
            self.say("  skipped: import service not available")
            self.tables["b"] = [
                [f"import {self.size:,} rows", "skipped: import service not available", "–", "–", "≤ 2x"]
            ]
            return
        path = self.tmp / "dwellings.csv"
        seconds, count = _seconds(self._write_csv, path)
        self.say(f"  wrote {count:,} rows ({path.stat().st_size / 1e6:.1f} MB) in {seconds:.1f} s")

        target = demo_area_project(slug="bench-import", name="Bench import")
        seconds, result = _seconds(import_dwellings, actor=self.lead, project=target, rows_source=path)
        if not result.imported or result.created != count:
            errors = "; ".join(f"line {e.line} {e.column}: {e.reason}" for e in result.errors[:5])
            raise SystemExit(f"The import did not take every row: {result.as_dict(5)} {errors}")
        baseline_project = demo_area_project(slug="bench-import-baseline", name="Bench import baseline")
        baseline, made = _seconds(self._bulk_create_csv, path, baseline_project)
        assert made == count
        self.say(
            f"  import_dwellings: {seconds:.1f} s ({count / seconds:,.0f} rows/s)   "
            f"bare bulk_create: {baseline:.1f} s   ratio {_ratio(seconds, baseline)} "
            f"(goal ≤ {IMPORT_GOAL:.0f}x)"
        )
        self.tables["b"] = [
            [
                f"import {count:,} rows (CSV, with their people)",
                f"{seconds:.1f} s ({count / seconds:,.0f} rows/s)",
                f"{baseline:.1f} s",
                _ratio(seconds, baseline),
                f"≤ {IMPORT_GOAL:.0f}x",
            ]
        ]

    def _write_csv(self, path: Path) -> int:
        """The register of the big project's first rows, as a file of the documented format."""
        from demo.dwellings import register_sample

        types = {v: k for k, v in CSV_TYPES.items()}
        ownership = {v: k for k, v in CSV_OWNERSHIP.items()}
        channels = {v: k for k, v in CSV_CHANNELS.items()}
        count = 0
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file, delimiter=";")
            writer.writerow(csv_header())
            for dwelling, contacts in register_sample(self.big, self.size):
                people = {contact.role: contact for contact in contacts}
                row = [
                    dwelling.postcode,
                    dwelling.house_number,
                    dwelling.house_letter,
                    dwelling.house_number_addition,
                    dwelling.street,
                    dwelling.city,
                    dwelling.bag_id,
                    ownership[dwelling.ownership],
                    dwelling.housing_association.name if dwelling.housing_association else "",
                    dwelling.owners_association,
                    types[dwelling.dwelling_type],
                    dwelling.build_year or "",
                    dwelling.energy_label,
                    dwelling.floor_area or "",
                    "ja" if dwelling.listed_monument else "nee",
                    dwelling.cluster,
                ]
                for role in ("owner", "resident"):
                    person = people.get(role)
                    row += (
                        [
                            person.name,
                            person.email,
                            person.phone,
                            channels[person.preferred_channel],
                            person.language,
                        ]
                        if person
                        else [""] * 5
                    )
                row += ["ja" if dwelling.extra_care else "nee", dwelling.extra_care_note]
                writer.writerow(row)
                count += 1
        return count

    def _bulk_create_csv(self, path: Path, project) -> int:
        """The baseline: read the same file with the csv module, build the objects, bulk_create them
        with the history rows the import writes too (one per dwelling and per person), checking nothing."""
        from auditlog.models import LogEntry
        from django.contrib.contenttypes.models import ContentType
        from django.db import transaction
        from django.utils import timezone

        from projects.models import Contact, Dwelling, Organisation
        from projects.services.register import CONTACT_FIELDS, REGISTER_FIELDS

        associations = {org.name: org for org in Organisation.objects.filter(kind="housing_association")}
        types = ContentType.objects.get_for_models(Dwelling, Contact)
        count = 0

        def history(instance, fields, dwelling):
            values = {name: getattr(instance, name) for name in fields}
            return LogEntry(
                content_type=types[type(instance)],
                object_pk=str(instance.pk),
                object_id=instance.pk,
                object_repr=str(instance),
                action=LogEntry.Action.CREATE,
                changes={
                    name: [None, str(value)] for name, value in values.items() if value not in (None, "")
                },
                timestamp=timezone.now(),
                additional_data={"dwelling_id": dwelling.pk, "project_id": project.pk, "source": "import"},
            )

        with path.open(newline="", encoding="utf-8") as file, transaction.atomic():
            reader = csv.reader(file, delimiter=";")
            header = next(reader)
            column = {name: i for i, name in enumerate(header)}
            batch = []

            def flush():
                Dwelling.objects.bulk_create([dwelling for dwelling, _people in batch], batch_size=2000)
                Contact.objects.bulk_create(
                    [person for _dwelling, people in batch for person in people], batch_size=2000
                )
                rows = []
                for dwelling, people in batch:
                    rows.append(history(dwelling, REGISTER_FIELDS, dwelling))
                    rows += [history(person, CONTACT_FIELDS, dwelling) for person in people]
                LogEntry.objects.bulk_create(rows, batch_size=2000)
                batch.clear()

            for cells in reader:
                value = {name: cells[i] for name, i in column.items()}
                dwelling = Dwelling(
                    project=project,
                    postcode=value["postcode"],
                    house_number=int(value["huisnummer"]),
                    house_letter=value["huisletter"],
                    house_number_addition=value["toevoeging"],
                    street=value["straat"],
                    city=value["plaats"],
                    bag_id=value["bag_id"],
                    ownership=CSV_OWNERSHIP[value["eigendom"]],
                    housing_association=associations.get(value["corporatie"]),
                    owners_association=value["vve"],
                    dwelling_type=CSV_TYPES[value["woningtype"]],
                    build_year=int(value["bouwjaar"]) if value["bouwjaar"] else None,
                    energy_label=value["energielabel"],
                    floor_area=int(value["oppervlakte"]) if value["oppervlakte"] else None,
                    listed_monument=value["monument"] == "ja",
                    cluster=value["cluster"],
                    extra_care=value["extra_zorg"] == "ja",
                    extra_care_note=value["extra_zorg_notitie"],
                )
                people = [
                    Contact(
                        dwelling=dwelling,
                        role=role,
                        name=value[f"{prefix}_naam"],
                        email=value[f"{prefix}_email"],
                        phone=value[f"{prefix}_telefoon"],
                        preferred_channel=CSV_CHANNELS[value[f"{prefix}_kanaal"]],
                        language=value[f"{prefix}_taal"],
                    )
                    for prefix, role in (("eigenaar", "owner"), ("bewoner", "resident"))
                    if value[f"{prefix}_naam"]
                ]
                batch.append((dwelling, people))
                count += 1
                if len(batch) == 2000:
                    flush()
            if batch:
                flush()
        return count

    # --- (c) a bulk move -------------------------------------------------------------------------

    def bulk_move(self) -> None:
        from django.db import transaction
        from django.utils import timezone

        from projects.models import Dwelling, DwellingTransition
        from projects.services import dwellings_bulk_transition
        from projects.states import DwellingState

        informed = list(
            Dwelling.objects.filter(project=self.big, state=DwellingState.INFORMED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        size = min(MOVE_SIZE, len(informed) // 3)
        moved, baseline_ids, floor_ids = (informed[i * size : (i + 1) * size] for i in range(3))
        reason = "Funderingsherstel in de straat: eerst afwachten."
        fields = {
            "state": DwellingState.ON_HOLD,
            "held_state": DwellingState.INFORMED,
            "state_reason": reason,
        }
        self.say()
        self.say(f"(c) Bulk move: put {size:,} informed dwellings on hold, as the lead party")
        seconds, result = _seconds(
            dwellings_bulk_transition, actor=self.lead, dwelling_ids=moved, transition="hold", reason=reason
        )
        if result.moved != size:
            raise SystemExit(f"The bulk move skipped dwellings: {result.skipped[:5]}")

        def log_rows(ids, now):
            return [
                DwellingTransition(
                    dwelling_id=pk,
                    transition="hold",
                    source=DwellingState.INFORMED,
                    target=DwellingState.ON_HOLD,
                    actor=self.lead,
                    organisation_id=self.lead.organisation_id,
                    at=now,
                    reason=reason,
                )
                for pk in ids
            ]

        def bare():
            now = timezone.now()
            dwellings = [
                Dwelling(pk=pk, project=self.big, state_changed_at=now, updated_at=now, **fields)
                for pk in baseline_ids
            ]
            with transaction.atomic():
                Dwelling.objects.bulk_update(
                    dwellings, [*fields, "state_changed_at", "updated_at"], batch_size=1000
                )
                DwellingTransition.objects.bulk_create(log_rows(baseline_ids, now), batch_size=2000)

        def floor():
            # What the database needs at the least: one UPDATE for all and the log rows. The app never
            # sets a state like this (it goes through the service); measured, then rolled back.
            now = timezone.now()
            with transaction.atomic():
                Dwelling.objects.filter(pk__in=floor_ids).update(
                    state_changed_at=now, updated_at=now, **fields
                )
                DwellingTransition.objects.bulk_create(log_rows(floor_ids, now), batch_size=2000)
                transaction.set_rollback(True)

        baseline, _nothing = _seconds(bare)
        least, _nothing = _seconds(floor)
        self.say(
            f"  dwellings_bulk_transition: {seconds:.1f} s ({size / seconds:,.0f} dwellings/s)   "
            f"bare bulk_create + bulk_update: {_ms(baseline)}   ratio {_ratio(seconds, baseline)}"
        )
        self.say(
            f"  floor (bulk_create + one UPDATE, rolled back): {_ms(least)}   ratio {_ratio(seconds, least)}"
        )
        label = f"hold {size:,} informed dwellings (chunks of 200)"
        value = f"{_ms(seconds)} ({size / seconds:,.0f} dwellings/s)"
        self.tables["c"] = [
            [label, value, f"bulk_create + bulk_update: {_ms(baseline)}", _ratio(seconds, baseline), "–"],
            [
                label,
                value,
                f"bulk_create + one UPDATE: {_ms(least)}",
                _ratio(seconds, least),
                f"≤ {MOVE_GOAL:.0f}x",
            ],
        ]

    # --- (d) a work package offered and accepted ---------------------------------------------------

    def packages(self) -> None:
        from demo.procurement import POOL
        from demo.today import MAIN_CONTRACTOR, MAIN_CONTRACTOR_PLANNER
        from procurement import services as procurement
        from procurement.models import FrameworkAgreement, PackageDwelling, Pool
        from projects.models import Dwelling, Organisation, User
        from projects.services import dwellings_bulk_transition
        from projects.states import DwellingState

        lead = User.objects.get(pk=self.lead.pk)  # a new request: roles read again
        installer = Organisation.objects.get(slug=MAIN_CONTRACTOR)
        coordinator = User.objects.get(email=MAIN_CONTRACTOR_PLANNER)
        taken = PackageDwelling.objects.filter(open=True).values("dwelling_id")
        agreed = list(
            Dwelling.objects.filter(project=self.big, state=DwellingState.AGREED)
            .exclude(pk__in=taken)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        size = min(MOVE_SIZE, len(agreed) // 2)
        in_package, held = agreed[:size], agreed[size : 2 * size]
        # The big project works from the demo's pool, and Van Dijk has room for a package this size.
        pool = Pool.objects.get(name=POOL)
        procurement.project_procurement_set(
            actor=lead, project=self.big, pool=pool, main_contractor=installer
        )
        agreement = FrameworkAgreement.objects.get(installer=installer, pools=pool)
        procurement.agreement_save(actor=lead, agreement=agreement, max_volume=10 * size)
        procurement.installer_profile_save(
            actor=coordinator, organisation=installer, connections_per_week=size
        )
        monday = datetime.date.today() - datetime.timedelta(days=datetime.date.today().weekday())
        first, last = monday + datetime.timedelta(weeks=2), monday + datetime.timedelta(weeks=27)

        self.say()
        self.say(f"(d) A work package of {size:,} agreed dwellings: bundled, offered and accepted")

        def bundle():
            return procurement.package_create(
                actor=lead,
                project=self.big,
                name="Bench",
                dwelling_ids=in_package,
                first_week=first,
                last_week=last,
            )

        bundle_seconds, package = _seconds(bundle)
        offer_seconds, package = _seconds(
            procurement.package_offer, actor=lead, package_id=package.pk, installer_id=installer.pk
        )
        accept_seconds, (package, result) = _seconds(
            procurement.package_accept, actor=User.objects.get(pk=coordinator.pk), package_id=package.pk
        )
        if result.moved != size:
            raise SystemExit(f"The acceptance skipped dwellings: {result.skipped[:5]}")
        hold_seconds, hold = _seconds(
            dwellings_bulk_transition,
            actor=User.objects.get(pk=lead.pk),
            dwelling_ids=held,
            transition="hold",
            reason="Bench",
        )
        if hold.moved != size:
            raise SystemExit(f"The bulk move skipped dwellings: {hold.skipped[:5]}")
        total = offer_seconds + accept_seconds
        self.say(
            f"  bundle: {_ms(bundle_seconds)}   offer: {_ms(offer_seconds)}   accept (assign {size:,}): "
            f"{_ms(accept_seconds)}   bulk hold of {size:,}: {_ms(hold_seconds)}   "
            f"ratio (offer + accept) {_ratio(total, hold_seconds)}"
        )
        self.tables["d"] = [
            [
                f"offer and accept a package of {size:,} dwellings (bundled in {_ms(bundle_seconds)})",
                f"{_ms(total)} (offer {_ms(offer_seconds)}, accept {_ms(accept_seconds)})",
                f"bulk hold of {size:,} others: {_ms(hold_seconds)}",
                _ratio(total, hold_seconds),
                f"≤ {PACKAGE_GOAL}x",
            ]
        ]

    # --- the document ----------------------------------------------------------------------------

    def document(self) -> str:
        machine = _machine()
        command = "make bench" + (f' BENCH_ARGS="{shlex.join(sys.argv[1:])}"' if sys.argv[1:] else "")
        lines = [
            "# Performance",
            "",
            "Written by `make bench` (`scripts/bench.py`); run it again after a change to the dwelling list,",
            "the import or bulk moves, and commit the new figures with the change. Every figure has a",
            "baseline measured in the same run on the same machine, so the ratio is what to compare.",
            "",
            "| | |",
            "|---|---|",
            f"| Command | `{command}` |",
            f"| Date | {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} |",
            f"| CPU | {machine['cpu']}, {machine['cores']} cores |",
            f"| RAM | {machine['ram']} |",
            f"| OS | {machine['os']} |",
            f"| Python | {platform.python_version()} |",
            f"| Database | {machine['database']} |",
            f"| Big project | {self.size:,} dwellings with their history, built by the demo code in "
            f"{self.build_seconds:.0f} s |",
            "",
            f"## (a) Dwelling list page at {self.size:,} dwellings",
            "",
            f"Server time (median of {self.args.repeat} requests through Django's test client, the two",
            "projects' pages in turns, as the lead party, DEBUG off) and queries per request, against",
            f"the same page of a project of {BASELINE_DWELLINGS:,} dwellings in the same database. The",
            "database is vacuumed and analysed after the build, as autovacuum leaves a table that has",
            "settled. The search looks for a name; its matches grow with the project, its cost should not.",
            "",
            f"| page | {self.size:,} dwellings | baseline: {BASELINE_DWELLINGS:,} dwellings | ratio | goal |",
            "|---|---|---|---|---|",
            *(f"| {' | '.join(row)} |" for row in self.tables["a"]),
            "",
            f"## (b) Import of {self.size:,} rows",
            "",
            "`import_dwellings` on a semicolon CSV in the documented format (register data and owner and",
            "resident), into an empty project, against a baseline that reads the same file with the `csv`",
            "module and `bulk_create`s the dwellings, their people and their history rows (one per dwelling",
            "and per person, as the import writes them) in batches of 2,000, checking nothing.",
            "",
            "| | value | baseline: bare bulk_create | ratio | goal |",
            "|---|---|---|---|---|",
            *(f"| {' | '.join(row)} |" for row in self.tables["b"]),
            "",
            "## (c) Bulk move",
            "",
            "`dwellings_bulk_transition` in chunks of 200, a transaction each: the chunk locked with one",
            "query, each dwelling checked in Python through the workflow's rules, the moved ones written",
            "with one `UPDATE` per set of equal new values and their log rows with one `INSERT`, the events",
            "published per chunk. Against two baselines that check nothing and write the same log rows with",
            "`bulk_create`: one sets the dwellings' fields with `bulk_update` (which spends its time",
            "building CASE expressions in Python), the other with one `UPDATE` for all, which is about the",
            "least the database can do (rolled back afterwards).",
            "",
            "| | value | baseline | ratio | goal |",
            "|---|---|---|---|---|",
            *(f"| {' | '.join(row)} |" for row in self.tables["c"]),
            "",
            "## (d) Work package",
            "",
            "A package of agreed dwellings offered by the lead party (every offer rule checked: agreement,",
            "certificates, volume, capacity over all projects) and accepted by the installer, which assigns",
            "every dwelling through the workflow in bulk with one log row each and sends the plans' tasks;",
            "against a bulk move (hold) of as many other dwellings of the same project in the same run.",
            "Bundling the package (its rows) is shown apart.",
            "",
            "| | value | baseline | ratio | goal |",
            "|---|---|---|---|---|",
            *(f"| {' | '.join(row)} |" for row in self.tables["d"]),
            "",
            "## How to read this",
            "",
            "Absolute times depend on the machine and on the throwaway PostgreSQL of `scripts/with-services`",
            "(fsync and synchronous commit off, so writes are faster than on a production server); compare",
            "the ratios between runs, not the times.",
            "",
            "- (a) A list page shows 50 rows, so at 100,000 dwellings it should cost about what it costs at",
            "  1,000, with the same number of queries. Both projects are measured in the same database, so",
            "  a ratio well above 1 means a query that grows with the project (a count or a grouping over",
            "  all its dwellings, a sort that no index serves); a slow baseline means one that grows with",
            "  the whole table (a search that scans every contact of every project). The app's connections",
            "  price a random read at 1.1 (`DB_RANDOM_PAGE_COST`): with PostgreSQL's default of 4 the",
            "  planner reads all of the big project for the search instead of its matches (about 3x).",
            "- (b) The import checks every row in Python before it writes anything; the goal is that all",
            "  its checking costs at most as much again as the bare write.",
            "- (c) The service checks every dwelling as a single move would, so it costs a small multiple",
            "  of the bare write; dwellings per second tells how long a bulk-move job for a cluster or a",
            "  whole project runs. A move that another app validates or writes for (planning a survey)",
            "  still goes one dwelling at a time.",
            "- (d) Accepting a package is a bulk move (assign) with procurement's rule checked per dwelling",
            "  from what the chunk read once; bundling and offering add a few queries for the whole package.",
            "",
        ]
        return "\n".join(lines)


def _machine() -> dict:
    from django.db import connection

    cpu, ram = platform.processor() or platform.machine(), "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            database = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": ram,
        "os": platform.platform(),
        "database": database,
    }


# The columns of docs/IMPORT.md (all of them) and the words the file uses for the choices.
def csv_header() -> list[str]:
    from projects.imports import parsing  # after django.setup()

    return list(parsing.COLUMNS)


CSV_OWNERSHIP = {
    "koop": "owner_occupied",
    "particuliere huur": "private_rental",
    "corporatie": "housing_association",
}
CSV_TYPES = {
    "vrijstaand": "detached",
    "twee-onder-een-kap": "semi_detached",
    "hoekwoning": "end_of_terrace",
    "tussenwoning": "mid_terrace",
    "appartement": "apartment",
    "overig": "other",
}
CSV_CHANNELS = {"e-mail": "email", "sms": "sms", "brief": "letter"}


if __name__ == "__main__":
    sys.exit(main())
