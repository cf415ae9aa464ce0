"""Writes for projects that survey a selection: proposing the sample and marking it.

A stratum is one dwelling type in one cluster. A representative sample has at least
``DEFAULT_PER_STRATUM`` dwellings in every stratum (all of them in a smaller one), spread over the
stratum in address order, so that every street end and every block of the cluster can show up.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.models import Dwelling, Project, User
from projects.permissions import can_view_project
from surveys.sampling.permissions import can_choose_sample
from surveys.sampling.strata import (
    ADDRESS_FIELDS,
    ADDRESS_ORDER,
    DEFAULT_PER_STRATUM,
    EXCLUDED_STATES,
    MAX_PER_STRATUM,
    NOT_PROPOSED_STATES,
    address_of,
    type_label,
    type_order,
)


def spread(count: int, picks: int) -> list[int]:
    """``picks`` positions out of ``count``, evenly spread: every k-th, starting half a step in."""
    picks = min(picks, count)
    return [(2 * i + 1) * count // (2 * picks) for i in range(picks)]


@dataclass
class ProposedStratum:
    dwelling_type: str
    type_label: str
    cluster: str
    dwellings: int
    already: int
    add: list[dict] = field(default_factory=list)

    @property
    def target(self) -> int:
        return self.already + len(self.add)


@dataclass
class SampleProposal:
    per_stratum: int
    strata: list[ProposedStratum]

    @property
    def dwelling_ids(self) -> list[int]:
        return [row["pk"] for stratum in self.strata for row in stratum.add]

    @property
    def to_add(self) -> int:
        return len(self.dwelling_ids)


def sample_propose(*, project: Project, per_stratum: int | None = None) -> SampleProposal:
    """Which dwellings to add so that every stratum has at least ``per_stratum`` in the sample.

    Reads only (one query); nothing is marked until the lead party confirms with ``sample_mark``.
    Dwellings already in the sample count towards the target and stay; the ones to add are spread
    over the rest of the stratum in address order, so the same register gives the same proposal.
    """
    per_stratum = DEFAULT_PER_STRATUM if per_stratum is None else per_stratum
    if not 1 <= per_stratum <= MAX_PER_STRATUM:
        raise ValidationError(
            _("Choose between %(low)d and %(high)d dwellings per stratum.")
            % {"low": 1, "high": MAX_PER_STRATUM}
        )
    rows = (
        Dwelling.objects.filter(project=project)
        .exclude(state__in=EXCLUDED_STATES)
        .order_by("dwelling_type", "cluster", *ADDRESS_ORDER)
        .values("dwelling_type", "cluster", "in_sample", "state", *ADDRESS_FIELDS)
    )
    grouped: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        grouped.setdefault((row["dwelling_type"], row["cluster"]), []).append(row)
    strata = []
    for (dwelling_type, cluster), members in sorted(
        grouped.items(), key=lambda item: (type_order(item[0][0]), item[0][1])
    ):
        already = sum(1 for row in members if row["in_sample"])
        candidates = [
            row for row in members if not row["in_sample"] and row["state"] not in NOT_PROPOSED_STATES
        ]
        wanted = max(0, min(per_stratum, len(members)) - already)
        add = [candidates[i] for i in spread(len(candidates), wanted)] if wanted and candidates else []
        for row in add:
            row["address"] = address_of(row)
        strata.append(
            ProposedStratum(
                dwelling_type=dwelling_type,
                type_label=type_label(dwelling_type),
                cluster=cluster,
                dwellings=len(members),
                already=already,
                add=add,
            )
        )
    return SampleProposal(per_stratum=per_stratum, strata=strata)


def _clean_ids(dwelling_ids: Iterable) -> set[int]:
    try:
        return {int(pk) for pk in dwelling_ids}
    except (TypeError, ValueError):
        raise ValidationError(_("The selection of dwellings is not valid; nothing was changed.")) from None


def _authorise(actor: User, project: Project) -> None:
    """404 outside the project, 403 inside it for everyone but the lead party."""
    if not can_view_project(actor, project):
        raise Project.DoesNotExist
    if not can_choose_sample(actor, project):
        raise PermissionDenied(_("Only the lead party chooses the survey sample."))


def _not_in_project(count: int) -> ValidationError:
    return ValidationError(
        ngettext(
            "%(count)d of the chosen dwellings is not in this project; nothing was changed.",
            "%(count)d of the chosen dwellings are not in this project; nothing was changed.",
            count,
        )
        % {"count": count}
    )


def _not_in_stratum(count: int) -> ValidationError:
    return ValidationError(
        ngettext(
            "%(count)d of the chosen dwellings is not of this type and cluster; nothing was changed.",
            "%(count)d of the chosen dwellings are not of this type and cluster; nothing was changed.",
            count,
        )
        % {"count": count}
    )


def _update(ids, in_sample: bool) -> int:
    if not ids:
        return 0
    return (
        Dwelling.objects.filter(pk__in=ids)
        .exclude(in_sample=in_sample)
        .update(in_sample=in_sample, updated_at=timezone.now())
    )


@transaction.atomic
def sample_mark(*, actor: User, project: Project, dwelling_ids: Iterable, in_sample: bool) -> int:
    """Put dwellings in the survey sample (or take them out); the lead party only.

    All or nothing: when one id is not a dwelling of this project, nothing changes. Marking what is
    already marked changes nothing, so a double submit is harmless. Returns how many changed.
    """
    _authorise(actor, project)
    ids = _clean_ids(dwelling_ids)
    if not ids:
        raise ValidationError(_("Choose at least one dwelling."))
    found = dict(
        Dwelling.objects.select_for_update()
        .filter(project=project, pk__in=ids)
        .order_by("pk")
        .values_list("pk", "state")
    )
    if missing := len(ids - found.keys()):
        # Whether an id belongs to another project or to none is not said: that is out of scope.
        raise _not_in_project(missing)
    if in_sample and any(state in EXCLUDED_STATES for state in found.values()):
        raise ValidationError(
            _("A withdrawn dwelling is out of scope and cannot be in the sample; nothing was changed.")
        )
    return _update(found.keys(), in_sample)


@transaction.atomic
def sample_set_stratum(
    *, actor: User, project: Project, dwelling_type: str, cluster: str, chosen_ids: Iterable
) -> int:
    """Make the sample of one stratum exactly the chosen dwellings; the lead party only.

    All or nothing, like ``sample_mark``: an id outside the stratum changes nothing. Returns how many
    dwellings changed.
    """
    _authorise(actor, project)
    chosen = _clean_ids(chosen_ids)
    members = dict(
        Dwelling.objects.select_for_update()
        .filter(project=project, dwelling_type=dwelling_type, cluster=cluster)
        .exclude(state__in=EXCLUDED_STATES)
        .order_by("pk")
        .values_list("pk", "in_sample")
    )
    if outside := len(chosen - members.keys()):
        raise _not_in_stratum(outside)
    return _update(chosen, True) + _update(members.keys() - chosen, False)
