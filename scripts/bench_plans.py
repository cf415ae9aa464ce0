"""Benchmark of the connection plans (aansluitplan): prints figures, writes a section of docs/PERFORMANCE.md.

(1) Making one plan through ``surveys.plans.services.plan_render`` (load the dwelling, its survey and
    photos, build the context, fingerprint it, render the template, make the PDF, store the file and
    the version) against bare WeasyPrint making the PDF of the same HTML string
    (``weasyprint.HTML(string=...).write_pdf()``): median of ``--runs`` runs each; goal at most 1.3x.
(2) Plans per minute for a batch of ``--dwellings`` dwellings (200) with one and with two Celery
    workers: real ``celery -A config worker --concurrency=1`` processes against the Redis of
    ``scripts/with-services`` (``TEST_REDIS_URL``) and a PostgreSQL database of its own that the
    workers reach too; one ``render_plans`` task per dwelling (both versions), timed from the first
    task sent until every plan is stored.

Run: ``scripts/with-services .venv/bin/python scripts/bench_plans.py`` (``--no-write`` leaves the
document alone; ``--workers 1`` skips the second run). The database (``<name>_plans_bench`` on the
server of DATABASE_URL) and the media directory are created for the run and removed afterwards.
"""

import argparse
import datetime
import io
import os
import platform
import random
import secrets
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from bench_common import drop_database, recreate_database

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "PERFORMANCE.md"
RENDER_GOAL = 1.3
START = "<!-- connection-plans: written by scripts/bench_plans.py -->"
END = "<!-- /connection-plans -->"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=25, help="renders per way of making one plan (25)")
    parser.add_argument("--dwellings", type=int, default=200, help="dwellings in the batch (200)")
    parser.add_argument("--workers", default="1,2", help="worker counts to measure, comma-separated (1,2)")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    workers = [int(n) for n in args.workers.split(",") if n.strip()]

    database_url = os.environ.get("DATABASE_URL", "")
    broker = os.environ.get("TEST_REDIS_URL") or os.environ.get("CELERY_BROKER_URL")
    if not database_url.startswith("postgres") or not broker:
        sys.exit(
            "Run under scripts/with-services: the workers need PostgreSQL and Redis "
            "(DATABASE_URL, TEST_REDIS_URL)."
        )

    tmp = Path(tempfile.mkdtemp(prefix="lastmetre-bench-plans-"))
    base, _slash, name = database_url.rpartition("/")
    bench_db = f"{name.split('?')[0] or 'lastmetre'}_plans_bench"
    env = {
        # The same settings for this process and the workers: the bench database, the broker, media
        # in the temporary directory, DEBUG off (no query log), quiet logs.
        "DATABASE_URL": f"{base}/{bench_db}",
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "VAR_DIR": str(tmp),
        "MEDIA_ROOT": str(tmp / "media"),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    os.environ.update(env)
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    sys.path.insert(0, str(ROOT))
    recreate_database(bench_db)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    bench = PlanBench(args, workers, tmp)
    try:
        bench.run()
        print(f"\nThe whole run took {time.monotonic() - started:.0f} s.")
        if not args.no_write:
            write_section(bench.section())
            print(f"Wrote the section “Connection plans” of {DOC.relative_to(ROOT)}")
    finally:
        bench.stop_workers()
        from django.db import connections

        connections.close_all()
        drop_database(bench_db)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _seconds(function) -> tuple[float, float]:
    """Wall time and this process's CPU time of one call."""
    started, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - started, time.process_time() - cpu


def _load() -> str:
    """The load average of the last minute: other work on the machine skews the figures."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


class PlanBench:
    def __init__(self, args, workers: list[int], tmp: Path):
        self.args = args
        self.workers = workers
        self.tmp = tmp
        self.processes: list[subprocess.Popen] = []
        self.render: dict = {}
        self.batches: list[dict] = []

    def say(self, line: str = "") -> None:
        print(line, flush=True)

    def run(self) -> None:
        self.say(f"Making a project with {self.args.dwellings + 2} surveyed dwellings, each with photos")
        self.dwellings = build_project(self.args.dwellings + 2)
        self.one_plan()
        for count in self.workers:
            self.batch(count)

    # --- (1) one plan ----------------------------------------------------------------------------

    def one_plan(self) -> None:
        import weasyprint
        from django.utils import timezone

        from surveys.models import ConnectionPlan, PlanVariant
        from surveys.plans import services

        dwelling = self.dwellings[0]
        variant = PlanVariant.FULL

        def forget():
            for plan in ConnectionPlan.objects.filter(dwelling=dwelling):
                plan.file.delete(save=False)
                plan.delete()

        def through_service():
            services.plan_render(dwelling, variant)

        html = services.plan_html(services.plan_context(dwelling, variant), version=1, made_at=timezone.now())

        def bare():
            weasyprint.HTML(string=html).write_pdf()

        # Warm up both: the first PDF of a process loads fonts and Pango.
        forget()
        through_service()
        bare()
        runs = self.args.runs
        self.say()
        self.say(f"(1) One plan (full version, {self._photos(dwelling)} images), median of {runs} runs")
        # Alternately and in a random order, so that both ways see the same load of the machine.
        service_times, baseline_times = [], []
        load = _load()
        order = random.Random(7)
        for _ in range(runs):
            forget()
            if order.random() < 0.5:
                service_times.append(_seconds(through_service))
                baseline_times.append(_seconds(bare))
            else:
                baseline_times.append(_seconds(bare))
                service_times.append(_seconds(through_service))
        service = statistics.median(wall for wall, _cpu in service_times)
        baseline = statistics.median(wall for wall, _cpu in baseline_times)
        service_cpu = statistics.median(cpu for _wall, cpu in service_times)
        baseline_cpu = statistics.median(cpu for _wall, cpu in baseline_times)
        pdf = ConnectionPlan.objects.get(dwelling=dwelling, variant=variant)
        ratio = service / baseline
        self.render = {
            "service": service,
            "baseline": baseline,
            "ratio": ratio,
            "service_cpu": service_cpu,
            "baseline_cpu": baseline_cpu,
            "size": pdf.size,
            "html": len(html),
            "load": load,
        }
        self.say(
            f"  plan_render: {_ms(service)}   bare WeasyPrint: {_ms(baseline)}   ratio {ratio:.2f}x "
            f"(goal ≤ {RENDER_GOAL}x)   PDF {pdf.size / 1024:,.0f} KiB"
        )
        self.say(
            f"  CPU time of this process: {_ms(service_cpu)} against {_ms(baseline_cpu)}, "
            f"ratio {service_cpu / baseline_cpu:.2f}x (without the database server's part)"
        )

    def _photos(self, dwelling) -> int:
        from surveys.models import Photo

        return Photo.objects.filter(survey__dwelling=dwelling).count()

    # --- (2) batches with real workers -----------------------------------------------------------

    def start_workers(self, count: int) -> None:
        from bench_common import start_workers

        try:
            self.processes = start_workers("plans-bench", count, self.tmp)
        except RuntimeError as error:
            raise SystemExit(str(error)) from None

    def stop_workers(self) -> None:
        from bench_common import stop_workers

        stop_workers(self.processes)
        self.processes = []

    def _wait_for_plans(self, dwelling_ids: list[int], expected: int, timeout: float) -> float:
        from surveys.models import ConnectionPlan

        started = time.perf_counter()
        while True:
            done = ConnectionPlan.objects.filter(dwelling_id__in=dwelling_ids).count()
            if done >= expected:
                return time.perf_counter() - started
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"Only {done} of {expected} plans after {timeout:.0f} s; see {self.tmp}")
            time.sleep(0.05)

    def batch(self, count: int) -> None:
        from surveys.models import ConnectionPlan
        from surveys.plans.tasks import render_plans

        warm, dwellings = self.dwellings[:count], self.dwellings[2 : 2 + self.args.dwellings]
        ids = [d.pk for d in dwellings]
        for plan in ConnectionPlan.objects.all():
            plan.file.delete(save=False)
            plan.delete()
        self.say()
        self.say(f"(2) Batch of {len(ids)} dwellings with {count} worker{'s' if count > 1 else ''}")
        self.start_workers(count)
        load = _load()
        # One warm-up task per worker: its first PDF loads fonts and Pango.
        for dwelling in warm:
            render_plans.delay(dwelling.pk)
        self._wait_for_plans([d.pk for d in warm], 2 * len(warm), timeout=120)
        started = time.perf_counter()
        for pk in ids:
            render_plans.delay(pk)
        self._wait_for_plans(ids, 2 * len(ids), timeout=1800)
        seconds = time.perf_counter() - started
        self.stop_workers()
        plans = 2 * len(ids)
        row = {
            "workers": count,
            "dwellings": len(ids),
            "plans": plans,
            "seconds": seconds,
            "per_minute": plans / seconds * 60,
            "dwellings_per_minute": len(ids) / seconds * 60,
            "load": load,
        }
        self.batches.append(row)
        self.say(
            f"  {plans} plans in {seconds:.1f} s: {row['per_minute']:,.0f} plans per minute "
            f"({row['dwellings_per_minute']:,.0f} dwellings per minute)"
        )

    # --- the document ----------------------------------------------------------------------------

    def section(self) -> str:
        machine = _machine()
        alone = "scripts/with-services .venv/bin/python scripts/bench_plans.py"
        if sys.argv[1:]:
            alone += " " + shlex.join(sys.argv[1:])
        command = f"`make bench` (or on its own: `{alone}`)"
        render = self.render
        lines = [
            START,
            "## Connection plans",
            "",
            "Written by `scripts/bench_plans.py`; run it again after a change to the plan's template, its",
            "context or the way it is stored, and commit the new figures with the change.",
            "",
            "| | |",
            "|---|---|",
            f"| Command | {command} |",
            f"| Date | {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} |",
            f"| CPU | {machine['cpu']}, {machine['cores']} cores |",
            f"| Python / WeasyPrint | {platform.python_version()} / {machine['weasyprint']} |",
            f"| Database, broker | {machine['database']}; Redis of `scripts/with-services` |",
            "",
            "### One plan against bare WeasyPrint",
            "",
            f"The full version of one dwelling (two pages, {render['html'] // 1024} KiB of HTML, photos of",
            f"2048 px), median of {self.args.runs} runs each. `plan_render` loads the dwelling, survey,",
            "photos and contacts, builds and fingerprints the context, renders the template, makes the",
            "PDF, and stores the file and the version (the stored plan is removed before each run, so",
            "every run makes it again); the baseline is `weasyprint.HTML(string=html).write_pdf()` of the",
            "same HTML. The two run alternately in a random order, so that both see the same load of the",
            "machine; the CPU time of the benchmark's own process is less disturbed by other work than",
            "the wall time (it leaves out the database server's share of `plan_render`, a dozen small",
            "queries). Successive runs of the same PDF differ by some tens of milliseconds on a shared",
            "machine, so a ratio near 1 means the overhead is lost in that noise.",
            "",
            "| | plan_render | bare WeasyPrint | ratio | goal | load before |",
            "|---|---|---|---|---|---|",
            f"| one plan ({render['size'] / 1024:,.0f} KiB PDF) | {_ms(render['service'])} | "
            f"{_ms(render['baseline'])} | {render['ratio']:.2f}x | ≤ {RENDER_GOAL}x | {render['load']} |",
            f"| the same, CPU time of the process | {_ms(render['service_cpu'])} | "
            f"{_ms(render['baseline_cpu'])} | "
            f"{render['service_cpu'] / render['baseline_cpu']:.2f}x | – | |",
            "",
            f"### A batch of {self.args.dwellings} dwellings",
            "",
            "One `render_plans` task per dwelling (both versions: two PDFs), sent to real",
            "`celery -A config worker --concurrency=1` processes; timed from the first task sent until",
            "every plan is stored. Each worker first makes one plan untimed (fonts and Pango load once",
            "per process).",
            "",
            "| workers | plans | time | plans per minute | dwellings per minute | load before |",
            "|---|---|---|---|---|---|",
            *(
                f"| {row['workers']} | {row['plans']} | {row['seconds']:.1f} s | {row['per_minute']:,.0f} | "
                f"{row['dwellings_per_minute']:,.0f} | {row['load']} |"
                for row in self.batches
            ),
            "",
            "Making a PDF is CPU work in one process, so plans per minute grow with the number of",
            f"workers up to the number of cores ({machine['cores']} here); a worker per core is the",
            "setting for a large project. *Load before* is the load average of the last minute when the",
            "measurement started: other work on the machine takes cores from the workers, and a load",
            "near the number of cores means the two-worker figure cannot show the gain it would have.",
            END,
        ]
        return "\n".join(lines) + "\n"


def write_section(section: str) -> None:
    """Replace the section in docs/PERFORMANCE.md, or add it at the end."""
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


def build_project(count: int) -> list:
    """A project led by a heat company with ``count`` dwellings whose plan is approved, each with a
    complete survey: three photos of 2048 px (two of the delivery set's place, one of the scan) and
    a sketch. The photo files are stored once and shared, as the rendering reads them either way."""
    from django.core.files.storage import default_storage
    from django.db import transaction
    from django.utils import timezone

    from projects.models import Contact, Dwelling, Organisation, Participation, Project, Role, User
    from surveys.models import Photo, Survey
    from surveys.photos import process_photo
    from surveys.schema import all_fields

    with transaction.atomic():
        heat = Organisation.objects.create(
            name="Warmtebedrijf Bench",
            slug="warmtebedrijf-bench",
            kind="heat_company",
            email="info@bench.test",
        )
        installer = Organisation.objects.create(
            name="Installateur Bench", slug="installateur-bench", kind="installer"
        )
        surveyor = User.objects.create_user("schouwer@bench.test", organisation=installer)
        project = Project.objects.create(
            name="Bench aansluitplannen",
            slug="bench-plans",
            municipality="Amstelhoven",
            neighbourhood="Tuindorp",
            connection_approach="area",
            heat_company_kind="regional",
            planned_dwellings=count,
            start_date=datetime.date(2026, 1, 1),
        )
        for role in (Role.LEAD, Role.HEAT_COMPANY, Role.COMMUNICATING_PARTY):
            Participation.objects.create(project=project, organisation=heat, role=role)
        Participation.objects.create(project=project, organisation=installer, role=Role.SURVEY_PARTY)
        names = {}
        for key, (width, height, seed) in {
            "delivery_set.photos": (2048, 1536, 1),
            "dwelling_scan.scan_photos": (2048, 1536, 2),
            "delivery_set.sketch": (1200, 900, 3),
        }.items():
            upload = _sketch(width, height) if key.endswith("sketch") else _photo(width, height, seed)
            processed = process_photo(upload, name=key.replace(".", "-"))
            names[key] = default_storage.save(f"surveys/bench/{processed.content.name}", processed.content)
        now = timezone.now()
        dwellings = Dwelling.objects.bulk_create(
            [
                Dwelling(
                    project=project,
                    postcode=f"{1000 + n // 100} AB",
                    house_number=n % 100 + 1,
                    street="Lindelaan",
                    city="Amstelhoven",
                    ownership="owner_occupied",
                    dwelling_type="mid_terrace",
                    build_year=1965,
                    cluster=f"Blok {n // 20 + 1}",
                    state="plan_ready",
                    survey_party=installer,
                    surveyor=surveyor,
                    survey_completed_at=now,
                    plan_approved_at=now,
                    extra_care=n % 10 == 0,
                    extra_care_note="Bewoner slechthorend" if n % 10 == 0 else "",
                )
                for n in range(count)
            ]
        )
        Contact.objects.bulk_create(
            [
                Contact(
                    dwelling=d,
                    role="owner",
                    name=f"Bewoner {d.pk}",
                    email=f"b{d.pk}@bench.test",
                    phone="06123",
                )
                for d in dwellings
            ]
        )
        answers = _answers()
        surveys = Survey.objects.bulk_create(
            [
                Survey(
                    dwelling=d,
                    answers=answers,
                    works=[
                        {"work": "delivery_set", "responsible": "heat_company"},
                        {"work": "indoor_pipes", "responsible": "heat_company"},
                        {"work": "remove_boiler", "responsible": "owner"},
                        {"work": "cap_gas", "responsible": "owner"},
                        {"work": "cooking_group", "responsible": "owner"},
                    ],
                    completed_at=now,
                )
                for d in dwellings
            ]
        )
        photos = []
        for survey in surveys:
            for key, name in names.items():
                copies = 2 if key == "delivery_set.photos" else 1
                photos += [
                    Photo(survey=survey, field=key, image=name, uploaded_by=surveyor) for _ in range(copies)
                ]
        Photo.objects.bulk_create(photos)
        assert all(key in {f"{s.name}.{f.name}" for s, f in all_fields()} for key in names)
    return list(Dwelling.objects.filter(project=project).select_related("project").order_by("pk"))


def _sketch(width: int, height: int):
    """A sketch as drawn on the tablet: lines on white, a PNG."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 100, width - 100, height - 100), outline="black", width=6)  # the room
    draw.rectangle((width - 400, 140, width - 140, 400), outline="black", width=4)  # the delivery set
    draw.line((100, height // 2, width - 270, height // 2, width - 270, 400), fill="red", width=5)  # pipes
    for x in range(150, width - 150, 90):
        draw.line((x, height - 160, x + 40, height - 120), fill="gray", width=3)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("schets.png", buffer.getvalue(), content_type="image/png")


def _photo(width: int, height: int, seed: int):
    """A photo-like image (smooth gradients and noise), so JPEG compression does real work."""
    import random

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageFilter

    random.seed(seed)
    small = Image.new("RGB", (64, 48))
    small.putdata(
        [(random.randrange(256), random.randrange(256), random.randrange(256)) for _ in range(64 * 48)]
    )
    image = small.resize((width, height), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")


def _answers() -> dict:
    from surveys.schema import all_fields

    answers = {}
    for section, schema_field in all_fields():
        key = f"{section.name}.{schema_field.name}"
        if schema_field.kind == "choice":
            value = schema_field.choices[0][0]
        elif schema_field.kind == "multichoice":
            value = [code for code, _label in schema_field.choices]
        elif schema_field.kind == "number":
            value = 6
        elif schema_field.kind == "text":
            value = "In de gang, naast de meterkast; 60 cm vrij"
        elif schema_field.kind == "longtext":
            value = (
                "Van de gevelinvoer aan de voorzijde langs de binnenmuur naar de meterkast; "
                "de vloer is van hout en moet over twee meter open. Geen obstakels gezien."
            )
        else:
            continue
        answers[key] = {"value": value, "by": "surveyor"}
    return answers


def _machine() -> dict:
    from bench_common import cpu_name
    from django.db import connection

    cpu = cpu_name()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        database = f"PostgreSQL {cursor.fetchone()[0]}"
    import weasyprint

    return {"cpu": cpu, "cores": os.cpu_count(), "database": database, "weasyprint": weasyprint.__version__}


if __name__ == "__main__":
    sys.exit(main())
