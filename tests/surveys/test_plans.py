"""The connection plan (aansluitplan): a real PDF per dwelling in two versions, versioned by content,
opened only by the parties that may see that version.

What a PDF says is read back from the PDF itself: poppler-utils (pdftotext) and pypdf are not part of
the project, so ``pdf_text`` below unpacks the PDF (zlib streams and object streams), and decodes the
text drawn on the pages through each font's ToUnicode map, which is how any PDF reader extracts text.
Every test that asserts a phrase is *absent* also asserts that the same reader finds it in the other
version, so an empty or broken extraction cannot make such a test pass; and all whitespace is dropped
before comparing, so a phrase broken over two lines is still found.
"""

import datetime
import re
import threading
import zlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext

from projects.jobs import jobs_resume_stale
from projects.models import Job, OrganisationKind, Role
from projects.timeline import timeline
from surveys.models import ConnectionPlan, Photo, PlanVariant, Survey
from surveys.plans import services
from surveys.plans.pdf import PlanImageMissing, html_to_pdf, image_url
from surveys.plans.tasks import render_plans
from surveys.schema import RESPONSIBLE, SECTIONS_BY_NAME, WORKS
from tests.conftest import member_of
from tests.factories import ContactFactory, DwellingFactory, OrganisationFactory, UserFactory, fill_survey

pytestmark = pytest.mark.django_db

FULL, INSTALLER = PlanVariant.FULL, PlanVariant.INSTALLER
# Distinctive words of the kitchen-table talk and of the care note: nowhere else in a plan.
QUESTION = "Bewoonster maakt zich zorgen over de Kwispeltoets-rekening"
CARE_NEED = "Hulp nodig bij het Sluimerhuis-contract"
CARE_NOTE = "Slechthorend: lang aanbellen bij Plokkerwijk"
PRESENT = "Aanwezig waren mevrouw Zwanenbloem en haar zoon"


# --- Reading a PDF back -----------------------------------------------------------------------------

OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
STREAM = re.compile(rb"^(.*?)stream\r?\n(.*)\r?\nendstream\s*$", re.S)


def pdf_objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Every object of a PDF as (dictionary, inflated stream), with object streams unpacked."""
    objects = {}
    for number, body in OBJ.findall(pdf):
        match = STREAM.match(body)
        head, data = (match.group(1), match.group(2)) if match else (body, None)
        if data is not None and b"/FlateDecode" in head:
            data = zlib.decompress(data)
        objects[int(number)] = (head, data)
    for head, data in list(objects.values()):
        if b"/Type /ObjStm" in head:
            first = int(re.search(rb"/First (\d+)", head).group(1))
            numbers = [int(n) for n in data[:first].split()]
            pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
            for i, (number, offset) in enumerate(pairs):
                end = pairs[i + 1][1] if i + 1 < len(pairs) else len(data) - first
                objects[number] = (data[first + offset : first + end].strip(), None)
    return objects


def _cmap(data: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int(dst, 16)
            for offset, _code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[int(low, 16) + offset] = chr(start + offset)
    return mapping


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the pages, decoded through each font's ToUnicode map."""
    objects = pdf_objects(pdf)
    fonts = {}
    for head, _data in objects.values():
        inline = re.search(rb"/Font\s*<<(.*?)>>", head, re.S)
        entries = inline.group(1) if inline else b""
        ref = re.search(rb"/Font (\d+) 0 R", head)
        if ref:
            entries = objects[int(ref.group(1))][0]
        for name, number in re.findall(rb"/([\w+-]+) (\d+) 0 R", entries):
            font = objects.get(int(number), (b"", None))[0]
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
            if to_unicode:
                fonts[name.decode()] = _cmap(objects[int(to_unicode.group(1))][1])
    chunks = []
    for _head, data in objects.values():
        if data is None or b"BT" not in data or b"Tf" not in data:
            continue
        cmap = {}
        for token in re.finditer(rb"/([\w+-]+) [\d.]+ Tf|\[(.*?)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj", data, re.S):
            if token.group(1):
                cmap = fonts.get(token.group(1).decode(), {})
                continue
            shown = token.group(2) if token.group(2) is not None else b"<" + token.group(3) + b">"
            for text in re.findall(rb"<([0-9a-fA-F]*)>", shown):
                codes = [int(text[i : i + 4], 16) for i in range(0, len(text), 4)]
                chunks.append("".join(cmap.get(code, "") for code in codes))
            chunks.append(" ")
    return "".join(chunks)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def read(plan: ConnectionPlan) -> bytes:
    with plan.file.open("rb") as file:
        return file.read()


# --- Fixtures --------------------------------------------------------------------------------------


@pytest.fixture
def installer_org(advised_project):
    org = OrganisationFactory(kind=OrganisationKind.INSTALLER, name="Installatiebedrijf Warmvast")
    from tests.factories import ParticipationFactory

    ParticipationFactory(project=advised_project, organisation=org, role=Role.INSTALLER)
    return org


@pytest.fixture
def installer(installer_org):
    return UserFactory(organisation=installer_org)


@pytest.fixture
def home(advised_project, installer_org, lead_user):
    """A dwelling with an approved plan, assigned to an installer, with a complete survey."""
    now = timezone.now()
    dwelling = DwellingFactory(
        project=advised_project,
        street="Berkenlaan",
        house_number=12,
        house_letter="a",
        state="installation_planned",
        survey_completed_at=now - datetime.timedelta(days=20),
        plan_approved_at=now - datetime.timedelta(days=10),
        installer=installer_org,
        installation_planned_on=datetime.date(2027, 3, 15),
        extra_care=True,
        extra_care_note=CARE_NOTE,
    )
    ContactFactory(
        dwelling=dwelling, role="owner", name="Mevrouw Zwanenbloem", email="zwanenbloem@example.test"
    )
    survey = fill_survey(dwelling, by=lead_user)
    survey.answers["kitchen_table.questions"] = {"value": QUESTION, "by": "resident"}
    survey.answers["kitchen_table.care_needs"] = {"value": CARE_NEED, "by": "resident"}
    survey.answers["kitchen_table.present"] = {"value": PRESENT, "by": "surveyor"}
    survey.save()
    return dwelling


def change_survey(dwelling, key="delivery_set.position", value="Tegen de achterwand, links"):
    survey = Survey.objects.get(dwelling=dwelling)
    survey.answers[key] = {"value": value, "by": "surveyor"}
    survey.version += 1
    survey.save()


# --- The PDF ---------------------------------------------------------------------------------------


def test_plan_is_a_real_a4_pdf_with_embedded_fonts_in_dutch(home, lead_user):
    plan = services.plan_render(home, FULL, made_by=lead_user)
    pdf = read(plan)
    assert pdf.startswith(b"%PDF-")
    assert plan.size == len(pdf)
    heads = b"\n".join(head for head, _data in pdf_objects(pdf).values())
    boxes = re.findall(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", heads)
    assert boxes, "no page found"
    for width, height in boxes:  # A4: 210 x 297 mm = 595.28 x 841.89 pt
        assert abs(float(width) - 595.28) < 0.5 and abs(float(height) - 841.89) < 0.5
    assert b"/FontFile2" in heads  # the TrueType font program is inside the PDF
    assert set(re.findall(rb"/BaseFont /[A-Z]{6}\+([\w-]+)", heads)) <= {b"DejaVu-Sans", b"DejaVu-Sans-Bold"}
    text = pdf_text(pdf)
    assert "Berkenlaan 12a" in text
    # Rendered in the project's language: Dutch dates, whatever the language of the one who asked.
    with translation.override("nl"):
        approved = dateformat.format(timezone.localdate(home.plan_approved_at), "j F Y")
    assert squeeze(approved) in squeeze(text)
    assert re.search(
        r"(?i)(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december)", text
    )


def test_plan_shows_delivery_set_with_photos_works_planning_and_contact_point(home, heat_company):
    heat_company.email, heat_company.phone = "contact@warmte.example", "020 123 45 67"
    heat_company.save()
    plan = services.plan_render(home, INSTALLER)
    pdf = read(plan)
    text = squeeze(pdf_text(pdf))
    survey = Survey.objects.get(dwelling=home)
    with translation.override(settings.LANGUAGE_CODE):
        works = [str(label) for code, label in WORKS if code in ("delivery_set", "remove_boiler")]
        responsible = [str(label) for code, label in RESPONSIBLE if code in ("heat_company", "owner")]
    for phrase in [
        "Berkenlaan 12a",
        "Installatiebedrijf Warmvast",  # the installer
        "15 maart 2027",  # the installation date
        "Warmtebedrijf Test",  # the contact point (the communicating party)
        "contact@warmte.example",
        "020 123 45 67",
        survey.value("delivery_set.room"),
        survey.value("delivery_set.pipe_route"),
        survey.value("dwelling_scan.meter_cupboard"),
        *works,
        *responsible,
    ]:
        assert squeeze(phrase).lower() in text.lower(), phrase
    heads = b"\n".join(head for head, _data in pdf_objects(pdf).values())
    assert b"/Subtype /Image" in heads  # the photo of the delivery set's place


def test_contact_point_is_the_communicating_party(home, advised_project):
    cooperative = OrganisationFactory(
        kind=OrganisationKind.HEAT_COOPERATIVE,
        name="Coöperatie Buurtwarmte",
        email="hallo@buurtwarmte.example",
    )
    from tests.factories import ParticipationFactory

    advised_project.participations.filter(role=Role.COMMUNICATING_PARTY).delete()
    ParticipationFactory(project=advised_project, organisation=cooperative, role=Role.COMMUNICATING_PARTY)
    context = services.plan_context(home, FULL)
    assert context["contact_point"]["name"] == "Coöperatie Buurtwarmte"
    assert context["contact_point"]["email"] == "hallo@buurtwarmte.example"


def test_installer_version_has_no_kitchen_table_talk_nor_personal_circumstances(home):
    full = pdf_text(read(services.plan_render(home, FULL)))
    installer = pdf_text(read(services.plan_render(home, INSTALLER)))
    with translation.override(settings.LANGUAGE_CODE):
        kitchen_table = str(SECTIONS_BY_NAME["kitchen_table"].title)
        extra_care = gettext("extra care")
    for phrase in (QUESTION, CARE_NEED, PRESENT, "zwanenbloem@example.test", kitchen_table):
        assert squeeze(phrase) in squeeze(full), f"the reader does not find {phrase!r} in the full version"
        assert squeeze(phrase) not in squeeze(installer), phrase
    # The register's care note is for the lead and the communicating party only: in no plan.
    assert squeeze(CARE_NOTE) not in squeeze(full) + squeeze(installer)
    for word in ("Kwispeltoets", "Sluimerhuis", "Plokkerwijk"):
        assert word not in installer
    # What the installer does get: the extra-care flag and the access contact's name and phone.
    assert extra_care in installer
    assert "Mevrouw Zwanenbloem" in installer
    assert "0612345678" in installer
    context = services.plan_context(home, INSTALLER)
    assert context["extra_care"] is True
    assert "extra_care_note" not in context
    assert all(section["name"] != "kitchen_table" for section in context["sections"])
    assert [(p["name"], p["email"]) for p in context["people"]] == [("Mevrouw Zwanenbloem", "")]


def test_rendering_twice_makes_one_version(home, lead_user):
    first = services.plan_render(home, FULL, made_by=lead_user)
    again = services.plan_render(home, FULL)
    assert again.pk == first.pk
    assert ConnectionPlan.objects.filter(dwelling=home, variant=FULL).count() == 1


def test_a_survey_change_makes_version_two_and_keeps_version_one(home):
    first = services.plan_render(home, FULL)
    first_bytes = read(first)
    change_survey(home)
    second = services.plan_render(home, FULL)
    assert (first.version, second.version) == (1, 2)
    assert second.source_hash != first.source_hash
    assert second.survey_version == Survey.objects.get(dwelling=home).version
    first.refresh_from_db()
    assert read(first) == first_bytes  # the old version is kept as it was
    assert "Tegen de achterwand, links" in pdf_text(read(second))
    # Saving the same answers again changes the survey's version, not the plan's content.
    survey = Survey.objects.get(dwelling=home)
    survey.version += 1
    survey.save()
    assert services.plan_render(home, FULL).pk == second.pk


def test_versions_count_per_variant(home):
    services.plan_render(home, FULL)
    installer = services.plan_render(home, INSTALLER)
    assert installer.version == 1


def test_no_survey_no_plan(advised_project):
    dwelling = DwellingFactory(project=advised_project, state="informed")
    with pytest.raises(ValidationError):
        services.plan_render(dwelling, FULL)
    assert not ConnectionPlan.objects.exists()


def test_a_missing_photo_makes_no_plan(home):
    photo = Photo.objects.filter(survey__dwelling=home).first()
    photo.image.storage.delete(photo.image.name)
    with pytest.raises(PlanImageMissing):
        services.plan_render(home, FULL)
    assert not ConnectionPlan.objects.exists()


def test_the_renderer_reads_no_file_outside_the_storage_and_nothing_from_the_network():
    for src in ("file:///etc/passwd", "http://127.0.0.1:9/x.png", "https://example.org/x.png"):
        with pytest.raises(PlanImageMissing):
            html_to_pdf(f'<p>x</p><img src="{src}">')


def test_photos_from_a_storage_without_local_paths(home, settings):
    """Production may keep photos in shared storage without a path: read through storage.open()."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    from django.core.files.storage import default_storage

    dwelling = DwellingFactory(project=home.project, state="plan_ready", survey_completed_at=timezone.now())
    fill_survey(dwelling)
    name = Photo.objects.get(survey__dwelling=dwelling).image.name
    assert default_storage.exists(name) and image_url(name).startswith("storage:")
    plan = services.plan_render(dwelling, INSTALLER)
    pdf = read(plan)
    assert len(re.findall(rb"/Subtype /Image", b"\n".join(h for h, _d in pdf_objects(pdf).values()))) >= 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks of PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_renders_at_once_make_one_version(advised_project, lead_user):
    dwelling = DwellingFactory(
        project=advised_project, state="plan_ready", survey_completed_at=timezone.now()
    )
    fill_survey(dwelling, by=lead_user)
    results, barrier = {}, threading.Barrier(2, timeout=30)

    def work(name):
        try:
            barrier.wait()
            results[name] = services.plan_render(dwelling, FULL).pk
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results["a"] == results["b"], results
    assert ConnectionPlan.objects.filter(dwelling=dwelling).count() == 1


# --- When plans are made ---------------------------------------------------------------------------


def test_approving_the_plan_makes_both_versions_after_commit(
    home, lead_user, django_capture_on_commit_callbacks
):
    from projects.models import Dwelling
    from projects.services import dwelling_transition

    Dwelling.objects.filter(pk=home.pk).update(state="surveyed", plan_approved_at=None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        dwelling_transition(actor=lead_user, dwelling_id=home.pk, transition="approve_plan")
        assert not ConnectionPlan.objects.exists()  # nothing before the approval is committed
    assert len(callbacks) == 1  # "a dwelling moved", told once the approval is committed
    callbacks[0]()
    plans = ConnectionPlan.objects.filter(dwelling=home)
    assert sorted(plans.values_list("variant", "version")) == [("full", 1), ("installer", 1)]
    assert {plan.made_by for plan in plans} == {lead_user}


def test_a_plan_that_fails_does_not_undo_the_approval(
    advised_project, lead_user, django_capture_on_commit_callbacks, caplog
):
    from projects.models import Dwelling
    from projects.services import dwelling_transition

    # Recorded as surveyed, but without the survey's data: making the plan fails.
    dwelling = DwellingFactory(project=advised_project, state="surveyed", survey_completed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        dwelling_transition(actor=lead_user, dwelling_id=dwelling.pk, transition="approve_plan")
    assert Dwelling.objects.get(pk=dwelling.pk).state == "plan_ready"
    assert not ConnectionPlan.objects.exists()
    assert "plans_follow_moves" in caplog.text  # the failing subscriber is logged


def test_assigning_the_installer_and_planning_the_installation_make_plans_that_say_so(
    advised_project, installer_org, lead_user, installer, django_capture_on_commit_callbacks
):
    from projects.services import dwelling_transition

    dwelling = DwellingFactory(
        project=advised_project,
        state="agreed",
        survey_completed_at=timezone.now() - datetime.timedelta(days=20),
        plan_approved_at=timezone.now() - datetime.timedelta(days=10),
        signatory="owner",
        agreement_signed_on=datetime.date(2026, 11, 2),
    )
    fill_survey(dwelling, by=lead_user)
    services.plans_render(dwelling_id=dwelling.pk)
    before = pdf_text(read(ConnectionPlan.objects.get(dwelling=dwelling, variant=INSTALLER, version=1)))
    assert "Warmvast" not in before

    with django_capture_on_commit_callbacks(execute=True):
        dwelling_transition(
            actor=lead_user, dwelling_id=dwelling.pk, transition="assign", installer=installer_org
        )
    assigned = ConnectionPlan.objects.get(dwelling=dwelling, variant=INSTALLER, version=2)
    assert "Installatiebedrijf Warmvast" in pdf_text(read(assigned))

    with django_capture_on_commit_callbacks(execute=True):
        dwelling_transition(
            actor=installer,
            dwelling_id=dwelling.pk,
            transition="plan_installation",
            planned_on=datetime.date(2027, 4, 12),
        )
    planned = ConnectionPlan.objects.get(dwelling=dwelling, variant=INSTALLER, version=3)
    with translation.override("nl"):
        assert squeeze(dateformat.format(datetime.date(2027, 4, 12), "j F Y")) in squeeze(
            pdf_text(read(planned))
        )
    assert sorted(ConnectionPlan.objects.filter(dwelling=dwelling).values_list("variant", "version")) == [
        (FULL, 1),
        (FULL, 2),
        (FULL, 3),
        (INSTALLER, 1),
        (INSTALLER, 2),
        (INSTALLER, 3),
    ]


def test_a_new_phone_number_in_the_register_makes_a_new_plan(
    home, lead_user, django_capture_on_commit_callbacks
):
    from projects.services import dwelling_save

    services.plans_render(dwelling_id=home.pk)
    contacts = {
        "owner": {"name": "Mevrouw Zwanenbloem", "email": "zwanenbloem@example.test", "phone": "0687654321"},
        "resident": None,
    }
    with django_capture_on_commit_callbacks(execute=True):
        dwelling_save(actor=lead_user, project=home.project, fields={}, contacts=contacts, dwelling=home)
    newest = ConnectionPlan.objects.filter(dwelling=home, variant=FULL).order_by("-version").first()
    assert newest.version == 2
    assert "0687654321" in pdf_text(read(newest))
    # Saving the same data again makes nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        dwelling_save(actor=lead_user, project=home.project, fields={}, contacts=contacts, dwelling=home)
    assert ConnectionPlan.objects.filter(dwelling=home).count() == 4


def test_a_correction_typed_in_several_pauses_makes_one_version(
    home, lead_user, django_capture_on_commit_callbacks
):
    """Each pause of the surveyor's typing sends a change, and each change schedules the plans for
    CONNECTION_PLAN_DELAY seconds later; when their time comes, only the last change makes plans."""
    from surveys.services import survey_save_answers

    surveyor = member_of(home.project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
    type(home).objects.filter(pk=home.pk).update(surveyor=surveyor, survey_party=surveyor.organisation)
    services.plans_render(dwelling_id=home.pk)
    with django_capture_on_commit_callbacks(execute=False) as scheduled:
        for text in ("Tegen de", "Tegen de achterwand", "Tegen de achterwand, links"):
            with transaction.atomic():
                survey_save_answers(
                    actor=surveyor,
                    dwelling_id=home.pk,
                    answers={"delivery_set.position": {"value": text, "by": "surveyor"}},
                )
    assert len(scheduled) == 3
    assert ConnectionPlan.objects.filter(dwelling=home).count() == 2  # nothing made while typing
    for task in scheduled:  # the delay is over: each task runs (Celery eager in the tests)
        task()
    assert sorted(ConnectionPlan.objects.filter(dwelling=home).values_list("variant", "version")) == [
        (FULL, 1),
        (FULL, 2),
        (INSTALLER, 1),
        (INSTALLER, 2),
    ]
    newest = ConnectionPlan.objects.get(dwelling=home, variant=INSTALLER, version=2)
    assert "achterwand,links" in squeeze(pdf_text(read(newest)))


def test_a_scheduled_plan_task_skips_a_survey_that_changed_since(home):
    version = Survey.objects.get(dwelling=home).version
    change_survey(home)
    assert render_plans.apply(args=[home.pk], kwargs={"survey_version": version}).get() == []
    assert not ConnectionPlan.objects.filter(dwelling=home).exists()
    assert len(render_plans.apply(args=[home.pk], kwargs={"survey_version": version + 1}).get()) == 2


def test_render_task_is_idempotent(home):
    first = render_plans.apply(args=[home.pk]).get()
    second = render_plans.apply(args=[home.pk]).get()
    assert first == second and len(first) == 2
    assert ConnectionPlan.objects.filter(dwelling=home).count() == 2
    assert render_plans.apply(args=[999_999]).get() == []


# --- Who opens what --------------------------------------------------------------------------------


@pytest.fixture
def plans(home):
    return {variant: services.plan_render(home, variant) for variant in (FULL, INSTALLER)}


def file_url(plan):
    return reverse("plans:file", kwargs={"pk": plan.pk})


def api_file_url(plan):
    return reverse("plans_api:file", kwargs={"pk": plan.pk})


def api_list_url(dwelling):
    return reverse("plans_api:dwelling-plans", kwargs={"pk": dwelling.pk})


def dwelling_url(dwelling):
    return reverse("projects:dwelling", kwargs={"slug": dwelling.project.slug, "pk": dwelling.pk})


def test_lead_party_opens_both_versions_inline(client, lead_user, home, plans):
    client.force_login(lead_user)
    for variant, plan in plans.items():
        response = client.get(file_url(plan))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        suffix = "-installateur" if variant == INSTALLER else ""
        assert (
            response["Content-Disposition"]
            == f'inline; filename="aansluitplan-berkenlaan-12a{suffix}-v1.pdf"'
        )
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    listed = client.get(api_list_url(home)).json()["results"]
    assert {row["variant"] for row in listed} == {"full", "installer"}


def test_installer_opens_only_the_installer_version(client, installer, home, plans):
    client.force_login(installer)
    assert client.get(file_url(plans[INSTALLER])).status_code == 200
    assert client.get(api_file_url(plans[INSTALLER])).status_code == 200
    assert client.get(file_url(plans[FULL])).status_code == 404
    assert client.get(api_file_url(plans[FULL])).status_code == 404
    listed = client.get(api_list_url(home)).json()["results"]
    assert [row["variant"] for row in listed] == ["installer"]
    page = client.get(dwelling_url(home)).content.decode()
    assert file_url(plans[INSTALLER]) in page and file_url(plans[FULL]) not in page


@pytest.mark.parametrize(
    "kind, role, variants",
    [
        (OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY, {"full", "installer"}),
        (OrganisationKind.HEAT_COMPANY, Role.HEAT_COMPANY, {"full", "installer"}),
    ],
)
def test_full_version_parties(client, advised_project, home, plans, kind, role, variants):
    user = member_of(advised_project, kind, role)
    client.force_login(user)
    assert {row["variant"] for row in client.get(api_list_url(home)).json()["results"]} == variants
    assert client.get(file_url(plans[FULL])).status_code == 200


def test_housing_association_gets_the_installer_version(client, advised_project, plans, home):
    association = member_of(advised_project, OrganisationKind.HOUSING_ASSOCIATION, Role.HOUSING_ASSOCIATION)
    type(home).objects.filter(pk=home.pk).update(
        ownership="housing_association", housing_association=association.organisation
    )
    client.force_login(association)
    assert client.get(file_url(plans[INSTALLER])).status_code == 200
    assert client.get(file_url(plans[FULL])).status_code == 404


def test_surveyor_gets_the_installer_version(client, advised_project, plans, home):
    surveyor = member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
    type(home).objects.filter(pk=home.pk).update(surveyor=surveyor, survey_party=surveyor.organisation)
    client.force_login(surveyor)
    assert client.get(file_url(plans[INSTALLER])).status_code == 200
    assert client.get(file_url(plans[FULL])).status_code == 404


@pytest.mark.parametrize("who", ["other installer", "municipality", "outsider"])
def test_other_parties_get_404_everywhere_and_change_nothing(
    client, advised_project, outsider_project, home, plans, who, django_capture_on_commit_callbacks
):
    user = {
        "other installer": lambda: member_of(advised_project, OrganisationKind.INSTALLER, Role.INSTALLER),
        "municipality": lambda: member_of(advised_project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY),
        "outsider": lambda: member_of(outsider_project, OrganisationKind.HEAT_COMPANY, Role.LEAD),
    }[who]()
    client.force_login(user)
    assert client.get(dwelling_url(home)).status_code == 404
    for plan in plans.values():
        assert client.get(file_url(plan)).status_code == 404
        assert client.get(api_file_url(plan)).status_code == 404
    assert client.get(api_list_url(home)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("plans:make", kwargs={"pk": home.pk})).status_code == 404
        assert client.post(reverse("plans_api:render", kwargs={"pk": home.pk})).status_code == 404
        assert client.post(reverse("plans:project", kwargs={"slug": advised_project.slug})).status_code in (
            403,
            404,
        )
    assert not Job.objects.exists()
    assert ConnectionPlan.objects.count() == 2
    assert timeline(home, user) == [] or all(entry.kind != "document" for entry in timeline(home, user))


def test_anonymous_is_sent_to_login(client, plans):
    response = client.get(file_url(plans[FULL]))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get(api_file_url(plans[FULL])).status_code in (401, 403)


# --- Making plans on demand ------------------------------------------------------------------------


def test_lead_party_makes_the_plan_now_from_the_dwelling_page(
    client, lead_user, home, django_capture_on_commit_callbacks
):
    client.force_login(lead_user)
    page = client.get(dwelling_url(home)).content.decode()
    assert 'id="plan-make"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plans:make", kwargs={"pk": home.pk}))
    assert response.status_code == 302 and response["Location"].endswith("#plans")
    assert sorted(ConnectionPlan.objects.values_list("variant", "version")) == [("full", 1), ("installer", 1)]
    job = Job.objects.get()
    assert (job.kind, job.status, job.processed, job.result["made"]) == (Job.Kind.PLAN_BATCH, "done", 1, 2)
    # A double submit makes no new version.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("plans:make", kwargs={"pk": home.pk}))
    assert ConnectionPlan.objects.count() == 2
    page = client.get(dwelling_url(home)).content.decode()
    assert page.count("data-plan=") == 2


def test_while_a_job_waits_the_panel_says_so_and_a_second_click_adds_nothing(client, lead_user, home):
    client.force_login(lead_user)
    client.post(reverse("plans:make", kwargs={"pk": home.pk}))  # on_commit never runs: a waiting broker
    client.post(reverse("plans:make", kwargs={"pk": home.pk}))
    assert Job.objects.count() == 1
    page = client.get(dwelling_url(home)).content.decode()
    assert 'id="plan-pending"' in page


def test_a_job_whose_task_was_lost_is_sent_again_and_makes_the_plans_once(client, lead_user, home):
    client.force_login(lead_user)
    client.post(reverse("plans:make", kwargs={"pk": home.pk}))  # on_commit never runs: the task is lost
    Job.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))
    # Asking again hours later returns the same job: the sweep sends its task again.
    assert services.plans_pending(home) == Job.objects.get()
    client.post(reverse("plans:make", kwargs={"pk": home.pk}))
    assert Job.objects.count() == 1
    assert jobs_resume_stale() == 1
    job = Job.objects.get()
    assert (job.status, job.result["made"]) == (Job.Status.DONE, 2)
    assert sorted(ConnectionPlan.objects.values_list("variant", "version")) == [("full", 1), ("installer", 1)]


def test_installer_may_not_make_plans(client, installer, home, django_capture_on_commit_callbacks):
    client.force_login(installer)
    assert 'id="plan-make"' not in client.get(dwelling_url(home)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("plans:make", kwargs={"pk": home.pk})).status_code == 403
        assert client.post(reverse("plans_api:render", kwargs={"pk": home.pk})).status_code == 403
    assert not Job.objects.exists() and not ConnectionPlan.objects.exists()


def test_no_plan_before_the_survey_is_recorded(
    client, lead_user, advised_project, django_capture_on_commit_callbacks
):
    dwelling = DwellingFactory(project=advised_project, state="survey_planned")
    client.force_login(lead_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plans:make", kwargs={"pk": dwelling.pk}), follow=True)
        api = client.post(reverse("plans_api:render", kwargs={"pk": dwelling.pk}))
    assert api.status_code == 400 and api.json()["dwelling"]
    assert api.json()["dwelling"][0] in response.content.decode()  # the same clear message on the page
    assert not Job.objects.exists() and not ConnectionPlan.objects.exists()


def test_api_render(client, heat_company, advised_project, home, django_capture_on_commit_callbacks):
    user = member_of(advised_project, OrganisationKind.HEAT_COMPANY, Role.HEAT_COMPANY)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plans_api:render", kwargs={"pk": home.pk}))
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"  # answered before the commit; the list below is read after it
    listed = client.get(api_list_url(home)).json()["results"]
    assert sorted((row["variant"], row["version"]) for row in listed) == [("full", 1), ("installer", 1)]
    file = client.get(listed[0]["file"])
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"


# --- The project batch -----------------------------------------------------------------------------


def test_lead_party_makes_the_plans_of_the_whole_project(
    client, lead_user, advised_project, home, django_capture_on_commit_callbacks
):
    surveyed_only = DwellingFactory(
        project=advised_project, state="surveyed", survey_completed_at=timezone.now()
    )
    fill_survey(surveyed_only, by=lead_user)
    ready = DwellingFactory(project=advised_project, state="plan_ready", survey_completed_at=timezone.now())
    fill_survey(ready, by=lead_user)
    services.plan_render(home, FULL)  # exists already: unchanged
    client.force_login(lead_user)
    url = reverse("plans:project", kwargs={"slug": advised_project.slug})
    assert client.get(url).context["count"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "plans:job", kwargs={"slug": advised_project.slug, "job_id": job.pk}
    )
    assert (job.status, job.processed, job.total) == ("done", 2, 2)
    assert (job.result["made"], job.result["unchanged"], job.result["failed"]) == (3, 1, [])
    assert not ConnectionPlan.objects.filter(dwelling=surveyed_only).exists()
    assert ConnectionPlan.objects.filter(dwelling=ready).count() == 2
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'id="job-result"' in page.content.decode()
    status = client.get(reverse("plans:job-status", kwargs={"slug": advised_project.slug, "job_id": job.pk}))
    assert status.json()["finished"] is True


def test_batch_lists_failures_and_goes_on(
    client, lead_user, advised_project, home, django_capture_on_commit_callbacks
):
    broken = DwellingFactory(project=advised_project, state="plan_ready", survey_completed_at=timezone.now())
    client.force_login(lead_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("plans:project", kwargs={"slug": advised_project.slug}))
    job = Job.objects.get()
    assert job.status == "done" and job.result["made"] == 2
    assert [row[0] for row in job.result["failed"]] == [broken.pk]


def test_batch_is_for_the_lead_party(client, advised_project, installer, home):
    client.force_login(installer)
    url = reverse("plans:project", kwargs={"slug": advised_project.slug})
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not Job.objects.exists()


def test_batch_chunk_counts_once(home, lead_user):
    job = Job.objects.create(
        project=home.project,
        kind=Job.Kind.PLAN_BATCH,
        created_by=lead_user,
        total=1,
        params={"dwelling_ids": [home.pk]},
    )
    assert services.plans_batch_chunks(job) == [[home.pk]]
    services.plans_batch_chunk(job_id=job.pk, chunk=0, dwelling_ids=[home.pk])
    services.plans_batch_chunk(job_id=job.pk, chunk=0, dwelling_ids=[home.pk])  # delivered twice
    job.refresh_from_db()
    assert (job.status, job.processed, job.result["made"]) == ("done", 1, 2)


# --- Timeline and lists ----------------------------------------------------------------------------


def test_timeline_shows_the_versions_each_viewer_may_open(home, lead_user, installer):
    services.plan_render(home, FULL)
    services.plan_render(home, INSTALLER)
    change_survey(home)
    services.plan_render(home, INSTALLER)
    with translation.override("en"):
        lead = [(e.title, e.public) for e in timeline(home, lead_user) if e.kind == "document"]
        theirs = [(e.title, e.public) for e in timeline(home, installer) if e.kind == "document"]
        public = [e.title for e in timeline(home, lead_user, public_only=True) if e.kind == "document"]
    assert sorted(lead) == [
        ("Connection plan v1 (full version)", True),
        ("Connection plan v1 (installer version)", False),
        ("Connection plan v2 (installer version)", False),
    ]
    assert sorted(theirs) == [
        ("Connection plan v1 (installer version)", False),
        ("Connection plan v2 (installer version)", False),
    ]
    assert public == ["Connection plan v1 (full version)"]


def _versions(dwelling, count):
    plan = ConnectionPlan.objects.filter(dwelling=dwelling).first()
    for number in range(2, count + 1):
        ConnectionPlan.objects.create(
            dwelling=dwelling,
            variant=plan.variant,
            version=number,
            survey_version=1,
            source_hash=f"{number:064d}",
            file=plan.file.name,
            size=plan.size,
            made_by=plan.made_by,
        )


@pytest.mark.parametrize("path", ["page", "api", "timeline"])
def test_lists_cost_the_same_queries_for_2_and_20_versions(
    client, lead_user, advised_project, django_assert_num_queries, path
):
    counts = []
    for size in (2, 20):
        dwelling = DwellingFactory(
            project=advised_project, state="plan_ready", survey_completed_at=timezone.now()
        )
        fill_survey(dwelling, by=lead_user)
        services.plan_render(dwelling, FULL, made_by=lead_user)
        _versions(dwelling, size)
        client.force_login(lead_user)
        url = {"page": dwelling_url(dwelling), "api": api_list_url(dwelling)}.get(path)
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            if url:
                response = client.get(url)
                assert response.status_code == 200
            else:
                viewer = type(lead_user).objects.get(pk=lead_user.pk)  # nothing cached on it
                entries = timeline(dwelling, viewer)
                assert len([e for e in entries if e.kind == "document"]) == size
        counts.append(len(captured))
        if path == "page":
            assert response.content.decode().count("data-plan=") == size
    assert counts[0] == counts[1], counts
