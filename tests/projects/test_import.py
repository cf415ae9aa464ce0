"""The dwelling register import: CSV and XLSX in, every row checked, all or nothing, scoped pages; a
match on the BAG address, conflicts refused, homes that have agreed only by choice, the change list
and the history."""

import codecs
import csv
import io
import uuid
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from projects.history import CREATE, DELETE, HIDDEN, UPDATE
from projects.imports.parsing import ImportFileError
from projects.imports.services import import_dwellings, import_job_run
from projects.models import Contact, Dwelling, Job, OrganisationKind, Role
from tests.conftest import member_of
from tests.factories import ContactFactory, DwellingFactory, OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "dwellings.csv"
HEADER = [
    "postcode",
    "huisnummer",
    "huisletter",
    "toevoeging",
    "straat",
    "plaats",
    "bag_id",
    "eigendom",
    "corporatie",
    "vve",
    "woningtype",
    "bouwjaar",
    "energielabel",
    "eigenaar_naam",
    "eigenaar_email",
    "bewoner_naam",
    "bewoner_telefoon",
    "bewoner_kanaal",
    "extra_zorg",
    "extra_zorg_notitie",
]


@pytest.fixture(autouse=True)
def _english():
    """Reasons are compared in English (the msgids), whatever the catalogue holds."""
    with translation.override("en"):
        yield


def row(**values) -> dict:
    base = {
        "postcode": "1437 CA",
        "huisnummer": "2",
        "straat": "Lindelaan",
        "plaats": "Amstelhoven",
        "eigendom": "koop",
        "woningtype": "tussenwoning",
        "bouwjaar": "1958",
        "eigenaar_naam": "Anna Jansen",
        "eigenaar_email": "anna@example.com",
    }
    return {**base, **values}


def table(rows, *, header=HEADER, delimiter=";", bom=False) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    return codecs.BOM_UTF8 + data if bom else data


def street(count, **values) -> list[dict]:
    """``count`` owner-occupied homes on one street, each with a BAG id."""
    return [
        row(huisnummer=str(n), bag_id=f"19990100{n:08d}", eigenaar_naam=f"Eigenaar {n}", **values)
        for n in range(1, count + 1)
    ]


def run(project, actor, data, **kwargs):
    return import_dwellings(actor=actor, project=project, rows_source=io.BytesIO(data), **kwargs)


@pytest.fixture
def project(advised_project):
    return advised_project


@pytest.fixture
def association(db):
    return OrganisationFactory(kind=OrganisationKind.HOUSING_ASSOCIATION, name="Woonstichting De Linde")


def snapshot(project):
    """Everything an import may touch, to show that a refused import touched nothing."""
    dwellings = list(Dwelling.objects.filter(project=project).order_by("pk").values())
    contacts = list(Contact.objects.filter(dwelling__project=project).order_by("pk").values())
    return dwellings, contacts


# --- the example file and the ways people write CSV ------------------------------------------------


def test_example_file_imports_cleanly_into_the_demo_project():
    from demo.loading import load_demo
    from projects.models import Project, User

    load_demo()
    project = Project.objects.get(slug="warmtenet-tuindorp-oost")
    lead = User.objects.get(email="warmtebedrijf@demo.test")
    demo_dwellings = set(Dwelling.objects.filter(project=project).values_list("pk", flat=True))

    result = import_dwellings(actor=lead, project=project, rows_source=EXAMPLE)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (40, 0, 0)
    dwellings = Dwelling.objects.filter(project=project).exclude(pk__in=demo_dwellings)
    assert dwellings.count() == 40
    assert set(dwellings.values_list("state", flat=True)) == {"registered"}
    flats = dwellings.filter(owners_association="VvE Vlierhof 20")
    assert flats.count() == 8
    assert set(flats.values_list("ownership", flat=True)) == {
        "owner_occupied",
        "private_rental",
        "housing_association",
    }
    linde = dwellings.filter(housing_association__name="Woonstichting De Linde")
    assert linde.count() == 13
    assert set(linde.values_list("ownership", flat=True)) == {"housing_association"}
    assert dwellings.filter(extra_care=True).exclude(extra_care_note="").count() >= 4
    flat = dwellings.get(street="Vlierhof", house_number=20, house_number_addition="3")
    assert {c.role: c.name for c in flat.contacts.all()} == {"owner": "M. Schouten", "resident": "A. Nguyen"}
    owner_occupied = dwellings.filter(ownership="owner_occupied")
    assert not Contact.objects.filter(dwelling__in=owner_occupied, role="resident").exists()
    assert dwellings.get(street="Meidoornweg", house_number=5, house_letter="A").floor_area == 54

    again = import_dwellings(actor=lead, project=project, rows_source=EXAMPLE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 40)


def test_the_example_in_the_documentation_imports(project, lead_user, association):
    documentation = (EXAMPLE.parents[1] / "IMPORT.md").read_text()
    block = documentation.split("```csv\n", 1)[1].split("```", 1)[0]

    result = run(project, lead_user, block.encode())

    assert result.errors == []
    assert result.created == len(block.splitlines()) - 1


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("bom", [True, False])
def test_comma_semicolon_tab_with_or_without_bom(project, lead_user, delimiter, bom):
    rows = [*street(3), row(huisnummer="9", straat="Lindelaan, zijstraat", vve="VvE “De Linde”; blok 2")]

    result = run(project, lead_user, table(rows, delimiter=delimiter, bom=bom))

    assert result.errors == []
    assert result.created == 4
    assert (
        Dwelling.objects.get(project=project, house_number=9).owners_association == "VvE “De Linde”; blok 2"
    )
    assert Dwelling.objects.get(project=project, house_number=9).street == "Lindelaan, zijstraat"


def test_windows_1252_from_older_excel_and_excel_sep_hint(project, lead_user):
    data = ("sep=;\r\n" + table([row(straat="Cöopstraat", eigenaar_naam="José Öztürk")]).decode()).encode(
        "cp1252"
    )

    result = run(project, lead_user, data)

    assert result.errors == []
    dwelling = Dwelling.objects.get(project=project)
    assert dwelling.street == "Cöopstraat"
    assert dwelling.contacts.get().name == "José Öztürk"


def test_header_names_dutch_or_english_any_case_and_spaces(project, lead_user):
    header = [" Postal_Code ", "HOUSE_NUMBER", "Street", "city", "Ownership ", "dwelling_type", "Owner Name"]
    data = table(
        [
            {
                " Postal_Code ": "1437ca",
                "HOUSE_NUMBER": "4",
                "Street": "Lindelaan",
                "city": "Amstelhoven",
                "Ownership ": "owner_occupied",
                "dwelling_type": "mid_terrace",
                "Owner Name": "Bram",
            }
        ],
        header=header,
    )

    result = run(project, lead_user, data)

    assert result.errors == []
    dwelling = Dwelling.objects.get(project=project)
    assert (dwelling.postcode, dwelling.dwelling_type) == ("1437 CA", "mid_terrace")
    assert dwelling.contacts.get(role="owner").name == "Bram"


def test_xlsx_workbook(project, lead_user, association):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        ["Postcode", "Huisnummer", "Straat", "Plaats", "BAG_id", "Eigendom", "Corporatie", "Woningtype"]
    )
    sheet.append(
        [
            "1437 CA",
            2,
            "Lindelaan",
            "Amstelhoven",
            363010000000002,
            "corporatie",
            association.name,
            "hoekwoning",
        ]
    )
    sheet.append([None, None, None, None, None, None, None, None])  # an empty row in between
    sheet.append(
        [
            "1437ca",
            4.0,
            "Lindelaan",
            "Amstelhoven",
            "0363010000000004",
            "sociale huur",
            association.name,
            "tussenwoning",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = run(project, lead_user, buffer.getvalue())

    assert result.errors == []
    assert result.created == 2
    # A BAG id typed into a number cell lost its leading zero; the import gives it back.
    assert sorted(Dwelling.objects.filter(project=project).values_list("house_number", "bag_id")) == [
        (2, "0363010000000002"),
        (4, "0363010000000004"),
    ]
    assert set(Dwelling.objects.values_list("housing_association", flat=True)) == {association.pk}


def test_postcodes_are_normalised(project, lead_user):
    rows = [
        row(postcode="1437ca", huisnummer="1"),
        row(postcode="1437 cb", huisnummer="2"),
        row(postcode=" 1437  CC "),
    ]

    assert run(project, lead_user, table(rows)).errors == []

    assert sorted(Dwelling.objects.values_list("postcode", flat=True)) == ["1437 CA", "1437 CB", "1437 CC"]


# --- wrong values: every row reported with line, column, value and reason; nothing changes --------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("postcode", "0123 AB"),
        ("postcode", "12345"),
        ("postcode", ""),
        ("huisnummer", "0"),
        ("huisnummer", "12a"),
        ("huisnummer", "-3"),
        ("huisnummer", "100000"),
        ("huisletter", "AB"),
        ("huisletter", "1"),
        ("toevoeging", "12345"),
        ("toevoeging", "a b"),
        ("straat", ""),
        ("plaats", ""),
        ("bag_id", "12345"),
        ("bag_id", "19990100000000012"),
        ("eigendom", "huur"),
        ("eigendom", ""),
        ("woningtype", "bungalow"),
        ("bouwjaar", "19xx"),
        ("bouwjaar", "999"),
        ("energielabel", "H"),
        ("eigenaar_email", "geen-adres"),
        ("bewoner_kanaal", "postduif"),
        ("extra_zorg", "misschien"),
        ("corporatie", "Woonstichting Onbekend"),
    ],
)
def test_each_wrong_value_is_reported_and_nothing_changes(project, lead_user, association, column, value):
    existing = DwellingFactory(project=project, postcode="1437 CZ", house_number=99, street="Oude straat")
    before = snapshot(project)
    good = row(huisnummer="1")
    bad = row(huisnummer="3", eigendom="particuliere huur", bewoner_naam="Bea", bewoner_telefoon="0612345678")
    if column == "corporatie":
        bad.update(eigendom="corporatie")
    bad[column] = value
    if column == "bewoner_kanaal":
        bad["bewoner_naam"] = "Bea"

    result = run(project, lead_user, table([good, bad, good | {"huisnummer": "5"}]))

    assert not result.imported
    assert (result.created, result.updated) == (0, 0)
    assert [(e.line, e.column, e.value) for e in result.errors] == [(3, column, value.strip())]
    assert result.errors[0].reason
    assert snapshot(project) == before
    existing.refresh_from_db()
    assert existing.street == "Oude straat"


def test_every_wrong_row_is_reported(project, lead_user):
    rows = [
        row(huisnummer="1"),
        row(huisnummer="x"),
        row(huisnummer="3", postcode="9999"),
        row(huisnummer="4"),
    ]
    rows[3]["energielabel"] = "Z"
    rows[3]["woningtype"] = "kasteel"

    result = run(project, lead_user, table(rows))

    assert [(e.line, e.column) for e in result.errors] == [
        (3, "huisnummer"),
        (4, "postcode"),
        (5, "woningtype"),
        (5, "energielabel"),
    ]
    assert result.rejected == 3
    assert Dwelling.objects.count() == 0


def test_cross_column_rules(project, lead_user, association):
    rows = [
        row(huisnummer="1", eigendom="corporatie"),  # which association?
        row(huisnummer="2", corporatie=association.name),  # an association for an owner-occupied home
        row(huisnummer="3", bewoner_naam="Huurder Henk"),  # a tenant in an owner-occupied home
        row(huisnummer="4", eigenaar_naam="", eigenaar_email="wie@example.com"),  # a contact without a name
        row(huisnummer="5", extra_zorg_notitie="Slechthorend"),  # a note without the flag
        row(huisnummer="6", eigendom="particuliere huur", bewoner_naam="Bea", bewoner_kanaal="sms"),
    ]

    result = run(project, lead_user, table(rows))

    assert [(e.line, e.column) for e in result.errors] == [
        (2, "corporatie"),
        (3, "corporatie"),
        (4, "bewoner_naam"),
        (5, "eigenaar_naam"),
        (6, "extra_zorg_notitie"),
        (7, "bewoner_kanaal"),
    ]


def test_the_owner_living_in_is_no_second_contact(project, lead_user):
    result = run(project, lead_user, table([row(bewoner_naam="anna jansen")]))

    assert result.errors == []
    assert list(Dwelling.objects.get().contacts.values_list("role", flat=True)) == ["owner"]


def test_a_row_with_more_values_than_columns_is_reported(project, lead_user):
    cells = [row(huisnummer="4").get(name, "") for name in HEADER]
    data = table([row()], delimiter=",") + ",".join([*cells, "achter"]).encode() + b"\n"

    result = run(project, lead_user, data)

    assert [(e.line, e.column) for e in result.errors] == [(3, "")]
    assert Dwelling.objects.count() == 0


def test_duplicates_within_the_file(project, lead_user):
    rows = [
        row(huisnummer="1", bag_id="1999010000000001"),
        row(huisnummer="2", bag_id="1999010000000001"),
        row(huisnummer="1", huisletter="", bag_id="1999010000000003"),
        row(huisnummer="7", huisletter="a", toevoeging="bis"),
        row(huisnummer="7", huisletter="A", toevoeging="BIS"),
    ]

    result = run(project, lead_user, table(rows))

    assert [(e.line, e.column, e.reason) for e in result.errors] == [
        (3, "bag_id", "This BAG object id is already on line 2."),
        (4, "huisnummer", "This address is already on line 2."),
        (6, "huisnummer", "This address is already on line 5."),
    ]
    assert Dwelling.objects.count() == 0


def test_bag_id_of_another_dwelling_of_the_project(project, lead_user, outsider_project):
    DwellingFactory(project=project, postcode="1437 CZ", house_number=1, bag_id="1999010000000001")
    DwellingFactory(project=outsider_project, bag_id="1999010000000002")  # another project: no conflict

    result = run(
        project,
        lead_user,
        table(
            [row(huisnummer="1", bag_id="1999010000000001"), row(huisnummer="2", bag_id="1999010000000002")]
        ),
    )

    assert [(e.line, e.column, e.value) for e in result.errors] == [(2, "bag_id", "1999010000000001")]
    assert "1437 CZ 1" in result.errors[0].reason
    assert Dwelling.objects.filter(project=project).count() == 1


# --- skip-invalid and the rejects file ---------------------------------------------------------


def test_skip_invalid_imports_the_good_rows_and_the_fixed_rejects_file_goes_back_in(project, lead_user):
    rows = [row(huisnummer="1"), row(huisnummer="2", postcode="0123 AB"), row(huisnummer="3", woningtype="?")]

    result = run(project, lead_user, table(rows, delimiter=","), skip_invalid=True)

    assert result.imported
    assert (result.created, result.rejected) == (1, 2)
    assert result.rejects_csv.startswith(codecs.BOM_UTF8)
    rejects = list(csv.reader(io.StringIO(result.rejects_csv.decode("utf-8-sig"))))  # same delimiter: comma
    assert rejects[0] == [*HEADER, "fout"]
    assert [r[1] for r in rejects[1:]] == ["2", "3"]
    assert rejects[1][0] == "0123 AB"
    assert rejects[1][-1].startswith("postcode: ")

    rejects[1][0] = "1437 CA"
    rejects[2][HEADER.index("woningtype")] = "hoekwoning"
    fixed = io.StringIO()
    csv.writer(fixed).writerows(rejects)

    again = run(project, lead_user, fixed.getvalue().encode())

    assert again.errors == []
    assert (again.created, again.updated, again.unchanged) == (2, 0, 0)
    assert Dwelling.objects.filter(project=project).count() == 3


def test_skip_invalid_without_errors_has_no_rejects(project, lead_user):
    result = run(project, lead_user, table(street(2)), skip_invalid=True)
    assert result.rejects_csv is None
    assert result.created == 2


# --- re-import, updates, contacts ---------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(project, lead_user):
    data = table([*street(5), row(huisnummer="9", eigendom="particuliere huur", bewoner_naam="Bea")])
    run(project, lead_user, data)
    before = snapshot(project)

    result = run(project, lead_user, data)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 6)
    assert snapshot(project) == before


def test_an_import_updates_data_but_never_the_state(project, lead_user):
    dwelling = DwellingFactory(
        project=project,
        state="informed",
        postcode="1437 CA",
        house_number=7,
        house_letter="a",
        street="Lindelaan",
        dwelling_type="mid_terrace",
        build_year=1950,
    )
    ContactFactory(dwelling=dwelling, role="resident", name="Oude Huurder")

    result = run(
        project,
        lead_user,
        table(
            [row(huisnummer="7", huisletter="A", woningtype="hoekwoning", bouwjaar="1958", eigendom="koop")]
        ),
    )

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    dwelling.refresh_from_db()
    assert dwelling.state == "informed"
    assert (dwelling.dwelling_type, dwelling.build_year, dwelling.house_letter) == (
        "end_of_terrace",
        1958,
        "a",
    )
    # Owner-occupied now: the owner is there, the resident columns are empty so the tenant is gone.
    assert {c.role: c.name for c in dwelling.contacts.all()} == {"owner": "Anna Jansen"}


def test_contacts_are_created_updated_and_removed(project, lead_user):
    rented = {"eigendom": "particuliere huur", "bewoner_naam": "Bea", "bewoner_telefoon": "0612345678"}
    run(project, lead_user, table([row(huisnummer="1", **rented)]))
    dwelling = Dwelling.objects.get()
    assert {c.role: (c.name, c.preferred_channel) for c in dwelling.contacts.all()} == {
        "owner": ("Anna Jansen", "email"),
        "resident": ("Bea", "letter"),
    }

    changed = run(project, lead_user, table([row(huisnummer="1", **rented | {"bewoner_kanaal": "sms"})]))
    assert changed.updated == 1
    assert dwelling.contacts.get(role="resident").preferred_channel == "sms"

    emptied = run(project, lead_user, table([row(huisnummer="1", eigendom="particuliere huur")]))
    assert emptied.updated == 1
    assert list(dwelling.contacts.values_list("role", flat=True)) == ["owner"]


def test_a_column_the_file_lacks_leaves_that_data_alone(project, lead_user):
    dwelling = DwellingFactory(
        project=project,
        postcode="1437 CA",
        house_number=2,
        street="Lindelaan",
        energy_label="B",
        cluster="Blok A",
        floor_area=90,
    )
    ContactFactory(dwelling=dwelling, role="owner", name="Anna Jansen", phone="0611111111")
    header = ["postcode", "huisnummer", "straat", "plaats", "eigendom", "woningtype", "energielabel"]

    result = run(project, lead_user, table([row(energielabel="")], header=header))

    assert result.updated == 1
    dwelling.refresh_from_db()
    assert (dwelling.energy_label, dwelling.cluster, dwelling.floor_area) == ("", "Blok A", 90)
    assert dwelling.contacts.get().phone == "0611111111"


# --- the file as a whole -------------------------------------------------------------------------


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _docx() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (_png(), "PNG"),
        (_docx(), "zip"),
        (b"PK\x03\x04 broken", "damaged"),
        (b"", "empty"),
        (codecs.BOM_UTF8 + b"\r\n\r\n", "empty"),
        (table([]), "no dwellings"),
        (b"adres;plaats\nLindelaan 2;Amstelhoven\n", "huisnummer"),
        (b"postcode;huisnummer;straat;plaats;eigendom;woningtype;bewoner_email\n", "bewoner_naam"),
    ],
)
def test_wrong_files_are_refused_as_a_whole(project, lead_user, data, message):
    with pytest.raises(ImportFileError, match=message):
        run(project, lead_user, data)
    assert Dwelling.objects.count() == 0


def test_only_the_lead_party_imports(project):
    cooperative = member_of(project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY)
    with pytest.raises(PermissionDenied):
        run(project, cooperative, table(street(1)))
    assert Dwelling.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's limit on query parameters splits every batch"
)
def test_query_count_does_not_grow_with_the_rows(project, lead_user):
    def queries(count, offset):
        rows = [
            row(
                postcode="1437 CB",
                huisnummer=str(offset + n),
                eigendom="particuliere huur",
                bewoner_naam=f"B{n}",
            )
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            result = run(project, lead_user, table(rows), batch_size=1000)
        assert result.created == count
        return len(captured)

    queries(5, 5000)  # once for what a process looks up only once (content types), run first or not
    assert queries(50, 1) == queries(500, 1000)

    # And updating many costs the same as updating a few.
    def updates(count, offset):
        rows = [
            row(
                postcode="1437 CB",
                huisnummer=str(offset + n),
                eigendom="particuliere huur",
                bewoner_naam=f"C{n}",
            )
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            result = run(project, lead_user, table(rows), batch_size=1000)
        assert result.updated == count
        return len(captured)

    assert updates(50, 1) == updates(500, 1000)


# --- the command line ----------------------------------------------------------------------------


def test_command_imports_a_file(project, tmp_path):
    path = tmp_path / "woningen.csv"
    path.write_bytes(table(street(3)))
    out = io.StringIO()

    call_command("import_dwellings", str(path), project=project.slug, stdout=out)

    assert "3 created, 0 updated, 0 unchanged" in out.getvalue()
    call_command("import_dwellings", str(path), project=project.slug, stdout=out)
    assert "0 created, 0 updated, 3 unchanged" in out.getvalue()


def test_command_exits_non_zero_and_prints_every_wrong_row(project, tmp_path):
    path = tmp_path / "woningen.csv"
    path.write_bytes(table([row(huisnummer="1"), row(huisnummer="2", postcode="12345")]))
    err = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_dwellings", str(path), project=project.slug, stderr=err)

    assert raised.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert lines[0].split() == ["line", "column", "value", "reason"]
    assert lines[1].split()[:3] == ["3", "postcode", "12345"]
    assert Dwelling.objects.count() == 0


def test_command_skip_invalid_writes_the_rejects_next_to_the_file(project, tmp_path):
    path = tmp_path / "woningen.csv"
    path.write_bytes(table([row(huisnummer="1"), row(huisnummer="2", postcode="12345")]))

    with pytest.raises(CommandError) as raised:
        call_command(
            "import_dwellings", str(path), project=project.slug, skip_invalid=True, stdout=io.StringIO()
        )

    assert raised.value.returncode == 2
    assert Dwelling.objects.count() == 1
    rejects = (tmp_path / "woningen-rejects.csv").read_text("utf-8-sig")
    assert rejects.splitlines()[0].endswith(";fout")
    assert "12345" in rejects

    other = tmp_path / "elders.csv"
    with pytest.raises(CommandError):
        call_command(
            "import_dwellings",
            str(path),
            project=project.slug,
            skip_invalid=True,
            rejects=str(other),
            stdout=io.StringIO(),
        )
    assert "12345" in other.read_text("utf-8-sig")


def test_command_as_a_user_of_another_party_is_refused(project, tmp_path):
    path = tmp_path / "woningen.csv"
    path.write_bytes(table(street(1)))
    cooperative = member_of(project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY)

    with pytest.raises(CommandError, match="lead party"):
        call_command("import_dwellings", str(path), project=project.slug, user=cooperative.email)

    with pytest.raises(CommandError, match="empty"):
        (tmp_path / "leeg.csv").write_bytes(b"")
        call_command("import_dwellings", str(tmp_path / "leeg.csv"), project=project.slug)


# --- the pages ---------------------------------------------------------------------------------


def upload_url(project):
    return reverse("projects:imports:upload", args=[project.slug])


def post(client, project, data, name="woningen.csv", **fields):
    return client.post(
        upload_url(project),
        {"file": SimpleUploadedFile(name, data), "submission": str(uuid.uuid4()), **fields},
    )


def test_upload_page_end_to_end(client, project, lead_user, django_capture_on_commit_callbacks):
    client.force_login(lead_user)
    page = client.get(upload_url(project))
    assert page.status_code == 200
    assert 'name="skip_invalid"' in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, project, table(street(4)))

    job = Job.objects.get(project=project, kind=Job.Kind.IMPORT)
    assert response.status_code == 302
    assert response.url == reverse("projects:imports:job", args=[project.slug, job.pk])
    assert job.status == Job.Status.DONE
    assert (job.result["created"], job.result["imported"]) == (4, True)
    assert job.created_by == lead_user
    assert Dwelling.objects.filter(project=project).count() == 4
    page = client.get(response.url)
    assert page.status_code == 200
    assert 'id="import-result"' in page.text
    status = client.get(reverse("projects:imports:job-status", args=[project.slug, job.pk])).json()
    assert (status["finished"], status["percent"], status["result"]["created"]) == (True, 100, 4)


def test_upload_page_shows_the_wrong_rows_and_imports_nothing(
    client, project, lead_user, django_capture_on_commit_callbacks
):
    client.force_login(lead_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, project, table([row(huisnummer="1"), row(huisnummer="2", postcode="0123 AB")])
        )

    page = client.get(response.url)
    assert 'id="import-errors"' in page.text
    assert "0123 AB" in page.text
    assert Job.objects.get().result["imported"] is False
    assert Dwelling.objects.count() == 0
    rejects = client.get(reverse("projects:imports:rejects", args=[project.slug, Job.objects.get().pk]))
    assert rejects.status_code == 404  # all-or-nothing: the table says it all


def test_upload_page_skip_invalid_offers_the_rejects_file(
    client, project, lead_user, django_capture_on_commit_callbacks
):
    client.force_login(lead_user)
    rows = [row(huisnummer="1"), row(huisnummer="2", postcode="0123 AB")]
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, project, table(rows), name="mijn register.csv", skip_invalid="on")

    job = Job.objects.get()
    assert (job.result["created"], job.result["rejected"]) == (1, 1)
    rejects_url = reverse("projects:imports:rejects", args=[project.slug, job.pk])
    assert rejects_url in client.get(response.url).text
    download = client.get(rejects_url)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert "mijn register" in download["Content-Disposition"]
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    assert content.splitlines()[0].endswith(";fout")
    assert "0123 AB" in content


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4\n" + b"x" * 100, "woningen.csv"),
        (_png(), "woningen.csv"),
        (_docx(), "woningen.xlsx"),
        (b"adres\nLindelaan 2\n", "woningen.csv"),
    ],
)
def test_upload_page_refuses_wrong_files_on_the_spot(client, project, lead_user, data, name):
    client.force_login(lead_user)

    response = post(client, project, data, name=name)

    assert response.status_code == 400
    assert "invalid-feedback" in response.text
    assert not Job.objects.exists()


def test_upload_page_refuses_an_empty_file(client, project, lead_user):
    client.force_login(lead_user)
    response = post(client, project, b"")
    assert response.status_code == 400
    assert not Job.objects.exists()


def test_a_double_submit_imports_once(client, project, lead_user, django_capture_on_commit_callbacks):
    client.force_login(lead_user)
    token = str(uuid.uuid4())
    data = table(street(2))

    responses = []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            responses.append(
                client.post(
                    upload_url(project), {"file": SimpleUploadedFile("w.csv", data), "submission": token}
                )
            )

    assert Job.objects.count() == 1
    assert responses[0].url == responses[1].url
    assert Dwelling.objects.count() == 2


def test_the_task_runs_a_job_once(client, project, lead_user, django_capture_on_commit_callbacks):
    client.force_login(lead_user)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, project, table(street(2)))
    job = Job.objects.get()
    finished_at = job.finished_at

    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.finished_at == finished_at
    assert job.result["created"] == 2


@pytest.fixture
def import_job(project, lead_user):
    return Job.objects.create(project=project, kind=Job.Kind.IMPORT, created_by=lead_user, status="done")


def _pages(project, job):
    return [
        upload_url(project),
        reverse("projects:imports:job", args=[project.slug, job.pk]),
        reverse("projects:imports:job-status", args=[project.slug, job.pk]),
        reverse("projects:imports:rejects", args=[project.slug, job.pk]),
    ]


def test_another_partys_user_gets_404(client, project, import_job, outsider_project):
    outsider = member_of(outsider_project, OrganisationKind.HEAT_COMPANY, Role.LEAD)
    client.force_login(outsider)
    for url in _pages(project, import_job):
        assert client.get(url).status_code == 404, url
    response = post(client, project, table(street(1)))
    assert response.status_code == 404
    assert Dwelling.objects.count() == 0


def test_a_participant_that_is_not_the_lead_gets_403(client, project, import_job):
    cooperative = member_of(project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY)
    client.force_login(cooperative)
    for url in _pages(project, import_job):
        assert client.get(url).status_code == 403, url
    assert post(client, project, table(street(1))).status_code == 403
    assert Dwelling.objects.count() == 0


def test_a_job_of_another_project_is_not_found_under_this_one(client, project, lead_user, heat_company):
    from tests.factories import ParticipationFactory

    other = ProjectFactory()
    ParticipationFactory(project=other, organisation=heat_company, role=Role.LEAD)
    job = Job.objects.create(project=other, kind=Job.Kind.IMPORT, created_by=lead_user, status="done")
    client.force_login(lead_user)
    for url in _pages(project, job)[1:]:
        assert client.get(url).status_code == 404, url


def test_a_corrected_e_mail_address_of_a_home_with_an_approved_plan_makes_a_new_plan_version(
    project, lead_user, django_capture_on_commit_callbacks
):
    from surveys.models import ConnectionPlan
    from surveys.plans.services import plans_render
    from tests.factories import fill_survey

    approved = DwellingFactory(
        project=project, postcode="1437 CA", house_number=2, street="Lindelaan", state="plan_ready"
    )
    ContactFactory(dwelling=approved, role="owner", name="Anna Jansen", email="anna@example.com")
    waiting = DwellingFactory(project=project, postcode="1437 CA", house_number=4, street="Lindelaan")
    fill_survey(approved)
    plans_render(dwelling_id=approved.pk)
    rows = [row(eigenaar_email="anna.jansen@example.net"), row(huisnummer="4", eigenaar_naam="Els Bakker")]
    with django_capture_on_commit_callbacks(execute=True):
        result = run(project, lead_user, table(rows))
    assert result.updated == 2
    versions = ConnectionPlan.objects.filter(dwelling=approved).values_list("variant", "version")
    assert sorted(versions) == [("full", 1), ("full", 2), ("installer", 1), ("installer", 2)]
    assert not ConnectionPlan.objects.filter(dwelling=waiting).exists()  # no approved plan: none made
    # The same file again changes nothing, and makes no plan.
    with django_capture_on_commit_callbacks(execute=True):
        assert run(project, lead_user, table(rows)).unchanged == 2
    assert ConnectionPlan.objects.filter(dwelling=approved).count() == 4


# --- a match on the address as the BAG has it ------------------------------------------------------


def history(project):
    """The history rows that imports wrote for the project."""
    return LogEntry.objects.filter(
        additional_data__project_id=project.pk, additional_data__source="import"
    ).order_by("pk")


@pytest.fixture
def eikenlaan(project):
    """The tester's demo home: Eikenlaan 2 in 1188 AD, with a BAG id, a landlord and a tenant."""
    dwelling = DwellingFactory(
        project=project,
        postcode="1188 AD",
        house_number=2,
        street="Eikenlaan",
        city="Amstelhoven",
        bag_id="0363010000000002",
        ownership="private_rental",
        dwelling_type="mid_terrace",
        build_year=1965,
    )
    ContactFactory(
        dwelling=dwelling,
        role="owner",
        name="Verhuur B.V.",
        email="verhuur@example.com",
        phone="",
        preferred_channel="email",
    )
    ContactFactory(
        dwelling=dwelling,
        role="resident",
        name="Ilse de Vries",
        email="",
        phone="0612345678",
        preferred_channel="letter",
    )
    return dwelling


def eikenlaan_row(**values) -> dict:
    """The row that says what the register already has of Eikenlaan 2."""
    register = {
        "postcode": "1188 AD",
        "huisnummer": "2",
        "straat": "Eikenlaan",
        "bag_id": "0363010000000002",
        "eigendom": "particuliere huur",
        "woningtype": "tussenwoning",
        "bouwjaar": "1965",
        "eigenaar_naam": "Verhuur B.V.",
        "eigenaar_email": "verhuur@example.com",
        "bewoner_naam": "Ilse de Vries",
        "bewoner_telefoon": "0612345678",
    }
    return row(**register | values)


def home_of(dwelling):
    """One home's register data and people, to show that an import left them alone."""
    return (
        Dwelling.objects.filter(pk=dwelling.pk).values().get(),
        list(Contact.objects.filter(dwelling=dwelling).order_by("pk").values()),
    )


def test_the_row_that_describes_the_register_changes_nothing(project, lead_user, eikenlaan):
    result = run(project, lead_user, table([eikenlaan_row()]))

    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert result.changes == []
    assert not history(project).exists()


def test_a_row_with_the_postcode_and_number_of_a_home_in_another_street_is_a_conflict(
    project, lead_user, eikenlaan
):
    before = home_of(eikenlaan)
    dorpsstraat = row(
        postcode="1188 AD",
        huisnummer="2",
        straat="Dorpsstraat",
        woningtype="hoekwoning",
        bouwjaar="1931",
        bag_id="",
        eigenaar_naam="Piet Dorp",
        eigenaar_email="piet@example.com",
    )

    result = run(project, lead_user, table([row(huisnummer="5"), dorpsstraat]))

    assert not result.imported
    assert [(e.line, e.column, e.value) for e in result.errors] == [
        (3, "straat", "Dorpsstraat 2, 1188 AD Amstelhoven")
    ]
    assert "Eikenlaan 2, 1188 AD Amstelhoven" in result.errors[0].reason
    assert home_of(eikenlaan) == before
    assert Dwelling.objects.filter(project=project).count() == 1
    assert not history(project).exists()

    # With skip_invalid the row goes to the rejects file with the reason; the good row goes in.
    skipped = run(project, lead_user, table([row(huisnummer="5"), dorpsstraat]), skip_invalid=True)

    assert (skipped.created, skipped.updated, skipped.rejected) == (1, 0, 1)
    rejects = skipped.rejects_csv.decode("utf-8-sig")
    assert "Dorpsstraat" in rejects
    assert "Eikenlaan 2, 1188 AD Amstelhoven" in rejects
    assert home_of(eikenlaan) == before
    assert not history(project).filter(additional_data__dwelling_id=eikenlaan.pk).exists()


@pytest.mark.parametrize(
    ("register", "file"),
    [
        ("Eikenlaan", "EIKENLAAN"),
        ("Eikenlaan", "  eiken-laan "),
        ("Cöopstraat", "Coopstraat"),
        ("'s-Gravendijkwal", "S Gravendijkwal"),
        ("Burgemeester de Withstraat", "Burg. de Withstraat"),
        ("Dorpsstraat", "Dorpsstr."),
        ("Jan Pieterszoon Coenstraat", "J.P. Coenstraat"),
    ],
)
def test_the_same_street_written_otherwise_matches_and_keeps_the_registers_spelling(
    project, lead_user, register, file
):
    dwelling = DwellingFactory(
        project=project,
        postcode="1437 CA",
        house_number=2,
        street=register,
        city="Amstelhoven",
        build_year=1950,
    )

    result = run(project, lead_user, table([row(straat=file, plaats="amstelhoven")]))

    assert result.errors == []
    assert (result.created, result.updated) == (0, 1)
    dwelling.refresh_from_db()
    assert (dwelling.street, dwelling.city, dwelling.build_year) == (register, "Amstelhoven", 1958)
    assert "street" not in result.changes[0].fields


@pytest.mark.parametrize("file", ["Dorpsstr", "Dorpstraat", "Kerkstraat", "Dorpsstraat Oost", "Dorpsw."])
def test_another_street_or_an_abbreviation_that_is_not_sure_is_a_conflict(project, lead_user, file):
    dwelling = DwellingFactory(project=project, postcode="1437 CA", house_number=2, street="Dorpsstraat")
    before = home_of(dwelling)

    result = run(project, lead_user, table([row(straat=file)]))

    assert [(e.line, e.column) for e in result.errors] == [(2, "straat")]
    assert home_of(dwelling) == before


def test_another_place_is_a_conflict_and_the_same_place_written_otherwise_is_not(project, lead_user):
    dwelling = DwellingFactory(
        project=project,
        postcode="2511 AA",
        house_number=1,
        street="Lange Poten",
        city="'s-Gravenhage",
        build_year=1900,
    )
    before = home_of(dwelling)
    file_row = row(postcode="2511 AA", huisnummer="1", straat="Lange Poten")

    result = run(project, lead_user, table([file_row | {"plaats": "Den Haag"}]))

    assert [(e.line, e.column, e.value) for e in result.errors] == [
        (2, "plaats", "Lange Poten 1, 2511 AA Den Haag")
    ]
    assert "Lange Poten 1, 2511 AA 's-Gravenhage" in result.errors[0].reason
    assert home_of(dwelling) == before

    same = run(project, lead_user, table([file_row | {"plaats": "S GRAVENHAGE"}]))

    assert (same.updated, same.errors) == (1, [])
    dwelling.refresh_from_db()
    assert (dwelling.city, dwelling.build_year) == ("'s-Gravenhage", 1958)


def test_a_bag_id_that_differs_from_the_homes_is_a_conflict(project, lead_user, eikenlaan):
    DwellingFactory(project=project, postcode="1188 AD", house_number=4, bag_id="0363010000000004")
    before = home_of(eikenlaan)

    other = run(project, lead_user, table([eikenlaan_row(bag_id="0363010000000099", bouwjaar="1931")]))

    assert [(e.line, e.column, e.value) for e in other.errors] == [(2, "bag_id", "0363010000000099")]
    assert "0363010000000002" in other.errors[0].reason
    assert "Eikenlaan 2, 1188 AD Amstelhoven" in other.errors[0].reason
    assert home_of(eikenlaan) == before

    # The BAG id of another dwelling of the project than the address's: one error, which says whose.
    taken = run(project, lead_user, table([eikenlaan_row(bag_id="0363010000000004")]))

    assert [(e.line, e.column) for e in taken.errors] == [(2, "bag_id")]
    assert "1188 AD 4" in taken.errors[0].reason
    assert home_of(eikenlaan) == before
    assert not history(project).exists()


def test_an_empty_bag_id_keeps_the_homes_and_a_home_without_one_gets_it(project, lead_user, eikenlaan):
    without = DwellingFactory(
        project=project, postcode="1437 CA", house_number=2, street="Lindelaan", bag_id=""
    )

    result = run(
        project,
        lead_user,
        table([eikenlaan_row(bag_id=""), row(bag_id="0363010000000007", bouwjaar="1965")]),
    )

    assert (result.updated, result.unchanged) == (1, 1)
    eikenlaan.refresh_from_db()
    without.refresh_from_db()
    assert (eikenlaan.bag_id, without.bag_id) == ("0363010000000002", "0363010000000007")
    assert result.changes[0].as_dict()["fields"] == {"bag_id": ["", "0363010000000007"]}


# --- the change list -------------------------------------------------------------------------------


def changed_eikenlaan() -> dict:
    """Eikenlaan 2 with another type and year, a care note, the landlord's e-mail gone and no tenant."""
    return eikenlaan_row(
        woningtype="hoekwoning",
        bouwjaar="1931",
        extra_zorg="ja",
        extra_zorg_notitie="Doof; afspraken via dochter",
        eigenaar_email="",
        bewoner_naam="",
        bewoner_telefoon="",
    )


def test_the_change_list_says_per_home_what_changed_from_what_to_what(project, lead_user, eikenlaan):
    rented = DwellingFactory(
        project=project, postcode="1437 CA", house_number=2, street="Lindelaan", ownership="private_rental"
    )
    ContactFactory(dwelling=rented, role="owner", name="Anna Jansen", email="anna@example.com", phone="")
    DwellingFactory(project=project, postcode="1437 CA", house_number=4, street="Lindelaan", build_year=1958)
    rows = [
        changed_eikenlaan(),
        row(eigendom="particuliere huur", bouwjaar="1965", bewoner_naam="Bea", bewoner_telefoon="0611111111"),
        row(huisnummer="4", eigenaar_naam="Anna Jansen"),  # nothing changes but the owner, who is new
        row(huisnummer="6"),  # a new home: counted, not listed
    ]

    result = run(project, lead_user, table(rows))

    assert (result.created, result.updated, result.unchanged) == (1, 3, 0)
    eikenlaan_change, rented_change, _owner = [home.as_dict() for home in result.changes]
    assert eikenlaan_change == {
        "dwelling": eikenlaan.pk,
        "address": "Eikenlaan 2, 1188 AD Amstelhoven",
        "fields": {
            "dwelling_type": ["mid_terrace", "end_of_terrace"],
            "build_year": [1965, 1931],
            "extra_care": [False, True],
            "extra_care_note": [HIDDEN, HIDDEN],
        },
        "people": [
            {"role": "owner", "action": "changed", "changes": {"email": ["verhuur@example.com", ""]}},
            {
                "role": "resident",
                "action": "removed",
                "changes": {
                    "name": ["Ilse de Vries", None],
                    "phone": ["0612345678", None],
                    "preferred_channel": ["letter", None],
                    "language": ["nl", None],
                },
            },
        ],
    }
    assert rented_change["fields"] == {}
    assert rented_change["people"] == [
        {
            "role": "resident",
            "action": "added",
            "changes": {
                "name": [None, "Bea"],
                "phone": [None, "0611111111"],
                "preferred_channel": [None, "letter"],
                "language": [None, "nl"],
            },
        }
    ]
    assert "Doof" not in str(result.as_dict())


def test_the_job_page_shows_the_change_list_and_the_csv_has_every_change(
    client, project, lead_user, eikenlaan, settings, django_capture_on_commit_callbacks
):
    client.force_login(lead_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, project, table([changed_eikenlaan(), row(huisnummer="6")]), name="register.csv"
        )
    job = Job.objects.get()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(response.url)

    assert 'id="import-changes"' in page.text
    changes_table = page.text.split('id="import-changes"', 1)[1].split("</table>", 1)[0]
    assert "Eikenlaan 2, 1188 AD Amstelhoven" in changes_table
    assert reverse("projects:dwelling", args=[project.slug, eikenlaan.pk]) in changes_table
    for text in ("build year", "1965", "1931", "mid-terrace", "end-of-terrace", "Ilse de Vries", "removed"):
        assert text in changes_table, text
    assert "extra care note" in changes_table
    assert "(changed)" in changes_table
    assert "Doof" not in page.text
    assert "Lindelaan 6" not in changes_table  # a new home is counted, not listed

    csv_url = reverse("projects:imports:changes", args=[project.slug, job.pk])
    assert csv_url in page.text
    download = client.get(csv_url)
    assert download.status_code == 200
    assert "register-changes.csv" in download["Content-Disposition"]
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert lines[0] == ["id", "Address", "What", "Change", "Field", "Old value", "New value"]
    address = "Eikenlaan 2, 1188 AD Amstelhoven"
    pk = str(eikenlaan.pk)
    assert [pk, address, "dwelling", "changed", "build year", "1965", "1931"] in lines
    assert [pk, address, "dwelling", "changed", "extra care note", "(changed)", "(changed)"] in lines
    assert [pk, address, "resident", "removed", "name", "Ilse de Vries", "—"] in lines
    assert [pk, address, "owner", "changed", "e-mail address", "verhuur@example.com", "—"] in lines
    assert {line[0] for line in lines[1:]} == {str(eikenlaan.pk)}  # not the new home
    assert "Doof" not in content


def test_the_job_page_lists_a_bounded_number_of_homes_and_the_csv_all_of_them(
    client, project, lead_user, django_capture_on_commit_callbacks
):
    from projects.imports.services import MAX_STORED_CHANGES

    count = MAX_STORED_CHANGES + 2
    run(project, lead_user, table(street(count, postcode="1437 CA")))
    client.force_login(lead_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, project, table(street(count, postcode="1437 CA", bouwjaar="1931")))
    job = Job.objects.get()

    assert (job.result["updated"], len(job.result["changes"])) == (count, MAX_STORED_CHANGES)
    assert "En nog 2 gewijzigde woningen, niet getoond" in client.get(response.url).text
    download = client.get(reverse("projects:imports:changes", args=[project.slug, job.pk]))
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    assert {line.split(";")[0] for line in content.splitlines()[1:]} == {
        str(pk) for pk in Dwelling.objects.filter(project=project).values_list("pk", flat=True)
    }
    assert len(content.splitlines()) == 1 + count


def test_no_changes_no_change_list(client, project, lead_user, eikenlaan, django_capture_on_commit_callbacks):
    client.force_login(lead_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, project, table([eikenlaan_row()]))

    assert 'id="import-changes"' not in client.get(response.url).text
    job = Job.objects.get()
    assert client.get(reverse("projects:imports:changes", args=[project.slug, job.pk])).status_code == 404


# --- the history -----------------------------------------------------------------------------------


def test_every_change_is_in_the_history_with_the_actor_the_source_and_the_job(
    client, project, lead_user, eikenlaan, django_capture_on_commit_callbacks
):
    client.force_login(lead_user)
    new_home = row(
        huisnummer="6",
        eigendom="particuliere huur",
        eigenaar_naam="Kees Verhuur",
        bewoner_naam="Bea",
        bewoner_telefoon="0611111111",
        extra_zorg="ja",
        extra_zorg_notitie="Slechtziend",
    )
    data = table([changed_eikenlaan(), new_home])
    with django_capture_on_commit_callbacks(execute=True):
        post(client, project, data)
    job = Job.objects.get()
    created = Dwelling.objects.get(project=project, house_number=6)
    dwelling_type = ContentType.objects.get_for_model(Dwelling)
    contact_type = ContentType.objects.get_for_model(Contact)

    rows = list(history(project))

    assert {(entry.actor, entry.additional_data["job_id"]) for entry in rows} == {(lead_user, job.pk)}
    assert all(entry.additional_data["project_id"] == project.pk for entry in rows)
    by_object = {
        (entry.content_type, entry.additional_data["dwelling_id"], entry.action): entry
        for entry in rows
        if entry.additional_data["dwelling_id"] == eikenlaan.pk or entry.content_type == dwelling_type
    }
    assert len(by_object) == 4
    assert len(rows) == 6
    update = by_object[(dwelling_type, eikenlaan.pk, UPDATE)]
    assert update.object_pk == str(eikenlaan.pk)
    assert update.changes == {
        "dwelling_type": ["mid_terrace", "end_of_terrace"],
        "build_year": [1965, 1931],
        "extra_care": [False, True],
        "extra_care_note": [HIDDEN, HIDDEN],
    }
    landlord = by_object[(contact_type, eikenlaan.pk, UPDATE)]
    assert landlord.changes == {"email": ["verhuur@example.com", ""]}
    assert landlord.additional_data["role"] == "owner"
    tenant = by_object[(contact_type, eikenlaan.pk, DELETE)]
    assert tenant.changes["name"] == ["Ilse de Vries", None]
    assert not Contact.objects.filter(pk=tenant.object_pk).exists()

    creation = by_object[(dwelling_type, created.pk, CREATE)]
    assert creation.object_pk == str(created.pk)
    assert {name: value for name, value in creation.changes.items() if name in ("postcode", "street")} == {
        "postcode": [None, "1437 CA"],
        "street": [None, "Lindelaan"],
    }
    assert creation.changes["ownership"] == [None, "private_rental"]
    assert creation.changes["extra_care_note"] == [HIDDEN, HIDDEN]
    people = [entry for entry in rows if entry.content_type == contact_type and entry.action == CREATE]
    assert sorted(entry.changes["name"][1] for entry in people) == ["Bea", "Kees Verhuur"]
    assert {entry.object_pk for entry in people} == {
        str(pk) for pk in created.contacts.values_list("pk", flat=True)
    }
    assert "Doof" not in str([entry.changes for entry in rows])
    assert "Slechtziend" not in str([entry.changes for entry in rows])

    # The same file again changes nothing and writes no history.
    with django_capture_on_commit_callbacks(execute=True):
        post(client, project, data)
    second = Job.objects.exclude(pk=job.pk).get()
    assert (second.result["updated"], second.result["unchanged"]) == (0, 2)
    assert history(project).count() == 6


def test_the_command_writes_history_without_a_job(project, tmp_path, eikenlaan):
    path = tmp_path / "woningen.csv"
    path.write_bytes(table([changed_eikenlaan()]))

    call_command("import_dwellings", str(path), project=project.slug, stdout=io.StringIO())

    rows = list(history(project))
    assert len(rows) == 3
    assert {entry.actor for entry in rows} == {None}
    assert all("job_id" not in entry.additional_data for entry in rows)


# --- homes that have agreed or are further along ----------------------------------------------------


@pytest.mark.parametrize(
    ("state", "held_state"),
    [
        ("agreed", ""),
        ("assigned", ""),
        ("installation_planned", ""),
        ("installed", ""),
        ("connected", ""),
        ("on_hold", "installation_planned"),
    ],
)
def test_a_home_that_has_agreed_is_refused_without_the_choice_and_updated_with_it(
    project, lead_user, state, held_state
):
    agreed = DwellingFactory(
        project=project,
        postcode="1437 CA",
        house_number=2,
        street="Lindelaan",
        state=state,
        held_state=held_state,
        build_year=1950,
    )
    ContactFactory(dwelling=agreed, role="owner", name="Anna Jansen", email="anna@example.com")
    before = home_of(agreed)
    data = table([row(bouwjaar="1958"), row(huisnummer="4")])

    refused = run(project, lead_user, data)

    assert not refused.imported
    assert [(e.line, e.column, e.value) for e in refused.errors] == [
        (2, "", "Lindelaan 2, 1437 CA Amstelhoven")
    ]
    assert "build year" in refused.errors[0].reason
    assert refused.refused_agreed == 1
    assert home_of(agreed) == before

    skipped = run(project, lead_user, data, skip_invalid=True)

    assert (skipped.created, skipped.updated, skipped.rejected) == (1, 0, 1)
    assert "agreed" in skipped.rejects_csv.decode("utf-8-sig")
    assert home_of(agreed) == before
    assert not history(project).filter(additional_data__dwelling_id=agreed.pk).exists()

    chosen = run(project, lead_user, data, update_agreed=True)

    assert (chosen.created, chosen.updated, chosen.unchanged) == (0, 1, 1)
    agreed.refresh_from_db()
    assert (agreed.build_year, agreed.state, agreed.held_state) == (1958, state, held_state)
    assert history(project).filter(additional_data__dwelling_id=agreed.pk).count() == 1

    # A row that changes nothing of such a home needs no choice: importing the register again works.
    again = run(project, lead_user, data)
    assert (again.imported, again.unchanged) == (True, 2)


@pytest.mark.parametrize(
    ("state", "held_state"), [("plan_ready", ""), ("on_hold", "surveyed"), ("declined", "")]
)
def test_a_home_before_agreed_is_updated_without_the_choice(project, lead_user, state, held_state):
    dwelling = DwellingFactory(
        project=project,
        postcode="1437 CA",
        house_number=2,
        street="Lindelaan",
        state=state,
        held_state=held_state,
    )

    result = run(project, lead_user, table([row(bouwjaar="1931")]))

    assert (result.errors, result.updated) == ([], 1)
    dwelling.refresh_from_db()
    assert (dwelling.build_year, dwelling.state) == (1931, state)


def test_the_page_form_asks_before_updating_homes_that_have_agreed(
    client, project, lead_user, django_capture_on_commit_callbacks
):
    agreed = DwellingFactory(
        project=project,
        postcode="1437 CA",
        house_number=2,
        street="Lindelaan",
        state="assigned",
        build_year=1950,
    )
    client.force_login(lead_user)
    assert 'name="update_agreed"' in client.get(upload_url(project)).text

    with django_capture_on_commit_callbacks(execute=True):
        refused = post(client, project, table([row(bouwjaar="1958")]))

    page = client.get(refused.url).text
    assert 'id="import-refused-agreed"' in page
    assert "Lindelaan 2, 1437 CA Amstelhoven" in page
    agreed.refresh_from_db()
    assert agreed.build_year == 1950

    with django_capture_on_commit_callbacks(execute=True):
        chosen = post(client, project, table([row(bouwjaar="1958")]), update_agreed="on")

    job = Job.objects.get(pk=chosen.url.rstrip("/").rsplit("/", 1)[1])
    assert job.params["update_agreed"] is True
    assert (job.result["updated"], job.result["refused_agreed"]) == (1, 0)
    agreed.refresh_from_db()
    assert (agreed.build_year, agreed.state) == (1958, "assigned")
    assert "ook woningen die akkoord hebben gegeven of verder zijn" in client.get(chosen.url).text


def test_the_command_asks_before_updating_homes_that_have_agreed(project, tmp_path):
    agreed = DwellingFactory(
        project=project,
        postcode="1437 CA",
        house_number=2,
        street="Lindelaan",
        state="connected",
        build_year=1950,
    )
    path = tmp_path / "woningen.csv"
    path.write_bytes(table([row(bouwjaar="1958")]))
    err = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_dwellings", str(path), project=project.slug, stderr=err, stdout=io.StringIO())

    assert raised.value.returncode == 1
    assert "--update-agreed" in err.getvalue()
    agreed.refresh_from_db()
    assert agreed.build_year == 1950

    out = io.StringIO()
    call_command("import_dwellings", str(path), project=project.slug, update_agreed=True, stdout=out)

    assert "0 created, 1 updated, 0 unchanged" in out.getvalue()
    agreed.refresh_from_db()
    assert (agreed.build_year, agreed.state) == (1958, "connected")


# --- the command line lists the changes --------------------------------------------------------------


def test_command_lists_the_changes_briefly_or_in_full_and_writes_them_to_a_csv(project, tmp_path, eikenlaan):
    path = tmp_path / "woningen.csv"
    path.write_bytes(table([changed_eikenlaan(), row(huisnummer="6")]))
    out = io.StringIO()

    call_command("import_dwellings", str(path), project=project.slug, stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "1 created, 1 updated, 0 unchanged."
    assert lines[1] == (
        "  Eikenlaan 2, 1188 AD Amstelhoven: dwelling type, build year, extra care, extra care note; "
        "owner changed (e-mail address); resident removed (name, phone, preferred channel, language)"
    )
    assert len(lines) == 2

    path.write_bytes(table([changed_eikenlaan() | {"bouwjaar": "1940"}]))
    out = io.StringIO()
    changes_file = tmp_path / "wijzigingen.csv"
    call_command(
        "import_dwellings",
        str(path),
        project=project.slug,
        verbose=True,
        changes=str(changes_file),
        stdout=out,
    )

    assert out.getvalue().splitlines()[1:] == [
        "  Eikenlaan 2, 1188 AD Amstelhoven",
        "    build year: 1931 → 1940",
    ]
    written = list(csv.reader(io.StringIO(changes_file.read_text("utf-8-sig")), delimiter=";"))
    assert written[1:] == [
        [
            str(eikenlaan.pk),
            "Eikenlaan 2, 1188 AD Amstelhoven",
            "dwelling",
            "changed",
            "build year",
            "1931",
            "1940",
        ]
    ]


# --- the number of queries does not grow with the rows ------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's limit on query parameters splits every batch"
)
def test_query_count_with_changes_and_history_is_the_same_for_10_and_100_rows(project, lead_user):
    def homes(count, offset, version):
        return [
            row(
                postcode="1437 CB",
                huisnummer=str(offset + n),
                eigendom="particuliere huur",
                bouwjaar=str(1950 + version),
                eigenaar_email=f"v{version}@example.com",
                bewoner_naam=f"B{version}-{n}",
                extra_zorg="ja",
                extra_zorg_notitie=f"Notitie {version}",
            )
            for n in range(count)
        ]

    def queries(rows):
        with CaptureQueriesContext(connection) as captured:
            result = run(project, lead_user, table(rows), batch_size=1000)
        assert result.imported
        return len(captured), result.created, result.updated

    run(project, lead_user, table(homes(1, 5000, 0)))  # caches (content types) are warm from here on

    # New homes, their people and their history.
    assert queries(homes(10, 1, 0))[0] == queries(homes(100, 1000, 0))[0]
    # Changed homes: fields and people, with their history; the counts say the work was done.
    few, many = queries(homes(10, 1, 1)), queries(homes(100, 1000, 1))
    assert (few[1:], many[1:]) == ((0, 10), (0, 100))
    assert few[0] == many[0]
    assert history(project).count() == 1 * 3 + 110 * 3 + 110 * 3


def test_a_long_check_keeps_the_job_alive_before_anything_is_written(project, lead_user, monkeypatch):
    """The check writes nothing until the end; it still reports a sign of life every CHECK_BEAT rows, so
    that the sweep does not take a long import for one whose worker stopped."""
    from projects.imports import importer

    monkeypatch.setattr(importer, "CHECK_BEAT", 4)
    calls = []

    def progress(processed):
        calls.append((processed, Dwelling.objects.filter(project=project).count()))

    result = run(project, lead_user, table(street(10)), progress=progress, batch_size=5)
    assert result.created == 10
    # Two signs of life while checking (rows 4 and 8), nothing written yet; then one per batch written.
    assert calls == [(0, 0), (0, 0), (5, 5), (10, 10)]
