"""Settings from the environment, the production check, and the health endpoint."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k7#Qz!v2@Lr9$Wm4^Tx8&Np3*Hs6(Bd1)Fg5_Jc0+Ye2=Ua7%Ro4",
    "ALLOWED_HOSTS": "warmte.example.nl",
    "DATABASE_URL": "postgres://lastmetre:secret@db.internal:5432/lastmetre",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.nl:587",
    "MEDIA_ROOT": "/srv/lastmetre/media",
}


def manage(*args, env):
    test_only = {"TEST_REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k not in test_only}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_variables_prints_no_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_demo_refuses_production(tmp_path):
    result = manage("demo", env={**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert result.returncode != 0
    assert "DEBUG is off" in result.stderr


class TestHealthz:
    def test_database_ok_and_eager_broker(self, client, db, settings):
        settings.CELERY_TASK_ALWAYS_EAGER = True
        response = client.get(reverse("healthz"))
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}

    @pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs the throwaway Redis of make test")
    def test_real_broker_ok(self, client, db, settings):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = os.environ["TEST_REDIS_URL"]
        response = client.get(reverse("healthz"))
        assert response.status_code == 200
        assert response.json()["broker"] == "ok"

    def test_unreachable_broker_answers_503(self, client, db, settings):
        import socket

        with socket.socket() as probe:  # a port on which nothing listens
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
        settings.HEALTHCHECK_BROKER_TIMEOUT = 0.5
        response = client.get(reverse("healthz"))
        assert response.status_code == 503
        assert response.json()["database"] == "ok"
        assert response.json()["broker"].startswith("error")

    def test_healthz_is_not_redirected_to_https(self, client, db, settings):
        settings.SECURE_SSL_REDIRECT = True
        settings.CELERY_TASK_ALWAYS_EAGER = True
        assert client.get(reverse("healthz")).status_code == 200
        assert client.get(reverse("login")).status_code == 301


def test_openapi_schema_is_valid_and_without_warnings():
    result = manage("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull, env={})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_apps_connections_price_random_reads_for_ssds():
    """DB_RANDOM_PAGE_COST (1.1 unless set) reaches every connection the app opens; with the server's
    default of 4 the planner reads a whole big project for a search with a few thousand matches."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS'))",
        env={**PRODUCTION_ENV, "DB_RANDOM_PAGE_COST": ""},
    )
    assert result.returncode == 0, result.stderr
    assert "random_page_cost" not in result.stdout
