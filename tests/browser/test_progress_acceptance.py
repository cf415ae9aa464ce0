"""Issue 13's acceptance, as a new user would try it in the browser and with curl.

As the municipality: the dashboard of its projects with the funnel, the weekly chart and the streets
(the street of three hidden), the XLSX export and the monthly report, and no personal data or prices.
As the heat company: both projects side by side. As the lead party: the dwellings' CSV, an API token,
the dwellings listed with it, a move through the API, and the same move again with the state it saw
before: 409.
"""

import io
import json
import urllib.error
import urllib.request

import pytest
from openpyxl import load_workbook

from projects.models import Contact, Dwelling
from tests.factories import PASSWORD
from tests.progress.conftest import programme  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/projects/")


def download(page, selector) -> bytes:
    with page.expect_download() as caught:
        page.click(selector)
    with open(caught.value.path(), "rb") as handle:
        return handle.read()


def api(live_server, key, path, body=None):
    """What curl would do: the token in the Authorization header, JSON in and out."""
    request = urllib.request.Request(
        f"{live_server.url}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Token {key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_municipality_heat_company_and_lead_party(page, live_server, programme):  # noqa: F811
    secret = Contact.objects.create(
        dwelling=programme["lindehof"].dwellings.first(),
        role="owner",
        name="Anna Geheim",
        email="anna@geheim.test",
    )

    # --- the municipality ---------------------------------------------------------------------------
    log_in(page, live_server, programme["municipality"])
    page.click("#mainnav a[href='/progress/']")
    page.wait_for_url("**/progress/municipality/")
    assert page.locator("#funnel svg[role='img']").count() == 1
    assert page.locator("#weekly svg[role='img']").count() >= 1
    street = page.locator("#table-by_street tr[data-row='Kastanjelaan']")
    assert street.count() == 1
    cells = street.locator("td").all_inner_texts()
    assert cells and not any(text.strip().isdigit() and text.strip() != "0" for text in cells), cells
    html = page.content()
    assert "Anna Geheim" not in html and "anna@geheim.test" not in html and "€" not in html

    workbook = load_workbook(io.BytesIO(download(page, "#export-xlsx")), read_only=True)
    text = " ".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )
    assert "Kastanjelaan" in text and "< 10" in text
    assert "Anna Geheim" not in text and "anna@geheim.test" not in text and "€" not in text

    page.click("#reports-link")
    page.click("#make-report")
    page.wait_for_selector("#reports a[href*='/progress/reports/']")
    # The report opens in the browser's PDF viewer: fetch it as the browser does, with its session.
    href = page.get_attribute("#reports a[href*='/progress/reports/']", "href")
    report = page.request.get(f"{live_server.url}{href}")
    assert report.ok and report.headers["content-type"] == "application/pdf"
    assert report.body()[:4] == b"%PDF"

    # --- the heat company: the programme ---------------------------------------------------------------
    log_in(page, live_server, programme["lead"])
    page.goto(f"{live_server.url}/progress/programme/")
    rows = page.locator("#table-projects tbody tr").evaluate_all("rows => rows.map(r => r.dataset.row)")
    assert sorted(rows) == ["beukenhof", "lindehof"]

    # --- the lead party: dwellings, a token, the API ----------------------------------------------------
    page.goto(f"{live_server.url}/progress/projects/lindehof/")
    page.click("#dwelling-exports-link")
    exported = download(page, "#dwellings-csv").decode("utf-8-sig").splitlines()
    assert len(exported) == 1 + Dwelling.objects.filter(project=programme["lindehof"]).count()
    assert any(secret.name in line for line in exported)  # the lead party sees the people

    page.click("#nav-api")
    page.fill("input[name='name']", "GIS")
    page.click("form[action$='/account/tokens/'] button[type='submit']")
    key = page.input_value("#new-token-key")
    assert len(key) > 20

    status, listed = api(live_server, key, "/api/v1/dwellings/?project=lindehof")
    assert status == 200 and listed["count"] == 120
    home = Dwelling.objects.filter(project=programme["lindehof"], state="registered").first()
    move = {"transition": "inform", "expected_state": "registered"}
    status, moved = api(live_server, key, f"/api/v1/dwellings/{home.pk}/transitions/", move)
    assert status == 200 and moved["state"] == "informed"
    status, refused = api(live_server, key, f"/api/v1/dwellings/{home.pk}/transitions/", move)
    assert status == 409 and refused
    home.refresh_from_db()
    assert home.state == "informed"
