"""The work package pages: the lead party bundles, offers and withdraws; the installer accepts or
declines and hands dwellings to its subcontractors. Outside scope a package does not exist (404); a
known package the person may not act on answers 403 with the reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from procurement import selectors, services
from procurement.forms import HandForm, MoveForm, OfferForm, PackageForm, ReasonForm
from procurement.models import PackageDwelling, PackageStatus, WorkPackage
from procurement.permissions import can_decide_package, can_manage_packages, can_offer_days
from projects import selectors as project_selectors
from projects.models import Dwelling
from projects.permissions import dwellings_visible_to
from projects.states import DwellingState
from projects.views.dwellings import add_errors


def _project(request, slug):
    project = project_selectors.project_get(user=request.user, slug=slug)
    if not selectors.can_see_packages(request.user, project):
        raise Http404
    return project


def _package(request, project, number) -> WorkPackage:
    return get_object_or_404(selectors.package_list(request.user, project), number=number)


def _available(user, project):
    """The project's agreed dwellings that are in no package yet."""
    taken = PackageDwelling.objects.filter(open=True).values("dwelling_id")
    return (
        dwellings_visible_to(user)
        .filter(project=project, state=DwellingState.AGREED)
        .exclude(pk__in=taken)
        .order_by()
    )


@login_required
def package_list(request, slug):
    project = _project(request, slug)
    manages = can_manage_packages(request.user, project)
    form = None
    if manages:
        form = PackageForm(request.POST or None, available=_available(request.user, project))
        if request.method == "POST" and form.is_valid():
            try:
                package = services.package_create(
                    actor=request.user,
                    project=project,
                    name=form.cleaned_data["name"],
                    dwelling_ids=form.dwelling_ids(),
                    first_week=form.cleaned_data["first_week"],
                    last_week=form.cleaned_data["last_week"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            except services.PackageChanged as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    ngettext(
                        "Package #%(number)s holds %(count)s dwelling.",
                        "Package #%(number)s holds %(count)s dwellings.",
                        package.items.count(),
                    )
                    % {"number": package.number, "count": package.items.count()},
                )
                return redirect("packages:detail", slug=slug, number=package.number)
    elif request.method == "POST":
        raise PermissionDenied(_("Only a coordinator of the lead party bundles work packages."))
    packages = list(selectors.package_list(request.user, project))
    context = {
        "project": project,
        "packages": packages,
        "form": form,
        "available": _available(request.user, project).count() if manages else None,
    }
    status = 400 if form is not None and form.is_bound and not form.is_valid() else 200
    return render(request, "procurement/package_list.html", context, status=status)


def _detail_context(request, project, package, **forms):
    items = list(selectors.package_dwellings(request.user, package))
    manages = can_manage_packages(request.user, project)
    decides = (
        can_decide_package(request.user, package) and package.installer_id == request.user.organisation_id
    )
    context = {
        "project": project,
        "package": package,
        "items": items,
        "manages": manages,
        "decides": decides,
        "offer_form": forms.get("offer") or OfferForm(project=project, initial={"version": package.version}),
        "withdraw_form": forms.get("withdraw") or ReasonForm(initial={"version": package.version}),
        "decline_form": forms.get("decline") or ReasonForm(initial={"version": package.version}),
        "accept_form": ReasonForm(initial={"version": package.version}),
        "hand_form": forms.get("hand") or HandForm(package=package, items=items),
        "move_form": forms.get("move")
        or MoveForm(project=project, package=package, items=items, initial={"version": package.version}),
        "can_offer": manages and package.status in services.packages.OFFERABLE,
        "can_withdraw": manages and package.status == PackageStatus.OFFERED,
        "can_decide": decides and package.status == PackageStatus.OFFERED,
        "can_hand": decides and package.status == PackageStatus.ACCEPTED,
        "can_move": manages and package.status == PackageStatus.ACCEPTED,
        "can_offer_days": can_offer_days(request.user, package),
    }
    return context


@login_required
def package_detail(request, slug, number):
    project = _project(request, slug)
    package = _package(request, project, number)
    return render(request, "procurement/package_detail.html", _detail_context(request, project, package))


def _act(request, slug, number, form, action, done, form_name):
    """Run ``action(package, form)`` for a valid form; a stale or double submit says why and changes
    nothing; a refusal shows on the form."""
    project = _project(request, slug)
    package = _package(request, project, number)
    if form.is_valid():
        try:
            action(package, form)
        except services.PackageChanged as exc:
            messages.warning(request, str(exc))
            return redirect("packages:detail", slug=slug, number=number)
        except (WorkPackage.DoesNotExist, Dwelling.DoesNotExist) as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("packages:detail", slug=slug, number=number)
    package.refresh_from_db()
    context = _detail_context(request, project, package, **{form_name: form})
    return render(request, "procurement/package_detail.html", context, status=400)


@login_required
@require_POST
def package_offer(request, slug, number):
    project = _project(request, slug)
    form = OfferForm(request.POST, project=project)

    def offer(package, form):
        services.package_offer(
            actor=request.user,
            package_id=package.pk,
            installer_id=form.cleaned_data["installer"].pk,
            expected_version=form.cleaned_data["version"],
        )

    return _act(request, slug, number, form, offer, _("The package is offered."), "offer")


@login_required
@require_POST
def package_withdraw(request, slug, number):
    def withdraw(package, form):
        services.package_withdraw(
            actor=request.user,
            package_id=package.pk,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )

    return _act(
        request, slug, number, ReasonForm(request.POST), withdraw, _("The offer is withdrawn."), "withdraw"
    )


@login_required
@require_POST
def package_decline(request, slug, number):
    def decline(package, form):
        services.package_decline(
            actor=request.user,
            package_id=package.pk,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )

    return _act(
        request, slug, number, ReasonForm(request.POST), decline, _("You declined the package."), "decline"
    )


@login_required
@require_POST
def package_accept(request, slug, number):
    from procurement.forms import VersionForm

    results = {}

    def accept(package, form):
        results["package"], results["result"] = services.package_accept(
            actor=request.user, package_id=package.pk, expected_version=form.cleaned_data["version"]
        )

    response = _act(
        request, slug, number, VersionForm(request.POST), accept, _("You accepted the package."), "accept"
    )
    result = results.get("result")
    if result is not None and result.skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)s dwelling could not be assigned and left the package: %(homes)s",
                "%(count)s dwellings could not be assigned and left the package: %(homes)s",
                len(result.skipped),
            )
            % {
                "count": len(result.skipped),
                "homes": "; ".join(f"{address} ({reason})" for _pk, address, reason in result.skipped[:5]),
            },
        )
    return response


@login_required
@require_POST
def package_hand(request, slug, number):
    project = _project(request, slug)
    package = _package(request, project, number)
    items = list(selectors.package_dwellings(request.user, package))
    form = HandForm(request.POST, package=package, items=items)

    def hand(package, form):
        subcontractor = form.cleaned_data["subcontractor"]
        services.package_hand(
            actor=request.user,
            package_id=package.pk,
            dwelling_ids=[d.pk for d in form.cleaned_data["dwellings"]],
            subcontractor_id=subcontractor.pk if subcontractor else None,
        )

    return _act(request, slug, number, form, hand, _("Done: the dwellings are handed over."), "hand")


@login_required
@require_POST
def package_move(request, slug, number):
    """The lead party moves the package, or the chosen dwellings of it, to another installer."""
    project = _project(request, slug)
    package = _package(request, project, number)
    items = list(selectors.package_dwellings(request.user, package))
    form = MoveForm(request.POST, project=project, package=package, items=items)
    moved = {}

    def move(package, form):
        chosen = [d.pk for d in form.cleaned_data["dwellings"]]
        moved["package"] = services.package_move(
            actor=request.user,
            package_id=package.pk,
            installer_id=form.cleaned_data["installer"].pk,
            dwelling_ids=chosen or None,
            expected_version=form.cleaned_data["version"],
        )

    return _act(
        request, slug, number, form, move, _("Done: offered to the other installer as a new package."), "move"
    )
