"""Benchmark of a campaign by e-mail: prints figures, writes a section of docs/PERFORMANCE.md.

A project of ``--recipients`` homes (10,000), each with one person who prefers e-mail, and an SMTP
server on loopback (aiosmtpd, in a process of its own) that counts what it accepts per recipient.
Everything goes through Django's SMTP backend to that server:

(1) the bare loop: in this process, one connection from ``get_connection()`` and one
    ``EmailMessage.send()`` per recipient, with the same e-mail as the campaign's: the subject and
    text rendered before the clock starts, and on the clock the person's own working portal link
    made into it as the campaign makes it (``communication.content.personalise_all``: one new link
    row per e-mail), since an e-mail with the link's mask is not the e-mail the resident gets;
(2) the campaign (information letter, no filter) with one and with two Celery workers: real
    ``celery -A config worker --concurrency=1`` processes against the Redis of
    ``scripts/with-services`` (``TEST_REDIS_URL``) and a PostgreSQL database of its own; timed from
    ``campaign_send`` (the Send button) until every message row is sent. Each campaign run has a bare
    loop run just before it, under the same load; goal: with one worker at most 2x the bare loop.

After every run the server must have accepted exactly one e-mail per recipient; otherwise the
benchmark says so and exits with status 1.

Run: ``scripts/with-services .venv/bin/python scripts/bench_campaign.py`` (``--no-write`` leaves the
document alone; ``--workers 1`` skips the second run; ``--recipients 1000`` for a quick run). The
database (``<name>_campaign_bench`` on the server of DATABASE_URL) is created for the run and removed
afterwards.
"""

import argparse
import datetime
import multiprocessing
import os
import platform
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from pathlib import Path

from bench_common import drop_database, recreate_database, server_params

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "PERFORMANCE.md"
GOAL = 2.0  # the campaign with one worker against the bare loop
START = "<!-- campaigns: written by scripts/bench_campaign.py -->"
END = "<!-- /campaigns -->"


class Failed(Exception):
    """The server did not get exactly one e-mail per recipient, or the rows say otherwise."""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000, help="people in the campaign (10000)")
    parser.add_argument("--workers", default="1,2", help="worker counts to measure, comma-separated (1,2)")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    workers = [int(n) for n in args.workers.split(",") if n.strip()]
    if args.recipients < 1 or not workers or min(workers) < 1:
        parser.error("--recipients and --workers must be at least 1")

    database_url = os.environ.get("DATABASE_URL", "")
    broker = os.environ.get("TEST_REDIS_URL") or os.environ.get("CELERY_BROKER_URL")
    if not database_url.startswith("postgres") or not broker:
        sys.exit(
            "Run under scripts/with-services: the workers need PostgreSQL and Redis "
            "(DATABASE_URL, TEST_REDIS_URL)."
        )

    # The SMTP server first, in a process of its own: neither the bare loop nor a worker shares a
    # process (and its interpreter lock) with it.
    server = SmtpServer()
    tmp = Path(tempfile.mkdtemp(prefix="lastmetre-bench-campaign-"))
    base, _slash, name = database_url.rpartition("/")
    bench_db = f"{name.split('?')[0] or 'lastmetre'}_campaign_bench"
    env = {
        # The same settings for this process and the workers: the bench database, the broker, e-mail
        # through Django's SMTP backend to the server above, no rate limit, DEBUG off (no query log),
        # quiet logs.
        "DATABASE_URL": f"{base}/{bench_db}",
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"smtp://127.0.0.1:{server.port}",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_RATE_LIMIT": "0",
        "VAR_DIR": str(tmp),
        "MEDIA_ROOT": str(tmp / "media"),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    for variable in ("CACHE_URL", "TEST_CLOCK", "CELERY_RESULT_BACKEND"):
        os.environ.pop(variable, None)
    os.environ.update(env)
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    sys.path.insert(0, str(ROOT))
    status = 0
    bench = None
    try:
        recreate_database(bench_db)
        import django

        django.setup()
        _check_settings(server.port)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.monotonic()
        bench = CampaignBench(args, workers, tmp, server)
        bench.run()
        print(f"\nThe whole run took {time.monotonic() - started:.0f} s.")
        if not args.no_write:
            write_section(bench.section())
            print(f"Wrote the section “Campaigns” of {DOC.relative_to(ROOT)}")
    except Failed as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
        status = 1
    finally:
        if bench is not None:
            bench.stop_workers()
        server.stop()
        from django.db import connections

        connections.close_all()
        drop_database(bench_db)
        shutil.rmtree(tmp, ignore_errors=True)
    return status


def _check_settings(port: int) -> None:
    """Nothing but the SMTP server and the database may set the pace."""
    from django.conf import settings

    assert settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend", settings.EMAIL_BACKEND
    assert (settings.EMAIL_HOST, int(settings.EMAIL_PORT)) == ("127.0.0.1", port)
    assert not settings.EMAIL_USE_TLS and not settings.EMAIL_USE_SSL
    assert not settings.MESSAGE_RATE_LIMITS.get("email"), "EMAIL_RATE_LIMIT must be 0"
    assert not settings.CELERY_TASK_ALWAYS_EAGER


def _load() -> str:
    """The load average of the last minute: other work on the machine skews the figures."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


# --- CPU time of the processes taking part, from /proc ----------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command (field 2) is in parentheses and may hold spaces: split after it.
    return [pid, text[text.index("(") + 1 : text.rindex(")")], *text[text.rindex(")") + 2 :].split()]


def _cpu_seconds(select) -> float:
    """User and system CPU time of the processes for which ``select(fields)`` holds, with their
    children that ended (a worker's pool process, the database server's backends)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is None or not select(fields):
            continue
        # fields[13:17]: utime, stime, cutime, cstime (stat fields 14 to 17).
        total += sum(int(value) for value in fields[13:17])
    return total / ticks


def _postmaster() -> int | None:
    """The PostgreSQL server of DATABASE_URL (another cluster may run on the machine)."""
    port = str(server_params()["port"])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if arguments and arguments[0].endswith(b"postgres") and b"-p" in arguments:
            at = arguments.index(b"-p")
            if at + 1 < len(arguments) and arguments[at + 1].decode() == port:
                return int(entry.name)
    return None


class CpuMeter:
    """CPU seconds spent by this process, the workers, the SMTP server and the database server."""

    def __init__(self, bench):
        self.bench = bench
        self.postmaster = _postmaster()

    def snapshot(self) -> dict[str, float]:
        sessions = {process.pid for process in self.bench.processes}
        smtp = self.bench.server.pid
        postmaster = self.postmaster
        times = os.times()
        return {
            "bench": times.user + times.system,
            "workers": _cpu_seconds(lambda f: int(f[5]) in sessions) if sessions else 0.0,
            "smtp": _cpu_seconds(lambda f: f[0] == smtp),
            "database": (
                _cpu_seconds(lambda f: f[0] == postmaster or int(f[3]) == postmaster)
                if postmaster
                else float("nan")
            ),
        }

    @staticmethod
    def spent(before: dict, after: dict) -> dict[str, float]:
        return {key: after[key] - before[key] for key in before}


# --- the SMTP server ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Counting:
    """An aiosmtpd handler that accepts every e-mail and counts them per recipient."""

    def __init__(self):
        self.lock = threading.Lock()
        self.accepted: Counter = Counter()
        self.messages = self.bytes = 0

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for address in envelope.rcpt_tos:
                self.accepted[address] += 1
            self.messages += 1
            self.bytes += len(envelope.original_content or envelope.content or b"")
        return "250 Message accepted"

    def take(self) -> tuple[dict, int, int]:
        """What was accepted since the last take (per recipient, e-mails, bytes); counting starts again."""
        with self.lock:
            taken = dict(self.accepted), self.messages, self.bytes
            self.accepted, self.messages, self.bytes = Counter(), 0, 0
        return taken


def _serve(port: int, pipe) -> None:
    """The server process: aiosmtpd's controller (its own thread and event loop) until told to stop."""
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = _Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    pipe.send("ready")
    try:
        while pipe.recv() == "take":
            pipe.send(handler.take())
    except EOFError:
        pass
    finally:
        controller.stop()


class SmtpServer:
    def __init__(self):
        self.port = _free_port()
        context = multiprocessing.get_context("spawn")
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(self.port, theirs), daemon=True)
        self.process.start()
        if not self.pipe.poll(30) or self.pipe.recv() != "ready":
            raise SystemExit("The SMTP server did not start.")
        self.pid = self.process.pid

    def take(self) -> tuple[dict, int, int]:
        self.pipe.send("take")
        return self.pipe.recv()

    def stop(self) -> None:
        if self.process.is_alive():
            self.pipe.send("stop")
            self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


# --- the benchmark -----------------------------------------------------------------------------------


class CampaignBench:
    def __init__(self, args, workers: list[int], tmp: Path, server: SmtpServer):
        self.args = args
        self.workers = workers
        self.tmp = tmp
        self.server = server
        self.processes: list[subprocess.Popen] = []
        self.runs: list[dict] = []
        self.cpu = CpuMeter(self)

    def say(self, line: str = "") -> None:
        print(line, flush=True)

    def run(self) -> None:
        count = self.args.recipients
        self.say(f"Making a project with {count:,} homes, each with one person who prefers e-mail")
        started = time.perf_counter()
        self.project, self.user, self.addresses = build_project(count)
        self.build_seconds = time.perf_counter() - started
        self.texts = self.rendered()
        for workers in self.workers:
            self.say()
            self.say(f"({len(self.runs) + 1}) The bare loop, then the campaign with {_workers(workers)}")
            baseline = self.bare_loop()
            campaign = self.campaign(workers)
            self.runs.append({"baseline": baseline, "campaign": campaign})
            ratio = campaign["seconds"] / baseline["seconds"]
            goal = f" (goal ≤ {GOAL}x: {'met' if ratio <= GOAL else 'NOT met'})" if workers == 1 else ""
            self.say(f"  campaign / bare loop: {ratio:.2f}x{goal}")

    def rendered(self) -> list[tuple]:
        """(address, subject, text, dwelling, person) per recipient, rendered as the campaign renders
        them; the personal link is still a mask here."""
        from communication import content
        from communication.content import ProjectContext
        from communication.services import campaigns
        from communication.services.campaigns import plan, texts_for

        filters = campaigns.clean_filters({})
        texts = texts_for(self.project, None, "information_letter")
        context = ProjectContext(self.project)
        rows = []
        for contact, route in plan(self.user, self.project, filters, "information_letter").rows:
            subject, body = context.render(texts["nl"], route.channel, contact.dwelling, contact)
            rows.append((route.address, subject, body, contact.dwelling, contact))
        if not any(content.has_secret(body) for _a, _s, body, _d, _c in rows):
            raise Failed("the campaign's text carries no personal link: the bench measures the wrong e-mail")
        if sorted(row[0] for row in rows) != sorted(self.addresses):
            raise Failed("the campaign's plan does not choose every person once by e-mail")
        return rows

    def check_server(self, what: str) -> tuple[int, int]:
        """Exactly one e-mail per recipient since the last check; returns (e-mails, bytes)."""
        accepted, messages, size = self.server.take()
        if accepted != dict.fromkeys(self.addresses, 1):
            expected = set(self.addresses)
            missing = len(expected - set(accepted))
            twice = sum(1 for n in accepted.values() if n > 1)
            strangers = len(set(accepted) - expected)
            raise Failed(
                f"{what}: the SMTP server accepted {messages:,} e-mails for {len(accepted):,} addresses; "
                f"{missing:,} of {len(self.addresses):,} recipients got none, {twice:,} more than one, "
                f"{strangers:,} addresses are nobody's"
            )
        return messages, size

    # --- (1) the bare loop ---------------------------------------------------------------------------

    def bare_loop(self) -> dict:
        from django.core.mail import EmailMessage, get_connection

        from communication.content import personalise_all

        self.server.take()
        load = _load()
        before = self.cpu.snapshot()
        started = time.perf_counter()
        connection = get_connection(fail_silently=False)
        connection.open()
        try:
            for address, subject, body, dwelling, contact in self.texts:
                subject, body = personalise_all([subject, body], dwelling, contact)
                EmailMessage(subject=subject, body=body, to=[address], connection=connection).send()
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        cpu = self.cpu.spent(before, self.cpu.snapshot())
        messages, size = self.check_server("the bare loop")
        row = {"seconds": seconds, "per_second": messages / seconds, "size": size / messages, "cpu": cpu}
        row["load"] = load
        self.say(
            f"  bare loop: {messages:,} e-mails in {seconds:.1f} s, {row['per_second']:,.0f} per second "
            f"(CPU: this process {cpu['bench']:.1f} s, SMTP server {cpu['smtp']:.1f} s)"
        )
        return row

    # --- (2) the campaign on real workers ------------------------------------------------------------

    def start_workers(self, count: int) -> None:
        from bench_common import start_workers

        try:
            self.processes = start_workers("campaign-bench", count, self.tmp)
        except RuntimeError as error:
            raise Failed(str(error)) from None

    def stop_workers(self) -> None:
        from bench_common import stop_workers

        stop_workers(self.processes)
        self.processes = []

    def campaign(self, count: int) -> dict:
        from django.db.models import Count, Max, Min
        from django.utils import timezone

        from communication.models import Campaign, CampaignStatus, Message, MessageStatus
        from communication.services import campaigns

        recipients = len(self.addresses)
        self.start_workers(count)
        campaign = campaigns.campaign_create(
            actor=self.user,
            project=self.project,
            name=f"Informatiebrief ({_workers(count)})",
            template_key="information_letter",
            filters={},
        )
        self.server.take()
        load = _load()
        before = self.cpu.snapshot()
        pressed_at = timezone.now()
        started = time.perf_counter()
        campaigns.campaign_send(actor=self.user, campaign=campaign)
        # Until every row is out of the queue: the rows appear at once (one transaction), then leave it.
        waiting = Message.objects.filter(
            campaign=campaign, status__in=(MessageStatus.QUEUED, MessageStatus.SENDING)
        )
        made = Message.objects.filter(campaign=campaign)
        deadline = started + max(600, recipients / 5)
        while not (made.exists() and not waiting.exists()):
            if time.perf_counter() > deadline:
                raise Failed(
                    f"the campaign with {_workers(count)}: {waiting.count():,} of {made.count():,} messages "
                    f"still queued after {time.perf_counter() - started:.0f} s; see {self.tmp}"
                )
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        cpu = self.cpu.spent(before, self.cpu.snapshot())
        while Campaign.objects.get(pk=campaign.pk).status != CampaignStatus.DONE:  # the last chunk closes it
            if time.perf_counter() > deadline:
                raise Failed(f"the campaign with {_workers(count)} was not closed")
            time.sleep(0.05)
        self.stop_workers()

        statuses = dict(made.order_by().values_list("status").annotate(n=Count("pk")))
        if statuses != {MessageStatus.SENT: recipients}:
            raise Failed(f"the campaign with {_workers(count)}: rows per status {statuses}, not all sent")
        messages, size = self.check_server(f"the campaign with {_workers(count)}")
        campaign = Campaign.objects.get(pk=campaign.pk)
        sent = made.aggregate(first=Min("sent_at"), last=Max("sent_at"))
        phases = {
            # From the press to a worker taking the dispatch task; from there to the first e-mail (the
            # rows made, the chunks enqueued, the first claimed); from the first e-mail to the last.
            "queued": (campaign.started_at - pressed_at).total_seconds(),
            "dispatch": (sent["first"] - campaign.started_at).total_seconds(),
            "sending": (sent["last"] - sent["first"]).total_seconds(),
        }
        row = {
            "workers": count,
            "seconds": seconds,
            "per_second": messages / seconds,
            "size": size / messages,
            "phases": phases,
            "cpu": cpu,
            "load": load,
        }
        self.say(
            f"  campaign with {_workers(count)}: {messages:,} e-mails in {seconds:.1f} s, "
            f"{row['per_second']:,.0f} per second; one e-mail per recipient at the server"
        )
        self.say(
            f"    to the worker {phases['queued']:.2f} s, rows made {phases['dispatch']:.1f} s, "
            f"sending {phases['sending']:.1f} s ({recipients / max(phases['sending'], 1e-9):,.0f} per second)"
        )
        self.say(
            f"    CPU: workers {cpu['workers']:.1f} s, database server {cpu['database']:.1f} s, "
            f"SMTP server {cpu['smtp']:.1f} s, this process (polling) {cpu['bench']:.1f} s"
        )
        return row

    # --- the document --------------------------------------------------------------------------------

    def section(self) -> str:
        machine = _machine()
        alone = "scripts/with-services .venv/bin/python scripts/bench_campaign.py"
        if sys.argv[1:]:
            alone += " " + shlex.join(sys.argv[1:])
        command = f"`make bench` (or on its own: `{alone}`)"
        recipients = len(self.addresses)
        one = next((run for run in self.runs if run["campaign"]["workers"] == 1), None)
        if one is not None:
            ratio = one["campaign"]["seconds"] / one["baseline"]["seconds"]
            verdict = f"{ratio:.2f}x: met" if ratio <= GOAL else f"{ratio:.2f}x: **not met**"
        else:
            verdict = "not measured (no run with one worker)"
        lines = [
            START,
            "## Campaigns",
            "",
            "Written by `scripts/bench_campaign.py`; run it again after a change to the way a campaign",
            "makes or sends its messages, and commit the new figures with the change.",
            "",
            "| | |",
            "|---|---|",
            f"| Command | {command} |",
            f"| Date | {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} |",
            f"| CPU | {machine['cpu']}, {machine['cores']} cores |",
            f"| Python / Celery / aiosmtpd | {platform.python_version()} / {machine['celery']} / "
            f"{machine['aiosmtpd']} |",
            f"| Database, broker | {machine['database']}; Redis of `scripts/with-services` |",
            f"| Campaign | {recipients:,} homes with one person each who prefers e-mail, built in "
            f"{self.build_seconds:.0f} s |",
            f"| Goal | the campaign with one worker at most {GOAL}x the bare loop; this run: {verdict} |",
            "",
            f"### {recipients:,} e-mails: the campaign against a bare loop",
            "",
            "Both send through Django's SMTP backend to the same SMTP server on loopback (aiosmtpd in a",
            "process of its own, which counts what it accepts per recipient; after every run it must",
            "have exactly one e-mail per recipient). The bare loop runs in the benchmark's process: one",
            "connection from `get_connection()`, then one `EmailMessage.send()` per recipient with the",
            "e-mail the campaign sends that person: the subject and text rendered before the clock",
            "starts, and on the clock the person's own working portal link made into it, as the campaign",
            "makes it as the e-mail leaves (`communication.content.personalise_all`: an insert of the",
            "link's hash per e-mail, `portal/links.py`). An e-mail with the link's mask in place of a",
            "link would be a different e-mail, and a cheaper one (the sizes below differ by the headers",
            "only).",
            "The campaign is the information letter to the whole project, sent with `campaign_send` (the",
            "Send button) to real `celery -A config worker --concurrency=1` processes, timed until every",
            "message row is sent. A bare loop runs just before each campaign, so that the two see the",
            "same load of the machine.",
            "",
            "| | time | e-mails per second | ratio to the bare loop | goal | size of an e-mail "
            "| load before |",
            "|---|---|---|---|---|---|---|",
        ]
        for run in self.runs:
            baseline, campaign = run["baseline"], run["campaign"]
            workers = campaign["workers"]
            ratio = campaign["seconds"] / baseline["seconds"]
            lines += [
                f"| bare loop | {baseline['seconds']:.1f} s | {baseline['per_second']:,.0f} | 1x | – | "
                f"{baseline['size']:,.0f} B | {baseline['load']} |",
                f"| campaign, {_workers(workers)} | {campaign['seconds']:.1f} s | "
                f"{campaign['per_second']:,.0f} | {ratio:.2f}x | {f'≤ {GOAL}x' if workers == 1 else '–'} | "
                f"{campaign['size']:,.0f} B | {campaign['load']} |",
            ]
        lines += [
            "",
            "Where the campaign's time goes (from the rows' and the campaign's timestamps) and the CPU",
            "time each process spent meanwhile:",
            "",
            "| workers | to a worker | rows made | sending | sending, e-mails per second | CPU: workers | "
            "database server | SMTP server | bare loop's CPU (its process / SMTP server) |",
            "|---|---|---|---|---|---|---|---|---|",
            *(_phase_row(run, recipients) for run in self.runs),
            "",
            "What the campaign does more than the bare loop: it chooses the people and their channel,",
            "renders every message and writes one row per recipient (`bulk_create`), then enqueues a task",
            "per chunk of 200 (*rows made*). Then, for every e-mail, a transaction of its own: claim one",
            "queued row (`SELECT ... FOR UPDATE SKIP LOCKED`, any row of the campaign, so the index on",
            "campaign and status finds it without reading the others), send it with the row's reference",
            "as Message-ID, move its status forward, commit; then the next. That commit per e-mail is what",
            "lets a killed worker neither lose nor repeat one; it costs three round trips to the database",
            "per e-mail (a lean claim and record in plain SQL, `communication/claims.py`), on top of the",
            "link's insert that both make. Against an SMTP server on loopback that answers in",
            "well under a millisecond this is about as much as the sending itself; a real provider's",
            "latency would be added to both sides alike. The throwaway PostgreSQL of `scripts/with-services`",
            "runs with `fsync=off` and `synchronous_commit=off`; a production server that waits for its",
            "disk at every commit adds that wait per e-mail. Two workers send in parallel, but on",
            f"{machine['cores']} cores they share the CPU with the database and the SMTP server. *Load",
            "before* is the load average of the last minute when the run started; other work on the",
            "machine slows the campaign (four processes take turns per e-mail) more than the bare loop.",
            END,
        ]
        return "\n".join(lines) + "\n"


def _phase_row(run: dict, recipients: int) -> str:
    campaign, baseline = run["campaign"], run["baseline"]
    phases, cpu = campaign["phases"], campaign["cpu"]
    return (
        f"| {campaign['workers']} | {phases['queued']:.2f} s | {phases['dispatch']:.1f} s | "
        f"{phases['sending']:.1f} s | {recipients / max(phases['sending'], 1e-9):,.0f} | "
        f"{cpu['workers']:.1f} s | {cpu['database']:.1f} s | {cpu['smtp']:.1f} s | "
        f"{baseline['cpu']['bench']:.1f} s / {baseline['cpu']['smtp']:.1f} s |"
    )


def _workers(count: int) -> str:
    return f"{count} worker{'s' if count != 1 else ''}"


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


def build_project(count: int):
    """A project led by a heat company (also the communicating party) with ``count`` homes, each with
    one owner who prefers e-mail; and a user of the heat company who communicates. Returns the project,
    the user and the addresses."""
    from django.db import connection, transaction

    from projects.models import (
        Channel,
        Contact,
        ContactRole,
        Dwelling,
        Organisation,
        Participation,
        Project,
        Role,
        User,
        WorkRole,
    )

    with transaction.atomic():
        heat = Organisation.objects.create(
            name="Warmtebedrijf Bench",
            slug="warmtebedrijf-bench",
            kind="heat_company",
            email="info@bench.test",
        )
        user = User.objects.create_user(
            "communicatie@bench.test", organisation=heat, work_roles=[WorkRole.COMMUNICATION]
        )
        project = Project.objects.create(
            name="Bench campagne",
            slug="bench-campaign",
            municipality="Amstelhoven",
            neighbourhood="Tuindorp",
            connection_approach="area",
            heat_company_kind="regional",
            planned_dwellings=count,
            start_date=datetime.date(2026, 1, 1),
        )
        for role in (Role.LEAD, Role.HEAT_COMPANY, Role.COMMUNICATING_PARTY):
            Participation.objects.create(project=project, organisation=heat, role=role)
        dwellings = Dwelling.objects.bulk_create(
            [
                Dwelling(
                    project=project,
                    postcode=f"{1000 + n // 100} AB",
                    house_number=n % 100 + 1,
                    street=f"Lindelaan {n // 1000}" if n >= 1000 else "Lindelaan",
                    city="Amstelhoven",
                    ownership="owner_occupied",
                    dwelling_type="mid_terrace",
                    build_year=1965,
                    cluster=f"Blok {n // 20 + 1}",
                    state="informed",
                )
                for n in range(count)
            ],
            batch_size=2000,
        )
        contacts = Contact.objects.bulk_create(
            [
                Contact(
                    dwelling=d,
                    role=ContactRole.OWNER,
                    name=f"Bewoner {n}",
                    email=f"bewoner{n}@bench.test",
                    preferred_channel=Channel.EMAIL,
                    language="nl",
                )
                for n, d in enumerate(dwellings)
            ],
            batch_size=2000,
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves tables that have settled
    return project, user, [c.email for c in contacts]


def _machine() -> dict:
    from importlib.metadata import version

    from bench_common import cpu_name
    from django.db import connection

    cpu = cpu_name()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        database = f"PostgreSQL {cursor.fetchone()[0]}"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "database": database,
        "celery": version("celery"),
        "aiosmtpd": version("aiosmtpd"),
    }


if __name__ == "__main__":
    sys.exit(main())
