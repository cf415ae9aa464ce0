"""Ad hoc tenders in pages: the lead party invites installers and awards a bid; an invited installer
bids a price per kind of work. A tender outside your view does not exist (404); an installer never sees
another's prices."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procurement import selectors, services
from procurement.forms import AwardForm, BidForm, TenderForm
from procurement.permissions import can_manage_packages
from projects import selectors as project_selectors
from projects.permissions import is_platform_admin
from projects.views.dwellings import add_errors
from surveys.schema import WORKS


@login_required
def tender_list(request):
    tenders = selectors.tenders_visible_to(request.user).select_related("project").order_by("-created_at")
    return render(request, "procurement/tender_list.html", {"tenders": tenders[:200]})


@login_required
def tender_create(request, slug):
    project = project_selectors.project_get(user=request.user, slug=slug)
    if not (can_manage_packages(request.user, project) or is_platform_admin(request.user)):
        raise Http404
    form = TenderForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tender = services.tender_create(
                actor=request.user,
                project=project,
                title=data["title"],
                scope=data["scope"],
                deadline=data["deadline"],
                installer_ids=[org.pk for org in data["installers"]],
                description=data["description"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The tender is out: the invited installers can bid."))
            return redirect("tenders:detail", pk=tender.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "procurement/tender_form.html", {"project": project, "form": form}, status=status)


def _tender(request, pk):
    return get_object_or_404(selectors.tenders_visible_to(request.user).select_related("project"), pk=pk)


def _context(request, tender, **forms):
    bids = list(selectors.bids_visible_to(request.user, tender))
    manages = can_manage_packages(request.user, tender.project)
    own = next((bid for bid in bids if bid.installer_id == request.user.organisation_id), None)
    invited = tender.invited.filter(pk=request.user.organisation_id).exists()
    rows = [{"label": label, "prices": [bid.prices.get(code) for bid in bids]} for code, label in WORKS]
    initial = {f"price_{code}": price for code, price in (own.prices.items() if own else [])}
    if own:
        initial["note"] = own.note
    return {
        "tender": tender,
        "bids": bids,
        "rows": rows,
        "manages": manages,
        "invited_list": tender.invited.order_by("name"),
        "can_bid": invited and tender.status == "open" and timezone.localdate() <= tender.deadline,
        "own_bid": own,
        "bid_form": forms.get("bid") or BidForm(initial=initial),
        "award_form": forms.get("award")
        or AwardForm(tender=tender, initial={"starts_on": timezone.localdate()}),
        "can_award": manages and tender.status == "open" and bool(bids),
    }


@login_required
def tender_detail(request, pk):
    tender = _tender(request, pk)
    return render(request, "procurement/tender_detail.html", _context(request, tender))


@login_required
@require_POST
def bid(request, pk):
    tender = _tender(request, pk)
    form = BidForm(request.POST)
    if form.is_valid():
        try:
            services.bid_submit(
                actor=request.user, tender_id=tender.pk, prices=form.prices(), note=form.cleaned_data["note"]
            )
        except services.TenderClosed as exc:
            messages.warning(request, str(exc))
            return redirect("tenders:detail", pk=tender.pk)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Your bid is in."))
            return redirect("tenders:detail", pk=tender.pk)
    return render(request, "procurement/tender_detail.html", _context(request, tender, bid=form), status=400)


@login_required
@require_POST
def award(request, pk):
    tender = _tender(request, pk)
    form = AwardForm(request.POST, tender=tender)
    if form.is_valid():
        data = form.cleaned_data
        try:
            agreement = services.tender_award(
                actor=request.user,
                tender_id=tender.pk,
                bid_id=data["bid"].pk,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except services.TenderClosed as exc:
            messages.warning(request, str(exc))
            return redirect("tenders:detail", pk=tender.pk)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Awarded to %(installer)s: agreement %(reference)s for this project.")
                % {"installer": agreement.installer, "reference": agreement.reference},
            )
            return redirect("tenders:detail", pk=tender.pk)
    return render(
        request, "procurement/tender_detail.html", _context(request, tender, award=form), status=400
    )
