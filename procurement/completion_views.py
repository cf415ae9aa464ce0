"""The installer's pages on a phone or tablet (My week, the commissioning checklist of a dwelling) and
the heat company's review and register. Outside scope a dwelling, its evidence and its photos do not
exist (404)."""

import datetime
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from procurement import checklist, costs, selectors, services
from procurement.models import CompletionPhoto
from procurement.models.completion import required_items
from procurement.permissions import can_manage_packages, can_see_costs, can_see_evidence
from procurement.selectors import my_dwellings
from procurement.services.completion import FILLABLE_STATES, dom_id, evidence_required
from projects import selectors as project_selectors
from projects.errors import Conflict
from projects.models import Dwelling
from projects.permissions import (
    can_accept_connection,
    can_report_installed,
    can_see_access_contact,
    dwellings_visible_to,
)
from projects.services import TransitionRefused, dwellings_bulk_transition
from projects.states import DwellingState
from projects.views.dwellings import add_errors
from surveys.views import _sync_texts, service_worker_response

DATABASE = "lastmetre-completion"
# The cache of the checklist's service worker; a new name (after a change of the worker) drops old copies.
OFFLINE_CACHE = "lastmetre-completion-v1"
TO_PLAN_SHOWN = 50


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@login_required
def my_week(request):
    """The week's installations per day in route order, and the homes still to plan."""
    try:
        monday = _monday(datetime.date.fromisoformat(request.GET.get("week", "")))
    except ValueError:
        monday = _monday(timezone.localdate())
    sunday = monday + datetime.timedelta(days=6)
    base = my_dwellings(request.user).select_related("project", "technician")
    planned = list(
        base.filter(
            Q(state=DwellingState.INSTALLATION_PLANNED, installation_planned_on__range=(monday, sunday))
            | Q(state=DwellingState.INSTALLED, installed_on__range=(monday, sunday))
        ).order_by(
            "installation_planned_on",
            "city",
            "street",
            "house_number",
            "house_letter",
            "house_number_addition",
        )
    )
    days = []
    for offset in range(7):
        day = monday + datetime.timedelta(days=offset)
        homes = [d for d in planned if (d.installation_planned_on or d.installed_on) == day]
        if homes or offset < 5:
            days.append({"day": day, "homes": homes, "is_today": day == timezone.localdate()})
    to_plan = base.filter(state=DwellingState.ASSIGNED).order_by("city", "street", "house_number", "pk")
    to_plan_count = to_plan.count()
    return render(
        request,
        "procurement/my_week.html",
        {
            "monday": monday,
            "sunday": sunday,
            "previous": monday - datetime.timedelta(weeks=1),
            "next": monday + datetime.timedelta(weeks=1),
            "days": days,
            "to_plan": list(to_plan[:TO_PLAN_SHOWN]),
            "to_plan_count": to_plan_count,
            "can_plan": not request.user.in_field_only,
        },
    )


@login_required
@require_POST
def plan(request):
    """Plan the chosen homes on one day: the workflow's *plan installation*, each checked against its
    package's weeks and the installer's capacity; what cannot be planned is named with the reason."""
    if request.user.in_field_only:
        raise PermissionDenied(_("Someone who works in the field does not plan installations."))
    ids = [int(pk) for pk in request.POST.getlist("dwellings") if pk.isdigit()]
    back = reverse("installations:my-week")
    try:
        day = datetime.date.fromisoformat(request.POST.get("planned_on", ""))
    except ValueError:
        messages.error(request, _("Choose the day of the installation."))
        return redirect(back)
    back += f"?week={_monday(day).isoformat()}"
    mine = list(my_dwellings(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    if not ids:
        messages.error(request, _("Choose the homes to plan."))
        return redirect(back)
    if len(mine) != len(set(ids)):
        raise Http404  # another installer's home does not exist here
    result = dwellings_bulk_transition(
        actor=request.user, dwelling_ids=mine, transition="plan_installation", planned_on=day
    )
    if result.moved:
        messages.success(
            request,
            _("%(count)s installations planned on %(day)s.")
            % {"count": result.moved, "day": formats.date_format(day)},
        )
    for _pk, address, reason in result.skipped:
        messages.error(request, f"{address}: {reason}")
    return redirect(back)


def _dwelling(request, pk) -> Dwelling:
    dwelling = get_object_or_404(
        dwellings_visible_to(request.user)
        .select_related("project", "installer")
        .prefetch_related("contacts"),
        pk=pk,
    )
    if not can_see_evidence(request.user, dwelling):
        raise Http404
    return dwelling


def _sections(dwelling, completion) -> list[dict]:
    required = set(required_items(dwelling.project_id))
    answers = completion.answers if completion else {}
    photos = {}
    for photo in completion.photos.all() if completion else []:
        photos.setdefault(photo.item, []).append(photo)
    sections = []
    for section in checklist.SECTIONS:
        items = []
        for field in section.fields:
            key = f"{section.name}.{field.name}"
            value = answers.get(key)
            shown = photos.get(key, [])
            if field.kind in checklist.PHOTO_KINDS:
                missing = key in required and len(shown) < max(field.min_photos, 1)
            else:
                missing = key in required and (
                    value is None or (isinstance(value, str) and not value.strip())
                )
            items.append(
                {
                    "key": key,
                    "dom_id": dom_id(key),
                    "field": field,
                    "required": key in required,
                    "applies": True,
                    "value": value,
                    "photos": shown,
                    "missing": missing,
                }
            )
        open_count = sum(1 for item in items if item["missing"])
        sections.append(
            {"section": section, "fields": items, "missing": open_count, "complete": not open_count}
        )
    return sections


def _config(dwelling, completion, sections) -> dict:
    fields = {}
    for section in sections:
        for item in section["fields"]:
            field = item["field"]
            fields[item["key"]] = {
                "section": section["section"].name,
                "kind": field.kind,
                "required": item["required"],
                "minPhotos": max(field.min_photos, 1) if item["required"] and field.kind == "photos" else 0,
                "label": str(field.label),
                "domId": item["dom_id"],
                "onlyWhen": None,
            }
    return {
        "dwelling": dwelling.pk,
        "database": DATABASE,
        "report": True,
        "address": f"{dwelling.street} {dwelling.house_number_full}",
        "version": completion.version if completion else 0,
        "urls": {
            "answers": reverse("installations_api:answers", args=[dwelling.pk]),
            "photos": reverse("installations_api:photos", args=[dwelling.pk]),
            "visits": reverse("installations_api:report", args=[dwelling.pk]),
            "works": "",
            "myDay": reverse("installations:my-week"),
            "serviceWorker": reverse("installations:service-worker"),
        },
        "offlineCache": OFFLINE_CACHE,
        "serviceWorkerScope": "/installations/",
        "fields": fields,
        "sections": [section["section"].name for section in sections],
        "sectionTitles": {section["section"].name: str(section["section"].title) for section in sections},
        "serverPhotos": [
            str(photo.client_id)
            for section in sections
            for item in section["fields"]
            for photo in item["photos"]
        ],
        "works": [],
        "worksRules": {"always": [], "rules": [], "responsible": {}},
        "workChoices": [],
        "responsibleChoices": [],
        "visitCount": 0,
        "decimalSeparator": formats.get_format("DECIMAL_SEPARATOR"),
        "text": {
            **_sync_texts(),
            "open": _("%(count)s open"),
            "complete": _("complete"),
            "waitingPhoto": _("waits"),
            "chooseOutcome": "",
            "reasonRequired": "",
            "missingTitle": _("The checklist is not complete yet. Still missing:"),
            "finishFailed": _("The installation could not be reported."),
            "notANumber": _("This is not a number: type digits, with a point for decimals (10.5)."),
            "forbidden": _(
                "The server refused the checklist: log in again and reload the page. Nothing is lost."
            ),
        },
    }


@login_required
@never_cache
def completion(request, pk):
    """The commissioning checklist of a dwelling: a form for its installer, the evidence and the review
    for the heat company and the lead party."""
    dwelling = _dwelling(request, pk)
    completion = selectors.completion_of(dwelling)
    sections = _sections(dwelling, completion)
    may_fill = dwelling.state in FILLABLE_STATES and can_report_installed(request.user, dwelling)
    sees_amounts = (
        can_see_costs(request.user, dwelling.project) or request.user.organisation_id == dwelling.installer_id
    )
    access = (
        dwelling.access_contact(dwelling.contacts.all())
        if can_see_access_contact(request.user, dwelling)
        else None
    )
    context = {
        "dwelling": dwelling,
        "project": dwelling.project,
        "sections": sections,
        "completion": completion,
        "access_contact": access,
        "rejection": selectors.latest_rejection(dwelling),
        "evidence_required": evidence_required(dwelling.project_id),
        "may_fill": may_fill,
        "can_report": may_fill and dwelling.state == DwellingState.INSTALLATION_PLANNED,
        "may_review": dwelling.state == DwellingState.INSTALLED
        and can_accept_connection(request.user, dwelling),
        "today": timezone.localdate(),
        "hide_by": True,
        "photo_route": "installations:photo",
        "delivery_set": dwelling.delivery_sets.filter(active=True).first(),
        # Prices: the lead party and the heat company; the installer its own amounts.
        "dwelling_costs": costs.dwelling_costs(dwelling) if sees_amounts else None,
        "extra_work": list(dwelling.extra_work.all()) if sees_amounts else [],
        "may_approve_extra": can_manage_packages(request.user, dwelling.project),
    }
    if may_fill:
        context["config"] = _config(dwelling, completion, sections)
        return render(request, "procurement/completion_form.html", context)
    return render(request, "procurement/completion_evidence.html", context)


@login_required
@require_POST
def review(request, pk):
    """Confirm the connection, or reject the installation with a reason per item."""
    dwelling = _dwelling(request, pk)
    back = reverse("installations:completion", args=[dwelling.pk])
    try:
        if request.POST.get("decision") == "confirm":
            try:
                connected_on = datetime.date.fromisoformat(request.POST.get("connected_on", ""))
            except ValueError:
                connected_on = None
            services.installation_confirm(
                actor=request.user, dwelling_id=dwelling.pk, connected_on=connected_on
            )
            messages.success(request, _("Connected: the delivery set is in the register."))
        else:
            reasons = {
                name.removeprefix("reason:"): value
                for name, value in request.POST.items()
                if name.startswith("reason:")
            }
            services.installation_reject(actor=request.user, dwelling_id=dwelling.pk, reasons=reasons)
            messages.success(request, _("Installation rejected: it goes back to the installer."))
    except Conflict as exc:
        messages.error(request, str(exc))
    except (ValidationError, TransitionRefused, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect(back)


@login_required
def photo(request, pk):
    """One photo of a completion, for who may see the dwelling's evidence."""
    item = get_object_or_404(CompletionPhoto.objects.select_related("completion"), pk=pk)
    _dwelling(request, item.completion.dwelling_id)
    content_type = mimetypes.guess_type(item.image.name)[0] or "application/octet-stream"
    response = FileResponse(item.image.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _project(request, slug):
    project = project_selectors.project_get(user=request.user, slug=slug)
    if not can_see_costs(request.user, project):
        raise Http404
    return project


@login_required
def project_installations(request, slug):
    """The project's installations: what waits for review, the rework per installer, and the costs."""
    project = _project(request, slug)
    waiting = (
        dwellings_visible_to(request.user)
        .filter(project=project, state=DwellingState.INSTALLED)
        .select_related("installer")
        .order_by("installed_on", "street", "house_number", "pk")
    )
    figures = costs.project_costs(project)
    over = figures.over_dwellings[:50]
    addresses = Dwelling.objects.in_bulk([row.dwelling_id for row in over])
    return render(
        request,
        "procurement/project_installations.html",
        {
            "project": project,
            "over_dwellings": [
                (addresses[row.dwelling_id], row) for row in over if row.dwelling_id in addresses
            ],
            "waiting": list(waiting[:200]),
            "waiting_count": waiting.count(),
            "rework": selectors.rework_by_installer(project),
            "costs": figures,
            "manages": can_manage_packages(request.user, project),
        },
    )


@login_required
def register(request):
    """The delivery set register (``?project=<slug>``, ``?q=<serial or meter>``)."""
    sets = selectors.delivery_sets_visible_to(request.user).select_related("project", "dwelling", "installer")
    project = request.GET.get("project", "")
    if project:
        sets = sets.filter(project__slug=project)
    query = request.GET.get("q", "").strip()
    if query:
        sets = sets.filter(Q(serial_number__icontains=query) | Q(meter_number__icontains=query))
    page = Paginator(sets.order_by("-connected_on", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "procurement/register.html", {"page": page, "project": project, "query": query})


@login_required
@require_POST
def extra_work(request, pk):
    """The lead party approves extra work for the dwelling, with its reason."""
    dwelling = _dwelling(request, pk)
    try:
        services.extra_work_approve(
            actor=request.user,
            dwelling_id=dwelling.pk,
            description=request.POST.get("description", ""),
            amount=request.POST.get("amount", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Extra work approved: it counts in the actual cost."))
    return redirect("installations:completion", pk=dwelling.pk)


@login_required
def project_settings(request, slug):
    """The lead party sets the installation budget, its margin and the checklist's optional items."""
    from procurement.forms import ProjectSettingsForm
    from procurement.models import CommissioningChecklist, ProjectProcurement

    project = _project(request, slug)
    if not can_manage_packages(request.user, project):
        raise PermissionDenied(_("Only a coordinator of the lead party changes these settings."))
    choice = ProjectProcurement.objects.filter(project=project).first()
    own = CommissioningChecklist.objects.filter(project=project).first()
    initial = {
        "budget": choice.budget if choice else None,
        "overrun_margin": choice.overrun_margin if choice else 10,
        "optional_items": own.optional_items if own else [],
    }
    form = ProjectSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # both or neither
                services.project_budget_set(
                    actor=request.user,
                    project=project,
                    budget=data["budget"],
                    overrun_margin=data["overrun_margin"],
                )
                services.checklist_save(
                    actor=request.user, project=project, optional_items=data["optional_items"]
                )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("installations:project", slug=project.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "procurement/project_settings.html", {"project": project, "form": form}, status=status
    )


@require_GET
def service_worker(request):
    """The checklist's service worker: keeps the checklist and My week for a reload without connection."""
    return service_worker_response(
        request, cache_name=OFFLINE_CACHE, pages=r"^/installations/(\d+/)?$", scope="/installations/"
    )
