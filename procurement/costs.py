"""Costs of the installation: each dwelling's estimate against its actual cost, and a project's totals.

- The estimate: the works the survey recorded for the heat company or the installer, at the unit rates
  of the agreement the dwelling's work package was accepted under (the indoor pipes per metre of the
  surveyed pipe length, everything else one unit).
- The actual cost: the works the installer reported done at completion (its quantities) at the same
  rates, plus extra work the lead party approved with its reason.

A project's figures take the same handful of queries for ten dwellings as for ten thousand. Who may see
them is ``permissions.can_see_costs``: an installer only its own amounts, a municipality none at all.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.db.models.fields.json import KT

from procurement.models import (
    Completion,
    ExtraWork,
    PackageDwelling,
    PackageStatus,
    ProjectProcurement,
    UnitRate,
)
from projects.models import Dwelling, Project
from projects.states import DwellingState
from surveys.models import Survey

ZERO = Decimal("0.00")
# Works whose cost falls under the installer's agreement; the owner's own works do not.
CONTRACTED = ("heat_company", "installer")
DONE_STATES = (DwellingState.INSTALLED, DwellingState.CONNECTED)


@dataclass
class DwellingCost:
    dwelling_id: int
    cluster: str
    estimate: Decimal
    actual: Decimal | None  # None until the installation is reported
    extra: Decimal = ZERO

    def over(self, margin: int) -> bool:
        return self.actual is not None and self.actual > self.estimate * (1 + Decimal(margin) / 100)


@dataclass
class ProjectCosts:
    budget: Decimal | None
    margin: int
    estimate: Decimal = ZERO
    actual: Decimal = ZERO
    estimate_of_done: Decimal = ZERO
    dwellings: int = 0
    done: int = 0
    over_dwellings: list[DwellingCost] = field(default_factory=list)
    over_clusters: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and max(self.estimate, self.actual) > self.budget

    @property
    def bars(self) -> list[tuple[str, Decimal, int]]:
        """(label, amount, percent of the largest) for a bar chart of budget, estimate and actual."""
        from django.utils.translation import gettext as _

        rows = [(_("budget"), self.budget), (_("estimate"), self.estimate), (_("actual"), self.actual)]
        top = max((amount for _label, amount in rows if amount), default=ZERO) or Decimal(1)
        return [
            (label, amount, int((amount or ZERO) * 100 / top)) for label, amount in rows if amount is not None
        ]


def _price(rates: dict[str, Decimal], work: str, quantity) -> Decimal:
    try:
        return (rates.get(work, ZERO) * Decimal(str(quantity))).quantize(Decimal("0.01"))
    except ArithmeticError:
        return ZERO


def costs_of(dwellings) -> list[DwellingCost]:
    """The estimate and actual cost of each dwelling of ``dwellings`` (a queryset) in a package."""
    items = dict(
        PackageDwelling.objects.filter(
            open=True, package__status=PackageStatus.ACCEPTED, dwelling__in=dwellings
        ).values_list("dwelling_id", "package__agreement_id")
    )
    rates: dict[int, dict[str, Decimal]] = {}
    for agreement_id, work, price in UnitRate.objects.filter(
        agreement_id__in=set(items.values())
    ).values_list("agreement_id", "work", "price"):
        rates.setdefault(agreement_id, {})[work] = price
    surveys = {
        row["dwelling_id"]: row
        for row in Survey.objects.filter(dwelling_id__in=items.keys())
        .annotate(pipe=KT("answers__delivery_set.pipe_length__value"))
        .values("dwelling_id", "works", "pipe")
    }
    done = dict(
        Completion.objects.filter(dwelling_id__in=items.keys(), dwelling__state__in=DONE_STATES).values_list(
            "dwelling_id", "answers"
        )
    )
    extra = dict(
        ExtraWork.objects.filter(dwelling_id__in=items.keys())
        .values("dwelling_id")
        .annotate(total=Sum("amount"))
        .values_list("dwelling_id", "total")
    )
    clusters = dict(Dwelling.objects.filter(pk__in=items.keys()).values_list("pk", "cluster"))
    result = []
    for dwelling_id, agreement_id in items.items():
        own_rates = rates.get(agreement_id, {})
        survey = surveys.get(dwelling_id) or {"works": [], "pipe": None}
        estimate = ZERO
        for row in survey["works"] or []:
            if row.get("responsible") in CONTRACTED:
                quantity = survey["pipe"] if row["work"] == "indoor_pipes" and survey["pipe"] else 1
                estimate += _price(own_rates, row["work"], quantity)
        actual = None
        if dwelling_id in done:
            answers = done[dwelling_id]
            actual = ZERO
            for key, quantity in answers.items():
                if key.startswith("works_done.") and isinstance(quantity, int | float) and quantity > 0:
                    actual += _price(own_rates, key.removeprefix("works_done."), quantity)
            actual += extra.get(dwelling_id) or ZERO
        result.append(
            DwellingCost(
                dwelling_id,
                clusters.get(dwelling_id, ""),
                estimate,
                actual,
                extra.get(dwelling_id) or ZERO,
            )
        )
    return result


def dwelling_costs(dwelling: Dwelling) -> DwellingCost | None:
    rows = costs_of(Dwelling.objects.filter(pk=dwelling.pk))
    return rows[0] if rows else None


def project_costs(project: Project) -> ProjectCosts:
    choice = ProjectProcurement.objects.filter(project=project).first()
    figures = ProjectCosts(
        budget=choice.budget if choice else None, margin=choice.overrun_margin if choice else 10
    )
    per_cluster: dict[str, list[Decimal]] = {}
    for row in costs_of(Dwelling.objects.filter(project=project)):
        figures.dwellings += 1
        figures.estimate += row.estimate
        if row.actual is None:
            continue
        figures.done += 1
        figures.actual += row.actual
        figures.estimate_of_done += row.estimate
        if row.over(figures.margin):
            figures.over_dwellings.append(row)
        totals = per_cluster.setdefault(row.cluster or "—", [ZERO, ZERO])
        totals[0] += row.estimate
        totals[1] += row.actual
    factor = 1 + Decimal(figures.margin) / 100
    figures.over_clusters = sorted(
        (name, estimate, actual)
        for name, (estimate, actual) in per_cluster.items()
        if actual > estimate * factor
    )
    return figures
