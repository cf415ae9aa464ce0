"""Reads for projects that survey a selection: the sample per stratum and what it predicts.

A stratum is one dwelling type in one cluster. From the sample dwellings of a stratum whose survey
is complete, ``extrapolation`` estimates the rest of the stratum (the dwellings without a complete
survey): the average pipe length from the facade entry, and for every work and for three findings
of the dwelling scan the share of the sample that needs it and how many of the rest will. Every
estimate comes with bounds: the estimate times (1 - margin) and (1 + margin); a count never goes
above the number of dwellings it is about. A stratum without a surveyed sample dwelling gets no
estimate and a flag, and so does a dwelling type without one anywhere.

When the governance says every dwelling is surveyed, every dwelling is the sample: the same figures
then estimate what the dwellings not surveyed yet will need.

Everything is aggregated: no names, no addresses, no notes. It takes two queries whatever the size
of the project.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import Count, F, Q
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.utils.translation import gettext_lazy as _

from projects.advisories import governance_of
from projects.models import Dwelling, Project, SurveyCoverage
from surveys.sampling.strata import (
    ADDRESS_FIELDS,
    ADDRESS_ORDER,
    DEFAULT_PER_STRATUM,
    EXCLUDED_STATES,
    address_of,
    type_label,
    type_order,
)
from surveys.schema import LOW_TEMPERATURE_NOT_READY, WORK_RULES, WORKS

DEFAULT_MARGIN_PERCENT = 20
MAX_MARGIN_PERCENT = 100

PIPE_LENGTH = "delivery_set.pipe_length"
# The rule of ``surveys.schema.proposed_works``: a gas cooker or an electric one without its own group
# needs a new group in the meter cupboard.
COOKING_NEEDS_GROUP = next(answers for _name, answers, work in WORK_RULES if work == "cooking_group")
# Findings of the dwelling scan: (code, label, answer key, does this answer count).
FINDINGS = (
    ("asbestos", _("asbestos suspected"), "dwelling_scan.asbestos", lambda value: value == "yes"),
    ("three_phase_missing", _("no three-phase connection"), "dwelling_scan.three_phase", lambda v: v == "no"),
    (
        "cooking_group_needed",
        _("electric cooking group needed"),
        "dwelling_scan.cooking",
        lambda value: value in COOKING_NEEDS_GROUP,
    ),
    (
        "not_low_temperature_ready",
        _("not ready for lower temperatures"),
        "dwelling_scan.low_temperature",
        lambda value: value in LOW_TEMPERATURE_NOT_READY,
    ),
    (
        "meter_cupboard_full",
        _("meter cupboard full"),
        "dwelling_scan.meter_cupboard_room",
        lambda value: value == "full",
    ),
)
# What every stratum gets an estimate for, in this order: the works, then the findings.
ITEMS = [(code, label) for code, label in WORKS] + [(code, label) for code, label, _key, _test in FINDINGS]
ONE_DECIMAL = Decimal("0.1")


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _number(value) -> Decimal | None:
    """A length as the tablet sent it ("12.5", "12,5", 12); None when it is not a usable number."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None


@dataclass(frozen=True)
class Estimate:
    """How many of the rest of a stratum need something, from the share in its surveyed sample."""

    code: str
    label: str
    hits: int  # surveyed sample dwellings that need it
    share: Decimal  # percent of the surveyed sample
    expected: Decimal  # dwellings among the rest
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class PipeEstimate:
    measured: int  # surveyed sample dwellings with a pipe length
    average: Decimal  # metres per dwelling
    low: Decimal
    high: Decimal
    metres: Decimal  # for the rest of the stratum
    metres_low: Decimal
    metres_high: Decimal


# Below this many surveyed homes a stratum's estimates describe those homes: not for aggregate readers.
SMALL_CELL = 3


@dataclass
class Stratum:
    dwelling_type: str
    type_label: str
    cluster: str
    dwellings: int
    in_sample: int
    surveyed: int  # complete survey, in the sample or not
    sample_surveyed: int  # in the sample with a complete survey: the basis of the estimates
    target: int  # the sample size asked for, capped at the stratum's size
    pipe: PipeEstimate | None = None
    estimates: list[Estimate] = field(default_factory=list)
    hidden: bool = False  # estimates left out: too few surveyed homes to show to this reader

    @property
    def key(self) -> tuple[str, str]:
        return (self.dwelling_type, self.cluster)

    @property
    def rest(self) -> int:
        """The dwellings without a complete survey: what the estimates are about."""
        return self.dwellings - self.surveyed

    @property
    def waiting(self) -> int:
        """In the sample but not surveyed yet."""
        return self.in_sample - self.sample_surveyed

    @property
    def no_sample(self) -> bool:
        return self.sample_surveyed == 0

    @property
    def small_sample(self) -> bool:
        return 0 < self.sample_surveyed < self.target

    @property
    def works(self) -> list[Estimate]:
        return self.estimates[: len(WORKS)]

    @property
    def findings(self) -> list[Estimate]:
        return self.estimates[len(WORKS) :]


@dataclass
class TypeCoverage:
    """One dwelling type over all its clusters: how well the sample covers it (for the bar chart)."""

    dwelling_type: str
    label: str
    dwellings: int = 0
    in_sample: int = 0
    sample_surveyed: int = 0
    strata: int = 0
    strata_without_sample: int = 0

    @property
    def no_sample(self) -> bool:
        return self.sample_surveyed == 0

    @property
    def waiting(self) -> int:
        return self.in_sample - self.sample_surveyed

    @property
    def outside(self) -> int:
        """Not in the sample."""
        return self.dwellings - self.in_sample

    @property
    def surveyed_percent(self) -> int:
        return round(100 * self.sample_surveyed / self.dwellings) if self.dwellings else 0


@dataclass(frozen=True)
class Total:
    code: str
    label: str
    expected: Decimal
    low: Decimal
    high: Decimal


@dataclass
class Extrapolation:
    margin_percent: int
    per_stratum: int
    coverage: str  # the governance choice of block 3.1 ("" when not decided)
    strata: list[Stratum]
    types: list[TypeCoverage]
    totals: list[Total]
    pipe_total: Total | None

    @property
    def every_dwelling(self) -> bool:
        return self.coverage == SurveyCoverage.EVERY_DWELLING

    def hide_small_cells(self, minimum: int = SMALL_CELL) -> None:
        """For readers who may not see single homes (the municipality): a stratum estimated from fewer
        than ``minimum`` surveyed homes would show what those homes have, so its estimates are left
        out (the project totals still count them)."""
        for stratum in self.strata:
            if 0 < stratum.sample_surveyed < minimum:
                stratum.pipe = None
                stratum.estimates = []
                stratum.hidden = True

    @property
    def dwellings(self) -> int:
        return sum(s.dwellings for s in self.strata)

    @property
    def rest(self) -> int:
        return sum(s.rest for s in self.strata)

    @property
    def rest_without_estimate(self) -> int:
        """Dwellings not surveyed in strata without a surveyed sample: nobody can say what they need."""
        return sum(s.rest for s in self.strata if s.no_sample)

    @property
    def strata_without_sample(self) -> list[Stratum]:
        return [s for s in self.strata if s.no_sample]

    @property
    def small_strata(self) -> list[Stratum]:
        return [s for s in self.strata if s.small_sample]

    @property
    def types_without_sample(self) -> list[TypeCoverage]:
        return [t for t in self.types if t.no_sample]


def _estimate(code, label, hits: int, basis: int, rest: int, margin: Decimal) -> Estimate:
    expected = Decimal(hits) * rest / basis
    return Estimate(
        code=code,
        label=str(label),
        hits=hits,
        share=_round(Decimal(100 * hits) / basis),
        expected=_round(expected),
        low=_round(max(Decimal(0), expected * (1 - margin))),
        high=_round(min(Decimal(rest), expected * (1 + margin))),
    )


def _pipe(lengths: list[Decimal], rest: int, margin: Decimal) -> PipeEstimate | None:
    if not lengths:
        return None
    average = sum(lengths) / len(lengths)
    return PipeEstimate(
        measured=len(lengths),
        average=_round(average),
        low=_round(average * (1 - margin)),
        high=_round(average * (1 + margin)),
        metres=_round(average * rest),
        metres_low=_round(average * rest * (1 - margin)),
        metres_high=_round(average * rest * (1 + margin)),
    )


def _answer(key: str):
    """The value of one answer of the dwelling's survey, as text, read in the database."""
    # Not KT("survey__answers__..."): through the reverse one-to-one it resolves to the survey's id.
    return KeyTextTransform("value", KeyTransform(key, "survey__answers"))


def extrapolation(
    project: Project, margin: int | None = None, per_stratum: int | None = None
) -> Extrapolation:
    """The sample per stratum and the estimates for the rest, in two queries; no personal data.

    ``margin`` is a percentage (default ``DEFAULT_MARGIN_PERCENT``); ``per_stratum`` the sample size
    below which a stratum is flagged as small (default ``DEFAULT_PER_STRATUM``).
    """
    margin = DEFAULT_MARGIN_PERCENT if margin is None else int(margin)
    if not 0 <= margin <= MAX_MARGIN_PERCENT:
        raise ValueError(f"margin must be between 0 and {MAX_MARGIN_PERCENT} percent")
    per_stratum = DEFAULT_PER_STRATUM if per_stratum is None else int(per_stratum)
    fraction = Decimal(margin) / 100
    coverage = governance_of(project).survey_coverage
    every = coverage == SurveyCoverage.EVERY_DWELLING
    in_scope = Dwelling.objects.filter(project=project).exclude(state__in=EXCLUDED_STATES).order_by()
    complete = Q(survey_completed_at__isnull=False)

    counts = in_scope.values("dwelling_type", "cluster").annotate(
        n=Count("pk"),
        marked=Count("pk", filter=Q(in_sample=True)),
        surveyed=Count("pk", filter=complete),
        marked_surveyed=Count("pk", filter=complete & Q(in_sample=True)),
    )
    strata: dict[tuple[str, str], Stratum] = {}
    for row in counts:
        key = (row["dwelling_type"], row["cluster"])
        strata[key] = Stratum(
            dwelling_type=row["dwelling_type"],
            type_label=type_label(row["dwelling_type"]),
            cluster=row["cluster"],
            dwellings=row["n"],
            # Where every dwelling is surveyed, every dwelling is the sample.
            in_sample=row["n"] if every else row["marked"],
            surveyed=row["surveyed"],
            sample_surveyed=row["surveyed"] if every else row["marked_surveyed"],
            target=min(per_stratum, row["n"]),
        )

    basis = in_scope.filter(complete) if every else in_scope.filter(complete, in_sample=True)
    rows = basis.values(
        "dwelling_type",
        "cluster",
        works_done=F("survey__works"),
        pipe_length=_answer(PIPE_LENGTH),
        **{code: _answer(key) for code, _label, key, _test in FINDINGS},
    )
    samples: dict[tuple[str, str], dict] = {}
    for row in rows:
        sample = samples.setdefault(
            (row["dwelling_type"], row["cluster"]), {"n": 0, "lengths": [], "hits": {}}
        )
        sample["n"] += 1
        length = _number(row["pipe_length"])
        if length is not None:
            sample["lengths"].append(length)
        works = row["works_done"] if isinstance(row["works_done"], list) else []
        needed = {item.get("work") for item in works if isinstance(item, dict)}
        needed |= {code for code, _label, _key, test in FINDINGS if test(row[code])}
        for code in needed:
            sample["hits"][code] = sample["hits"].get(code, 0) + 1

    for key, sample in samples.items():
        stratum = strata.get(key)
        if stratum is None or not sample["n"]:
            continue
        stratum.pipe = _pipe(sample["lengths"], stratum.rest, fraction)
        stratum.estimates = [
            _estimate(code, label, sample["hits"].get(code, 0), sample["n"], stratum.rest, fraction)
            for code, label in ITEMS
        ]

    ordered = sorted(strata.values(), key=lambda s: (type_order(s.dwelling_type), s.cluster))
    types: dict[str, TypeCoverage] = {}
    for stratum in ordered:
        coverage_row = types.setdefault(
            stratum.dwelling_type, TypeCoverage(stratum.dwelling_type, stratum.type_label)
        )
        coverage_row.dwellings += stratum.dwellings
        coverage_row.in_sample += stratum.in_sample
        coverage_row.sample_surveyed += stratum.sample_surveyed
        coverage_row.strata += 1
        coverage_row.strata_without_sample += stratum.no_sample

    with_estimate = [s for s in ordered if s.estimates]
    totals = [
        Total(
            code=code,
            label=str(label),
            expected=sum((s.estimates[i].expected for s in with_estimate), Decimal(0)),
            low=sum((s.estimates[i].low for s in with_estimate), Decimal(0)),
            high=sum((s.estimates[i].high for s in with_estimate), Decimal(0)),
        )
        for i, (code, label) in enumerate(ITEMS)
    ]
    piped = [s.pipe for s in with_estimate if s.pipe]
    pipe_total = (
        Total(
            code="pipe_metres",
            label=str(_("metres of indoor pipe")),
            expected=sum((p.metres for p in piped), Decimal(0)),
            low=sum((p.metres_low for p in piped), Decimal(0)),
            high=sum((p.metres_high for p in piped), Decimal(0)),
        )
        if piped
        else None
    )
    return Extrapolation(
        margin_percent=margin,
        per_stratum=per_stratum,
        coverage=coverage,
        strata=ordered,
        types=list(types.values()),
        totals=totals,
        pipe_total=pipe_total,
    )


def sample_dwellings(project: Project) -> dict[tuple[str, str], list[dict]]:
    """The dwellings marked for the sample, per stratum, in address order; one query.

    Addresses only: this list is for the parties that see every dwelling of the project.
    """
    rows = (
        Dwelling.objects.filter(project=project, in_sample=True)
        .exclude(state__in=EXCLUDED_STATES)
        .order_by(*ADDRESS_ORDER)
        .values("dwelling_type", "cluster", "state", "survey_completed_at", *ADDRESS_FIELDS)
    )
    grouped: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        row["address"] = address_of(row)
        grouped.setdefault((row["dwelling_type"], row["cluster"]), []).append(row)
    return grouped


def stratum_dwellings(project: Project, dwelling_type: str, cluster: str) -> list[dict]:
    """Every dwelling of one stratum (in scope), in address order, with its sample mark; one query."""
    rows = list(
        Dwelling.objects.filter(project=project, dwelling_type=dwelling_type, cluster=cluster)
        .exclude(state__in=EXCLUDED_STATES)
        .order_by(*ADDRESS_ORDER)
        .values("in_sample", "state", "survey_completed_at", *ADDRESS_FIELDS)
    )
    for row in rows:
        row["address"] = address_of(row)
    return rows
