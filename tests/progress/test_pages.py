"""The dashboards as pages: who gets which, what they show, and what they never show."""

import re

import pytest
from django.urls import reverse

from projects.models import Contact

pytestmark = pytest.mark.django_db


def page(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(f"progress:{name}", args=args))


def test_the_lead_sees_its_programme_and_each_project(client, programme):
    answer = page(client, programme["lead"], "scope", "programme")
    assert answer.status_code == 200
    html = answer.content.decode()
    for slug in ("lindehof", "beukenhof"):
        assert f'data-row="{slug}"' in html
    assert 'id="suppression-note"' not in html and 'id="costs"' in html
    # Charts drawn on the server, each with its table.
    assert html.count("<svg") >= 4 and 'id="table-funnel"' in html and 'id="table-weekly"' in html
    assert "elders" not in html
    assert page(client, programme["lead"], "project", "lindehof").status_code == 200


def test_the_municipality_sees_aggregates_without_personal_data_or_prices(client, programme):
    Contact.objects.create(
        dwelling=programme["lindehof"].dwellings.first(),
        role="owner",
        name="Anna Geheim",
        email="anna@example.test",
    )
    answer = page(client, programme["municipality"], "scope", "municipality")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'id="suppression-note"' in html and 'class="suppressed"' in html
    assert 'id="costs"' not in html and "€" not in html
    assert "Anna Geheim" not in html and "anna@example.test" not in html
    assert 'id="decline-reasons"' not in html
    # The street of three shows no number of its own.
    row = re.search(r'<tr data-row="Kastanjelaan">(.*?)</tr>', html, re.S).group(1)
    assert not re.search(r">\s*[1-9]\d*\s*<", row)
    # The municipality has no programme.
    assert page(client, programme["municipality"], "scope", "programme").status_code == 404


def test_other_parties_get_404(client, programme):
    outsider = programme["outsider"]
    assert page(client, outsider, "project", "lindehof").status_code == 404
    assert page(client, outsider, "scope", "municipality").status_code == 404
    assert page(client, outsider, "scope", "nothing").status_code == 404
    installer = programme["installer"]
    assert page(client, installer, "project", "beukenhof").status_code == 404
    assert page(client, installer, "scope", "programme").status_code == 404
    assert page(client, installer, "project", "lindehof").status_code == 200


def test_the_menu_leads_to_the_first_dashboard(client, programme):
    answer = page(client, programme["lead"], "index")
    assert answer.status_code == 302 and answer["Location"] == reverse("progress:scope", args=["programme"])
    answer = page(client, programme["installer"], "index")
    assert answer.status_code == 302 and answer["Location"] == reverse("projects:list")
