"""Projects that survey a selection: the sample per stratum, the estimates from it, and who sees what."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from projects.models import Dwelling, OrganisationKind, Project, Role, SurveyCoverage
from surveys.models import Survey
from surveys.sampling.selectors import DEFAULT_MARGIN_PERCENT, extrapolation
from surveys.sampling.services import DEFAULT_PER_STRATUM, sample_mark, sample_propose, spread
from tests.conftest import member_of
from tests.factories import ContactFactory, DwellingFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _not_in_project():
    return ngettext(
        "%(count)d of the chosen dwellings is not in this project; nothing was changed.",
        "%(count)d of the chosen dwellings are not in this project; nothing was changed.",
        1,
    )


@pytest.fixture
def project(advised_project):
    """The advised project, but surveying a selection of its dwellings."""
    advised_project.governance.survey_coverage = SurveyCoverage.SELECTION
    advised_project.governance.save()
    return advised_project


@pytest.fixture
def parties(project, lead_user):
    return {
        "lead": lead_user,
        "cooperative": member_of(project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY),
        "municipality": member_of(project, OrganisationKind.MUNICIPALITY, Role.MUNICIPALITY),
        "survey": member_of(project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY),
        "installer": UserFactory(
            organisation=project.participations.get(role=Role.MAIN_CONTRACTOR).organisation
        ),
        "grid": UserFactory(
            organisation=project.participations.filter(role=Role.STAKEHOLDER).first().organisation
        ),
    }


@pytest.fixture
def outsider(outsider_project):
    return UserFactory(organisation=outsider_project.participations.get().organisation)


def home(project, dwelling_type, cluster, number, *, street="Lindelaan", sample=False, survey=None, **extra):
    """A dwelling; ``survey`` (a dict: pipe, works and answers of the scan) makes it surveyed."""
    dwelling = DwellingFactory(
        project=project,
        dwelling_type=dwelling_type,
        cluster=cluster,
        street=street,
        house_number=number,
        in_sample=sample,
        survey_completed_at=timezone.now() if survey is not None else None,
        **extra,
    )
    if survey is not None:
        answers = {"delivery_set.pipe_length": {"value": survey.get("pipe"), "by": "surveyor"}}
        for key in ("asbestos", "three_phase", "cooking", "low_temperature", "meter_cupboard_room"):
            if key in survey:
                answers[f"dwelling_scan.{key}"] = {"value": survey[key], "by": "surveyor"}
        Survey.objects.create(
            dwelling=dwelling,
            answers=answers,
            works=[{"work": work, "responsible": "installer"} for work in survey.get("works", ())],
            completed_at=timezone.now(),
        )
    return dwelling


@pytest.fixture
def three_strata(project):
    """Three strata with known answers; the expected figures are worked out in the tests."""
    # Mid-terrace in Blok A: 10 dwellings in scope. Three sample dwellings surveyed, one in the sample
    # waiting, one surveyed outside the sample (an outlier that must not count), five others.
    a = "mid_terrace", "Blok A"
    home(
        project,
        *a,
        1,
        sample=True,
        survey={
            "pipe": 4,
            "works": ["remove_boiler", "cooking_group"],
            "asbestos": "yes",
            "three_phase": "yes",
            "cooking": "gas",
            "low_temperature": "partly",
            "meter_cupboard_room": "full",
        },
    )
    home(
        project,
        *a,
        2,
        sample=True,
        survey={
            "pipe": 6,
            "works": ["remove_boiler", "cooking_group"],
            "asbestos": "no",
            "three_phase": "yes",
            "cooking": "needs_group",
            "low_temperature": "ready",
            "meter_cupboard_room": "tight",
        },
    )
    home(
        project,
        *a,
        3,
        sample=True,
        survey={
            "pipe": "8",
            "works": ["cooking_group", "cooking_group"],
            "asbestos": "unknown",
            "three_phase": "yes",
            "cooking": "electric",
            "low_temperature": "not_ready",
        },
    )
    home(project, *a, 4, sample=True)
    home(project, *a, 5, survey={"pipe": 100, "works": ["radiators"], "asbestos": "yes", "three_phase": "no"})
    for number in range(6, 11):
        home(project, *a, number)
    home(project, *a, 11, state="withdrawn")  # out of scope: counts nowhere
    # Apartments in Flat B: 5 dwellings, 2 in the sample of which one is surveyed (a Dutch decimal).
    b = "apartment", "Flat B"
    home(
        project,
        *b,
        1,
        street="Flatweg",
        sample=True,
        survey={"pipe": "12,5", "works": ["delivery_set"], "three_phase": "no", "cooking": "electric"},
    )
    home(project, *b, 2, street="Flatweg", sample=True)
    for number in range(3, 6):
        home(project, *b, number, street="Flatweg")
    # Detached in Blok A: 2 dwellings, one marked but not surveyed: no estimate possible.
    c = "detached", "Blok A"
    home(project, *c, 20, sample=True)
    home(project, *c, 21)
    return project


def _fresh(project):
    return Project.objects.select_related("governance").get(pk=project.pk)


def _by_key(figures):
    return {(s.dwelling_type, s.cluster): s for s in figures.strata}


def _items(stratum):
    return {e.code: (e.hits, e.share, e.expected, e.low, e.high) for e in stratum.estimates}


# --- The arithmetic --------------------------------------------------------------------------------


def test_estimates_per_stratum_are_exact(three_strata):
    figures = extrapolation(_fresh(three_strata))
    assert figures.margin_percent == DEFAULT_MARGIN_PERCENT == 20
    strata = _by_key(figures)
    # In the order of the dwelling types, then by cluster.
    assert list(strata) == [("detached", "Blok A"), ("mid_terrace", "Blok A"), ("apartment", "Flat B")]

    a = strata["mid_terrace", "Blok A"]
    assert (a.dwellings, a.in_sample, a.sample_surveyed, a.surveyed, a.rest, a.waiting) == (10, 4, 3, 4, 6, 1)
    assert not a.no_sample and not a.small_sample
    # Pipe: (4 + 6 + 8) / 3 = 6.0 m, bounds 6 x 0.8 and 6 x 1.2; six dwellings to go: 36 m.
    pipe = a.pipe
    assert (pipe.measured, pipe.average, pipe.low, pipe.high) == (3, D("6.0"), D("4.8"), D("7.2"))
    assert (pipe.metres, pipe.metres_low, pipe.metres_high) == (D("36.0"), D("28.8"), D("43.2"))
    items = _items(a)
    # Two of three need the boiler removed: 2/3 of 6 = 4, bounds 3.2 and 4.8.
    assert items["remove_boiler"] == (2, D("66.7"), D("4.0"), D("3.2"), D("4.8"))
    # All three need a cooking group (one listed it twice): 6 expected; the upper bound stops at 6.
    assert items["cooking_group"] == (3, D("100.0"), D("6.0"), D("4.8"), D("6.0"))
    assert items["radiators"] == (0, D("0.0"), D("0.0"), D("0.0"), D("0.0"))  # only the outlier had it
    assert items["asbestos"] == (1, D("33.3"), D("2.0"), D("1.6"), D("2.4"))  # "unknown" is not "yes"
    assert items["three_phase_missing"] == (0, D("0.0"), D("0.0"), D("0.0"), D("0.0"))
    assert items["cooking_group_needed"] == (2, D("66.7"), D("4.0"), D("3.2"), D("4.8"))  # gas, needs_group
    assert items["not_low_temperature_ready"] == (2, D("66.7"), D("4.0"), D("3.2"), D("4.8"))  # partly, not
    assert items["meter_cupboard_full"] == (1, D("33.3"), D("2.0"), D("1.6"), D("2.4"))

    b = strata["apartment", "Flat B"]
    assert (b.dwellings, b.in_sample, b.sample_surveyed, b.rest) == (5, 2, 1, 4)
    assert b.small_sample and not b.no_sample  # 1 surveyed, 3 asked for
    assert (b.pipe.average, b.pipe.low, b.pipe.high) == (D("12.5"), D("10.0"), D("15.0"))
    assert (b.pipe.metres, b.pipe.metres_low, b.pipe.metres_high) == (D("50.0"), D("40.0"), D("60.0"))
    assert _items(b)["delivery_set"] == (1, D("100.0"), D("4.0"), D("3.2"), D("4.0"))
    assert _items(b)["three_phase_missing"] == (1, D("100.0"), D("4.0"), D("3.2"), D("4.0"))

    c = strata["detached", "Blok A"]
    assert (c.dwellings, c.in_sample, c.sample_surveyed, c.rest) == (2, 1, 0, 2)
    assert c.no_sample and not c.small_sample
    assert c.pipe is None and c.estimates == []


def test_totals_add_up_the_strata_with_an_estimate(three_strata):
    figures = extrapolation(_fresh(three_strata))
    totals = {t.code: (t.expected, t.low, t.high) for t in figures.totals}
    assert totals["remove_boiler"] == (D("4.0"), D("3.2"), D("4.8"))
    assert totals["three_phase_missing"] == (D("4.0"), D("3.2"), D("4.0"))
    assert totals["delivery_set"] == (D("4.0"), D("3.2"), D("4.0"))
    pipe = figures.pipe_total
    assert (pipe.expected, pipe.low, pipe.high) == (D("86.0"), D("68.8"), D("103.2"))
    assert figures.rest == 12
    assert figures.rest_without_estimate == 2  # the two detached dwellings


def test_the_margin_moves_the_bounds_only(three_strata):
    figures = extrapolation(_fresh(three_strata), margin=50)
    a = _by_key(figures)["mid_terrace", "Blok A"]
    assert (a.pipe.average, a.pipe.low, a.pipe.high) == (D("6.0"), D("3.0"), D("9.0"))
    assert _items(a)["cooking_group"] == (3, D("100.0"), D("6.0"), D("3.0"), D("6.0"))
    assert _items(_by_key(extrapolation(_fresh(three_strata), margin=0))["mid_terrace", "Blok A"])[
        "remove_boiler"
    ][2:] == (
        D("4.0"),
        D("4.0"),
        D("4.0"),
    )
    with pytest.raises(ValueError):
        extrapolation(three_strata, margin=101)


def test_a_dwelling_type_without_a_sample_is_flagged(three_strata):
    figures = extrapolation(_fresh(three_strata))
    assert [t.dwelling_type for t in figures.types_without_sample] == ["detached"]
    assert [(s.dwelling_type, s.cluster) for s in figures.strata_without_sample] == [("detached", "Blok A")]
    assert [(s.dwelling_type, s.cluster) for s in figures.small_strata] == [("apartment", "Flat B")]
    types = {t.dwelling_type: t for t in figures.types}
    assert (types["mid_terrace"].dwellings, types["mid_terrace"].in_sample) == (10, 4)
    assert (types["mid_terrace"].sample_surveyed, types["mid_terrace"].waiting) == (3, 1)
    # A detached home in another cluster that is surveyed in the sample: the type is covered, the
    # stratum without a sample still is not.
    home(three_strata, "detached", "Blok C", 1, sample=True, survey={"pipe": 3})
    figures = extrapolation(_fresh(three_strata))
    assert figures.types_without_sample == []
    assert [(s.dwelling_type, s.cluster) for s in figures.strata_without_sample] == [("detached", "Blok A")]


def test_every_dwelling_surveyed_makes_every_dwelling_the_sample(three_strata):
    three_strata.governance.survey_coverage = SurveyCoverage.EVERY_DWELLING
    three_strata.governance.save()
    figures = extrapolation(_fresh(three_strata))
    assert figures.every_dwelling
    a = _by_key(figures)["mid_terrace", "Blok A"]
    # All ten are the sample; the four surveyed (the outlier with 100 m too) are the basis.
    assert (a.in_sample, a.sample_surveyed, a.rest) == (10, 4, 6)
    assert a.pipe.average == D("29.5")  # (4 + 6 + 8 + 100) / 4
    assert _items(a)["radiators"] == (1, D("25.0"), D("1.5"), D("1.2"), D("1.8"))


def test_unusable_pipe_lengths_are_left_out(project):
    home(project, "apartment", "X", 1, sample=True, survey={"pipe": "onbekend", "works": ["radiators"]})
    home(project, "apartment", "X", 2, sample=True, survey={"pipe": -3})
    home(project, "apartment", "X", 3, sample=True, survey={"pipe": 7})
    home(project, "apartment", "X", 4)
    stratum = extrapolation(_fresh(project)).strata[0]
    assert (stratum.pipe.measured, stratum.pipe.average) == (1, D("7.0"))
    assert _items(stratum)["radiators"] == (1, D("33.3"), D("0.3"), D("0.3"), D("0.4"))


def test_extrapolation_takes_two_queries_for_2_or_20_strata(project, django_assert_num_queries):
    def make(strata):
        for i in range(strata):
            home(
                project, "mid_terrace", f"Blok {i}", 1, street=f"Straat {i}", sample=True, survey={"pipe": 5}
            )
            home(project, "mid_terrace", f"Blok {i}", 2, street=f"Straat {i}")

    make(2)
    fresh = _fresh(project)
    with django_assert_num_queries(2):
        assert len(extrapolation(fresh).strata) == 2
    Dwelling.objects.filter(project=project).delete()
    make(20)
    fresh = _fresh(project)
    with django_assert_num_queries(2):
        assert len(extrapolation(fresh).strata) == 20


# --- Proposing a sample ---------------------------------------------------------------------------


def test_spread_takes_every_kth_starting_half_a_step_in():
    assert spread(10, 3) == [1, 5, 8]
    assert spread(3, 3) == [0, 1, 2]
    assert spread(2, 3) == [0, 1]
    assert spread(9, 2) == [2, 6]
    assert spread(5, 0) == []


def test_the_proposal_is_representative_and_deterministic(project):
    ten = [home(project, "mid_terrace", "Blok A", n) for n in range(10, 0, -1)]  # made out of order
    two = [home(project, "apartment", "Flat B", n, street="Flatweg") for n in (1, 2)]
    home(project, "detached", "Blok A", 1, state="declined")  # never proposed
    proposal = sample_propose(project=project)
    assert proposal.per_stratum == DEFAULT_PER_STRATUM == 3
    strata = {(s.dwelling_type, s.cluster): s for s in proposal.strata}
    numbers = [row["house_number"] for row in strata["mid_terrace", "Blok A"].add]
    assert numbers == [2, 6, 9]  # spread over the street in address order
    assert [row["pk"] for row in strata["apartment", "Flat B"].add] == [d.pk for d in two]  # all of it
    assert strata["detached", "Blok A"].add == []
    assert sample_propose(project=project).dwelling_ids == proposal.dwelling_ids
    assert Dwelling.objects.filter(in_sample=True).count() == 0  # a proposal marks nothing

    # Dwellings already in the sample count and stay; the rest is spread over the others.
    by_number = {d.house_number: d for d in ten}
    Dwelling.objects.filter(pk=by_number[1].pk).update(in_sample=True)
    again = {(s.dwelling_type, s.cluster): s for s in sample_propose(project=project).strata}
    assert again["mid_terrace", "Blok A"].already == 1
    assert [row["house_number"] for row in again["mid_terrace", "Blok A"].add] == [4, 8]
    assert sample_propose(project=project).dwelling_ids == sample_propose(project=project).dwelling_ids
    five = {(s.dwelling_type, s.cluster): s for s in sample_propose(project=project, per_stratum=5).strata}
    assert len(five["mid_terrace", "Blok A"].add) == 4
    with pytest.raises(ValidationError):
        sample_propose(project=project, per_stratum=0)


def test_preview_then_confirm_marks_the_proposal_once(client, project, lead_user):
    for n in range(1, 11):
        home(project, "mid_terrace", "Blok A", n)
    client.force_login(lead_user)
    url = reverse("sampling:propose", args=[project.slug])
    preview = client.get(url, {"per_stratum": 2})
    assert preview.status_code == 200
    ids = preview.context["proposal"].dwelling_ids
    assert len(ids) == 2
    assert Dwelling.objects.filter(in_sample=True).count() == 0
    response = client.post(f"{url}?per_stratum=2", {"dwelling": ids})
    assert response.status_code == 302
    assert set(Dwelling.objects.filter(in_sample=True).values_list("pk", flat=True)) == set(ids)
    client.post(f"{url}?per_stratum=2", {"dwelling": ids})  # a double submit changes nothing
    assert Dwelling.objects.filter(in_sample=True).count() == 2
    assert client.get(url, {"per_stratum": 2}).context["proposal"].to_add == 0


# --- Marking: scope -------------------------------------------------------------------------------


def test_the_lead_party_marks_and_unmarks(project, lead_user):
    homes = [home(project, "mid_terrace", "Blok A", n) for n in (1, 2)]
    assert (
        sample_mark(actor=lead_user, project=project, dwelling_ids=[h.pk for h in homes], in_sample=True) == 2
    )
    assert sample_mark(actor=lead_user, project=project, dwelling_ids=[homes[0].pk], in_sample=True) == 0
    assert sample_mark(actor=lead_user, project=project, dwelling_ids=[homes[0].pk], in_sample=False) == 1
    assert list(Dwelling.objects.filter(in_sample=True)) == [homes[1]]


def test_another_projects_dwellings_are_refused_and_nothing_changes(project, lead_user, outsider_project):
    own = home(project, "mid_terrace", "Blok A", 1)
    foreign = DwellingFactory(project=outsider_project)
    with pytest.raises(ValidationError) as refused:
        sample_mark(actor=lead_user, project=project, dwelling_ids=[own.pk, foreign.pk], in_sample=True)
    assert refused.value.messages == [_not_in_project() % {"count": 1}]
    assert Dwelling.objects.filter(in_sample=True).count() == 0
    with pytest.raises(ValidationError):
        sample_mark(actor=lead_user, project=project, dwelling_ids=["abc"], in_sample=True)
    with pytest.raises(ValidationError):
        sample_mark(actor=lead_user, project=project, dwelling_ids=[], in_sample=True)
    withdrawn = home(project, "mid_terrace", "Blok A", 2, state="withdrawn")
    with pytest.raises(ValidationError):
        sample_mark(actor=lead_user, project=project, dwelling_ids=[own.pk, withdrawn.pk], in_sample=True)
    assert Dwelling.objects.filter(in_sample=True).count() == 0


def test_over_http_a_foreign_id_gets_a_message_and_changes_nothing(
    client, project, lead_user, outsider_project
):
    own = home(project, "mid_terrace", "Blok A", 1)
    foreign = DwellingFactory(project=outsider_project)
    client.force_login(lead_user)
    response = client.post(
        reverse("sampling:propose", args=[project.slug]), {"dwelling": [own.pk, foreign.pk]}
    )
    assert response.status_code == 400
    assert escape(_not_in_project() % {"count": 1}) in response.text
    assert Dwelling.objects.filter(in_sample=True).count() == 0


@pytest.mark.parametrize("party", ["cooperative", "municipality", "survey", "installer", "grid"])
def test_other_parties_cannot_mark(client, project, parties, party):
    dwelling = home(project, "mid_terrace", "Blok A", 1)
    with pytest.raises(PermissionDenied):
        sample_mark(actor=parties[party], project=project, dwelling_ids=[dwelling.pk], in_sample=True)
    client.force_login(parties[party])
    propose = reverse("sampling:propose", args=[project.slug])
    assert client.get(propose).status_code == 403
    assert client.post(propose, {"dwelling": [dwelling.pk]}).status_code == 403
    stratum = reverse("sampling:stratum", args=[project.slug]) + "?type=mid_terrace&cluster=Blok+A"
    assert client.post(stratum, {"dwelling": [dwelling.pk]}).status_code == 403
    assert not Dwelling.objects.get(pk=dwelling.pk).in_sample


def test_an_outsider_gets_404_and_changes_nothing(client, project, outsider):
    dwelling = home(project, "mid_terrace", "Blok A", 1)
    with pytest.raises(Project.DoesNotExist):
        sample_mark(actor=outsider, project=project, dwelling_ids=[dwelling.pk], in_sample=True)
    client.force_login(outsider)
    for name in ("overview", "propose", "export"):
        assert client.get(reverse(f"sampling:{name}", args=[project.slug])).status_code == 404
    assert (
        client.post(reverse("sampling:propose", args=[project.slug]), {"dwelling": [dwelling.pk]}).status_code
        == 404
    )
    stratum = reverse("sampling:stratum", args=[project.slug]) + "?type=mid_terrace&cluster=Blok+A"
    assert client.post(stratum, {"dwelling": [dwelling.pk]}).status_code == 404
    assert not Dwelling.objects.get(pk=dwelling.pk).in_sample


def test_the_lead_party_sets_the_sample_of_one_stratum(client, project, lead_user):
    homes = [home(project, "mid_terrace", "Blok A", n, sample=n == 1) for n in (1, 2, 3)]
    elsewhere = home(project, "apartment", "Flat B", 1, street="Flatweg")
    client.force_login(lead_user)
    url = reverse("sampling:stratum", args=[project.slug]) + "?type=mid_terrace&cluster=Blok+A"
    page = client.get(url)
    assert page.status_code == 200
    assert [row["pk"] for row in page.context["dwellings"]] == [h.pk for h in homes]
    refused = client.post(url, {"dwelling": [homes[1].pk, elsewhere.pk]})
    assert refused.status_code == 400
    assert list(Dwelling.objects.filter(in_sample=True)) == [homes[0]]
    assert client.post(url, {"dwelling": [homes[1].pk, homes[2].pk]}).status_code == 302
    assert set(Dwelling.objects.filter(in_sample=True)) == {homes[1], homes[2]}
    assert client.get(reverse("sampling:stratum", args=[project.slug]) + "?type=villa").status_code == 404


# --- The page and the export ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("party", "status", "sees_addresses", "can_mark"),
    [
        ("lead", 200, True, True),
        ("cooperative", 200, True, False),
        ("municipality", 200, False, False),
        ("survey", 403, False, False),
        ("installer", 403, False, False),
        ("grid", 403, False, False),
    ],
)
def test_who_sees_the_page(client, three_strata, parties, party, status, sees_addresses, can_mark):
    ContactFactory(dwelling=Dwelling.objects.get(house_number=1, street="Lindelaan"), name="Anna Jansen")
    client.force_login(parties[party])
    page = client.get(reverse("sampling:overview", args=[three_strata.slug]))
    assert page.status_code == status
    if status != 200:
        return
    assert "Anna Jansen" not in page.text
    assert 'data-flag="no-sample"' in page.text
    # A stratum estimated from one or two homes would show those homes: not to aggregate readers.
    assert ('data-flag="small-sample"' in page.text) is sees_addresses
    assert ('data-flag="hidden"' in page.text) is not sees_addresses
    assert 'id="types-without-sample"' in page.text
    sample_home = Dwelling.objects.get(house_number=1, street="Lindelaan")
    link = reverse("projects:dwelling", args=[three_strata.slug, sample_home.pk])
    assert (link in page.text) is sees_addresses
    assert ("Lindelaan 1" in page.text) is sees_addresses
    assert (reverse("sampling:propose", args=[three_strata.slug]) in page.text) is can_mark


def test_the_page_shows_the_figures_and_takes_the_margin(client, three_strata, lead_user):
    client.force_login(lead_user)
    url = reverse("sampling:overview", args=[three_strata.slug])
    page = client.get(url, {"margin": 50})
    assert page.context["figures"].margin_percent == 50
    assert "cdn" not in page.text.lower()
    wrong = client.get(url, {"margin": "veel"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["margin"]
    assert wrong.context["figures"].margin_percent == DEFAULT_MARGIN_PERCENT
    assert client.get(url, {"margin": 150}).context["figures"].margin_percent == DEFAULT_MARGIN_PERCENT


def test_the_page_says_when_every_dwelling_is_surveyed(client, three_strata, lead_user):
    three_strata.governance.survey_coverage = SurveyCoverage.EVERY_DWELLING
    three_strata.governance.save()
    client.force_login(lead_user)
    page = client.get(reverse("sampling:overview", args=[three_strata.slug]))
    assert 'id="every-dwelling"' in page.text
    assert _by_key(page.context["figures"])["mid_terrace", "Blok A"].in_sample == 10
    assert reverse("sampling:propose", args=[three_strata.slug]) not in page.text


@pytest.mark.parametrize(
    ("party", "status"),
    [("lead", 200), ("cooperative", 200), ("municipality", 200), ("survey", 403), ("grid", 403)],
)
def test_the_export_has_the_estimates_and_no_personal_data(client, three_strata, parties, party, status):
    ContactFactory(dwelling=Dwelling.objects.get(house_number=1, street="Lindelaan"), name="Anna Jansen")
    client.force_login(parties[party])
    response = client.get(reverse("sampling:export", args=[three_strata.slug]), {"margin": 20})
    assert response.status_code == status
    if status != 200:
        return
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "Anna Jansen" not in text and "Lindelaan" not in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 4  # the header and three strata
    detached, terraced = rows[1], rows[2]
    assert terraced[1] == "Blok A" and terraced[2:6] == ["10", "4", "3", "6"]
    assert terraced[6] == ""
    assert terraced[8:11] == ["6,0", "4,8", "7,2"]  # Dutch decimals, as a Dutch spreadsheet reads them
    assert detached[6] == gettext("no sample: no estimate")
    assert detached[8] == ""


def test_an_outsider_gets_404_for_the_export(client, three_strata, outsider):
    client.force_login(outsider)
    assert client.get(reverse("sampling:export", args=[three_strata.slug])).status_code == 404


def test_a_cluster_that_looks_like_a_formula_is_exported_as_text(client, project, lead_user):
    home(project, "mid_terrace", '=HYPERLINK("x")', 1)
    client.force_login(lead_user)
    text = client.get(reverse("sampling:export", args=[project.slug])).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text), delimiter=";"))[1][1].startswith("'=")


def test_page_and_export_queries_do_not_grow_with_strata(client, project, lead_user):
    client.force_login(lead_user)

    def queries(name):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(f"sampling:{name}", args=[project.slug])).status_code == 200
        return len(captured)

    def make(first, last):
        for i in range(first, last):
            home(
                project, "mid_terrace", f"Blok {i}", 1, street=f"Straat {i}", sample=True, survey={"pipe": 5}
            )
            home(project, "apartment", f"Blok {i}", 2, street=f"Straat {i}", sample=True)

    make(0, 1)  # 2 strata
    few = {name: queries(name) for name in ("overview", "export", "propose")}
    make(1, 10)  # 20 strata
    assert {name: queries(name) for name in ("overview", "export", "propose")} == few


def test_the_municipality_gets_no_estimates_from_one_or_two_homes(client, three_strata, parties):
    client.force_login(parties["municipality"])
    figures = client.get(reverse("sampling:overview", args=[three_strata.slug])).context["figures"]
    hidden = [row for row in figures.strata if row.hidden]
    assert hidden and all(0 < row.sample_surveyed < 3 for row in hidden)
    assert all(row.pipe is None and not row.estimates for row in hidden)
    text = client.get(reverse("sampling:export", args=[three_strata.slug])).content.decode("utf-8-sig")
    rows = {(row[0], row[1]): row for row in csv.reader(io.StringIO(text), delimiter=";")}
    for row in hidden:
        cells = rows[(row.type_label, row.cluster)]
        assert cells[6] == gettext("too few surveyed homes to show")
        assert set(cells[8:]) == {""}
    client.force_login(parties["lead"])
    figures = client.get(reverse("sampling:overview", args=[three_strata.slug])).context["figures"]
    assert not any(row.hidden for row in figures.strata)
