"""The contracting party's agreements and pools, and a project's choice of pool and main contractor, in
pages (the admin offers the same through the same services). Another organisation's agreement or pool
does not exist here (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from procurement import services
from procurement.forms import AgreementForm, PoolForm, ProjectPoolForm
from procurement.models import (
    AgreementStatus,
    FrameworkAgreement,
    Pool,
    ProjectProcurement,
    RateUnit,
    UnitRate,
)
from procurement.permissions import can_manage_packages
from procurement.services.setup import keeps
from procurement.services.tenders import UNITS
from projects import selectors as project_selectors
from projects.permissions import is_platform_admin
from projects.views.dwellings import add_errors


def _mine(user):
    if is_platform_admin(user):
        return FrameworkAgreement.objects.all()
    org = user.organisation_id
    return FrameworkAgreement.objects.filter(Q(contracting_party_id=org) | Q(installer_id=org))


def _kept_by(user, model):
    """The agreements (or pools) the user's organisation keeps; all of them for who runs the platform."""
    if is_platform_admin(user):
        return model.objects.all()
    field = "contracting_party_id" if model is FrameworkAgreement else "owner_id"
    return model.objects.filter(**{field: user.organisation_id})


@login_required
def agreements(request):
    """The agreements the user's organisation contracted, or holds as installer; and its pools."""
    if request.user.in_field_only or (
        request.user.organisation_id is None and not is_platform_admin(request.user)
    ):
        raise Http404
    rows = _mine(request.user).select_related("installer", "contracting_party", "project")
    pools = _kept_by(request.user, Pool).prefetch_related("agreements")
    labels = dict(AgreementStatus.choices)
    rows = list(rows.order_by("-ends_on", "reference"))
    for row in rows:
        row.effective_label = labels.get(row.effective_status, row.effective_status)
    return render(
        request,
        "procurement/agreements.html",
        {
            "agreements": rows,
            "pools": pools,
            "keeps": keeps(request.user, request.user.organisation_id),
        },
    )


@login_required
def agreement_edit(request, pk=None):
    agreement = None
    if pk is not None:
        agreement = get_object_or_404(_kept_by(request.user, FrameworkAgreement), pk=pk)
    elif request.user.organisation_id is None:
        return redirect("admin:procurement_frameworkagreement_add")  # who runs the platform picks the party
    if not keeps(request.user, agreement.contracting_party_id if agreement else request.user.organisation_id):
        raise PermissionDenied(_("Only a coordinator of the contracting party keeps its agreements."))
    rates = {rate.work: rate.price for rate in agreement.rates.all()} if agreement else {}
    party = agreement.contracting_party_id if agreement else request.user.organisation_id
    form = AgreementForm(request.POST or None, instance=agreement, rates=rates, organisation_id=party)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            with transaction.atomic():
                saved = services.agreement_save(
                    actor=request.user,
                    agreement=agreement,
                    contracting_party_id=party,
                    **fields,
                )
                existing = {rate.work: rate for rate in saved.rates.all()}
                for work, price in form.rates().items():
                    services.rate_save(
                        actor=request.user,
                        rate=existing.get(work) or UnitRate(agreement=saved),
                        work=work,
                        unit=UNITS.get(work, RateUnit.PIECE),
                        price=price,
                    )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Agreement %(reference)s saved.") % {"reference": saved.reference})
            return redirect("agreements:list")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "procurement/agreement_form.html", {"form": form, "agreement": agreement}, status=status
    )


@login_required
def pool_edit(request, pk=None):
    pool = None
    if pk is not None:
        pool = get_object_or_404(_kept_by(request.user, Pool), pk=pk)
    elif request.user.organisation_id is None:
        return redirect("admin:procurement_pool_add")
    owner = pool.owner_id if pool else request.user.organisation_id
    if not keeps(request.user, owner):
        raise PermissionDenied(_("Only a coordinator of the organisation that keeps the pool changes it."))
    form = PoolForm(request.POST or None, instance=pool, organisation_id=owner)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.pool_save(
                actor=request.user,
                pool=pool,
                agreements=list(form.cleaned_data["agreements"]),
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                owner_id=owner,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Pool %(name)s saved.") % {"name": saved.name})
            return redirect("agreements:list")
    status = 400 if request.method == "POST" else 200
    return render(request, "procurement/pool_form.html", {"form": form, "pool": pool}, status=status)


@login_required
def project_pool(request, slug):
    """The lead party chooses its project's pool and the main contractor from it."""
    project = project_selectors.project_get(user=request.user, slug=slug)
    if not (can_manage_packages(request.user, project) or is_platform_admin(request.user)):
        raise Http404
    choice = ProjectProcurement.objects.filter(project=project).first()
    initial = {"pool": choice.pool_id, "main_contractor": choice.main_contractor_id} if choice else {}
    form = ProjectPoolForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_procurement_set(
                actor=request.user,
                project=project,
                pool=form.cleaned_data["pool"],
                main_contractor=form.cleaned_data["main_contractor"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The project's pool and main contractor are saved."))
            return redirect(project.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "procurement/project_pool.html", {"form": form, "project": project}, status=status)
