"""The embedded default that `make run` uses: SQLite, no broker, e-mail to files.

Runs the real commands in a clean environment: migrate, demo, a real server, log in, open a page.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sqlite_migrate_demo_login_and_open_a_page(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "EMAIL_URL",
            "TEST_REDIS_URL",
            "DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env["VAR_DIR"] = str(tmp_path / "var")
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("migrate", "--noinput")
    # The connection plans (two PDFs per approved home, minutes of WeasyPrint) are tested in test_demo;
    # here the demo's data and a working server are what matters.
    first = manage("demo", "--no-plans")
    assert "warmtebedrijf@demo.test" in first
    assert "Nothing added" not in first
    assert "nothing added" in manage("demo", "--no-plans")
    assert (tmp_path / "var" / "db.sqlite3").exists()

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        for _ in range(100):
            try:
                login_page = opener.open(f"{base}/login/", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("the development server did not start")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": "warmtebedrijf@demo.test",
                "password": "warmte-demo-2026",
            }
        ).encode()
        request = urllib.request.Request(f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"})
        response = opener.open(request, timeout=10)
        assert response.url.endswith("/projects/")
        page = response.read().decode()
        assert "Warmtenet Tuindorp-Oost" in page
        assert "Buurtwarmte Lindewijk Oude Dorp" in page
        assert 'lang="nl"' in page
        detail = opener.open(f"{base}/projects/buurtwarmte-lindewijk/", timeout=10).read().decode()
        assert 'data-advisory="boundary_facade"' in detail
        health = opener.open(f"{base}/healthz", timeout=10).read().decode()
        assert '"broker": "eager"' in health
    finally:
        server.terminate()
        server.wait(timeout=10)
