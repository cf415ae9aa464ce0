"""Dutch by default, English on request, and no visible string without a translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"
SOURCES = [
    "config",
    "projects",
    "surveys",
    "procurement",
    "communication",
    "portal",
    "progress",
    "demo",
    "templates",
    "manage.py",
]


def test_every_string_of_the_catalogue_is_translated():
    catalogue = polib.pofile(str(CATALOGUE))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert len(catalogue.translated_entries()) > 100


def test_compiled_catalogue_is_current():
    compiled = polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    source = polib.pofile(str(CATALOGUE))
    assert {(e.msgid, e.msgstr) for e in compiled if e.msgid and not e.msgid_plural} == {
        (e.msgid, e.msgstr) for e in source.translated_entries() if not e.msgid_plural
    }


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext (installed by make test)")
def test_catalogue_holds_every_string_in_the_code(tmp_path):
    """Extract the strings afresh from a copy of the sources: none may be missing from the catalogue."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale").mkdir()
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "nl", "--no-location"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    fresh = {e.msgid for e in polib.pofile(str(tmp_path / "locale/nl/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in polib.pofile(str(CATALOGUE))}
    assert fresh - known == set(), "run `make messages` and translate the new strings"


@pytest.mark.django_db
def test_dutch_by_default_and_english_on_request(client, lead_user, advised_project):
    client.force_login(lead_user)
    dutch = client.get(reverse("projects:list"))
    assert 'lang="nl"' in dutch.text
    assert "Mijn projecten" in dutch.text

    client.post(reverse("set_language"), {"language": "en", "next": reverse("projects:list")})
    english = client.get(reverse("projects:list"))
    assert 'lang="en"' in english.text
    assert "My projects" in english.text

    client.post(reverse("set_language"), {"language": "nl", "next": reverse("projects:list")})
    assert "Mijn projecten" in client.get(reverse("projects:list")).text


@pytest.mark.django_db
def test_project_page_has_no_english_left_in_dutch(client, lead_user, advised_project):
    """Every translated msgid that is visible in English must be gone from the Dutch page."""
    client.force_login(lead_user)
    client.post(reverse("set_language"), {"language": "en"})
    english = client.get(advised_project.get_absolute_url()).text
    client.post(reverse("set_language"), {"language": "nl"})
    dutch = client.get(advised_project.get_absolute_url()).text
    catalogue = polib.pofile(str(CATALOGUE))
    leftovers = [
        e.msgid
        for e in catalogue.translated_entries()
        if len(e.msgid) > 12
        and e.msgid != e.msgstr
        and "%" not in e.msgid
        and f">{e.msgid}<" in english
        and f">{e.msgid}<" in dutch
    ]
    assert leftovers == []


@pytest.mark.django_db
def test_an_english_browser_still_gets_dutch_until_the_user_switches(client, lead_user):
    client.force_login(lead_user)
    page = client.get(reverse("projects:list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="nl"' in page.text
