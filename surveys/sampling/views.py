"""The survey sample of a project: the estimates page, proposing and marking the sample, the export.

Who sees what: the parties that see every dwelling of the project (the lead party, the heat company,
the communicating party) see the page with the sample dwellings; only the lead party marks. The
municipality sees the same estimates without the list of sample dwellings: figures per dwelling type
and cluster, no addresses, names or notes (DOMAIN.md: aggregated only). Other parties of the project
get 403, everyone else 404.
"""

import codecs
import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects import selectors as project_selectors
from projects.advisories import governance_of
from projects.models import DwellingType, SurveyCoverage
from surveys.sampling.forms import FiguresForm, ProposeForm
from surveys.sampling.permissions import FULL, can_choose_sample, sample_access
from surveys.sampling.selectors import ITEMS, extrapolation, sample_dwellings, stratum_dwellings
from surveys.sampling.services import sample_mark, sample_propose, sample_set_stratum
from surveys.sampling.strata import type_label


def _viewable(request, slug):
    """(project, sees dwellings): 404 outside the project, 403 for parties without these figures."""
    project = project_selectors.project_get(user=request.user, slug=slug)
    access = sample_access(request.user, project)
    if access is None:
        raise PermissionDenied(
            _(
                "The survey sample is shown to the lead party, the heat company, the communicating party "
                "and the municipality."
            )
        )
    return project, access == FULL


def _lead_project(request, slug):
    project = project_selectors.project_get(user=request.user, slug=slug)
    if not can_choose_sample(request.user, project):
        raise PermissionDenied(_("Only the lead party chooses the survey sample."))
    return project


@login_required
def overview(request, slug):
    project, sees_dwellings = _viewable(request, slug)
    form = FiguresForm(request.GET or None)
    margin, per_stratum = form.values()
    figures = extrapolation(project, margin=margin, per_stratum=per_stratum)
    if not sees_dwellings:
        figures.hide_small_cells()
    samples = sample_dwellings(project) if sees_dwellings else {}
    strata = [{"stratum": stratum, "sample": samples.get(stratum.key, [])} for stratum in figures.strata]
    query = request.GET.copy()
    return render(
        request,
        "surveys/sampling/overview.html",
        {
            "project": project,
            "figures": figures,
            "strata": strata,
            "form": form,
            "sees_dwellings": sees_dwellings,
            "can_mark": can_choose_sample(request.user, project),
            "query": query.urlencode(),
        },
    )


@login_required
def propose(request, slug):
    """A proposal to preview (GET) and to confirm (POST the previewed dwellings)."""
    project = _lead_project(request, slug)
    form = ProposeForm(request.GET or None)
    per_stratum = form.value()
    error = None
    if request.method == "POST":
        try:
            changed = sample_mark(
                actor=request.user,
                project=project,
                dwelling_ids=request.POST.getlist("dwelling"),
                in_sample=True,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if changed:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d dwelling added to the sample.",
                        "%(count)d dwellings added to the sample.",
                        changed,
                    )
                    % {"count": changed},
                )
            else:
                messages.info(request, _("Nothing changed: these dwellings were already in the sample."))
            return redirect(
                reverse("sampling:overview", kwargs={"slug": slug}) + f"?per_stratum={per_stratum}"
            )
    proposal = sample_propose(project=project, per_stratum=per_stratum)
    return render(
        request,
        "surveys/sampling/propose.html",
        {
            "project": project,
            "form": form,
            "proposal": proposal,
            "error": error,
            "every_dwelling": governance_of(project).survey_coverage == SurveyCoverage.EVERY_DWELLING,
        },
        status=400 if error else 200,
    )


@login_required
def stratum(request, slug):
    """Choose the sample of one dwelling type in one cluster by hand."""
    project = _lead_project(request, slug)
    dwelling_type = request.GET.get("type", "")
    cluster = request.GET.get("cluster", "")
    if dwelling_type not in DwellingType.values:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            changed = sample_set_stratum(
                actor=request.user,
                project=project,
                dwelling_type=dwelling_type,
                cluster=cluster,
                chosen_ids=request.POST.getlist("dwelling"),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                ngettext(
                    "Sample saved: %(count)d dwelling changed.",
                    "Sample saved: %(count)d dwellings changed.",
                    changed,
                )
                % {"count": changed},
            )
            return redirect("sampling:overview", slug=slug)
    dwellings = stratum_dwellings(project, dwelling_type, cluster)
    if not dwellings:
        raise Http404
    return render(
        request,
        "surveys/sampling/stratum.html",
        {
            "project": project,
            "type_label": type_label(dwelling_type),
            "cluster": cluster,
            "dwellings": dwellings,
            "error": error,
        },
        status=400 if error else 200,
    )


def _cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _number(value) -> str:
    return "" if value is None else formats.number_format(value, decimal_pos=1)


@login_required
def export(request, slug):
    """The estimates per stratum as CSV (semicolons, as Dutch spreadsheets expect); no personal data."""
    project, sees_dwellings = _viewable(request, slug)
    margin, per_stratum = FiguresForm(request.GET or None).values()
    figures = extrapolation(project, margin=margin, per_stratum=per_stratum)
    if not sees_dwellings:
        figures.hide_small_cells()
    items = [str(label) for _code, label in ITEMS]
    header = [
        _("dwelling type"),
        _("cluster"),
        _("dwellings"),
        _("in the sample"),
        _("sample surveyed"),
        _("not surveyed yet"),
        _("flag"),
        _("margin (%)"),
        _("average pipe length (m)"),
        _("pipe length low"),
        _("pipe length high"),
        _("pipe metres for the rest"),
        _("pipe metres low"),
        _("pipe metres high"),
    ]
    for label in items:
        header += [
            _("%(item)s: share in sample (%%)") % {"item": label},
            _("%(item)s: expected") % {"item": label},
            _("%(item)s: low") % {"item": label},
            _("%(item)s: high") % {"item": label},
        ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    for row in figures.strata:
        if row.no_sample:
            flag = _("no sample: no estimate")
        elif row.hidden:
            flag = _("too few surveyed homes to show")
        elif row.small_sample:
            flag = _("sample smaller than %(count)d") % {"count": row.target}
        else:
            flag = ""
        pipe = row.pipe
        cells = [
            row.type_label,
            _cell(row.cluster),
            row.dwellings,
            row.in_sample,
            row.sample_surveyed,
            row.rest,
            flag,
            figures.margin_percent,
            *[
                _number(getattr(pipe, name) if pipe else None)
                for name in ("average", "low", "high", "metres", "metres_low", "metres_high")
            ],
        ]
        for estimate in row.estimates or [None] * len(items):
            cells += [
                _number(getattr(estimate, name) if estimate else None)
                for name in ("share", "expected", "low", "high")
            ]
        writer.writerow(cells)
    response = HttpResponse(
        codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    filename = _("sample-%(project)s.csv") % {"project": project.slug}
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
