"""What the benchmarks share: a throwaway database of their own on the server of DATABASE_URL, and real
Celery workers (``celery -A config worker --concurrency=1`` processes of the environment's settings,
each in a session of its own, stopped again)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_workers(prefix: str, count: int, logs: Path) -> list[subprocess.Popen]:
    """Start ``count`` workers and wait until each answers a ping; RuntimeError with their logs else."""
    from config.celery import app

    processes = []
    for number in range(count):
        processes.append(
            subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "--concurrency=1",
                    "--pool=prefork",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel=WARNING",
                    "-n",
                    f"{prefix}-{number}-{os.getpid()}@%h",
                ],
                cwd=ROOT,
                env=os.environ.copy(),
                stdout=subprocess.DEVNULL,
                stderr=open(logs / f"worker-{number}.log", "ab"),  # noqa: SIM115 - closed with the process
                start_new_session=True,
            )
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=1.0) or []) >= count:
            return processes
    stop_workers(processes)
    told = "\n".join(path.read_text()[-2000:] for path in sorted(logs.glob("worker-*.log")))
    raise RuntimeError(f"the workers did not start within 60 s; their logs say:\n{told}")


def stop_workers(processes: list[subprocess.Popen]) -> None:
    """SIGTERM (a warm shutdown), then SIGKILL for a worker that takes longer than 30 s."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def cpu_name() -> str:
    """The processor's model name, as the benchmarks' documents report it."""
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return cpu


def server_params() -> dict:
    from urllib.parse import urlsplit

    url = urlsplit(os.environ["DATABASE_URL"])
    return {"host": url.hostname, "port": url.port, "user": url.username, "password": url.password}


def recreate_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(dbname="postgres", autocommit=True, **server_params()) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(dbname="postgres", autocommit=True, **server_params()) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
