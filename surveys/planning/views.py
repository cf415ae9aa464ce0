"""The survey party's planning pages: plan by cluster or street (preview, confirm, job), and slots.

Scope: a project the user's organisation does not take part in answers 404, and so does a project in
which it is not the survey party (the lead and communicating party see the published slots only).
A field worker of the survey party is inside its organisation's scope but does not plan: 403.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.jobs import JobKind
from projects.models import Dwelling, Job
from projects.permissions import projects_visible_to
from projects.services import DwellingChanged, TransitionRefused
from projects.views import jobs as job_views
from surveys.models import SurveySlot
from surveys.sampling.permissions import can_view_sample

from . import selectors, services
from .forms import AreaPlanForm, SlotBookForm, SlotCreateForm
from .permissions import can_plan_in_project, can_see_slots, is_survey_party, planning_surveyors

# A preview can be confirmed for this long; after that the page makes a fresh one.
PREVIEW_MAX_AGE = 60 * 60
RECENT_JOBS = 5
SLOT_PAGE_SIZE = 100


def _project(request, slug):
    return get_object_or_404(projects_visible_to(request.user).select_related("governance"), slug=slug)


def _refuse(request, project):
    if is_survey_party(request.user, project):
        raise PermissionDenied(
            _("Surveyors in the field do not plan visits; the planners of your organisation do.")
        )
    raise Http404


def _planning_project(request, slug):
    project = _project(request, slug)
    if not can_plan_in_project(request.user, project):
        _refuse(request, project)
    return project


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _salt(request, project) -> str:
    return f"surveys.planning.preview:{project.pk}:{request.user.pk}"


def _echo(request) -> list[tuple[str, str]]:
    """The form's own fields as posted, to carry them through the preview."""
    skip = {"csrfmiddlewaretoken", "action", "payload"}
    return [
        (name, value) for name in request.POST if name not in skip for value in request.POST.getlist(name)
    ]


@login_required
def area_plan(request, slug):
    """Waiting dwellings by cluster and street, and the form to plan them; then the preview."""
    project = _planning_project(request, slug)
    groups = selectors.waiting_groups(user=request.user, project=project)
    surveyors = planning_surveyors(request.user, project)
    action = request.POST.get("action", "preview") if request.method == "POST" else ""
    form = AreaPlanForm(
        request.POST if action in ("preview", "confirm", "edit") else None, groups=groups, surveyors=surveyors
    )
    if action == "confirm":
        try:
            payload = signing.loads(
                request.POST.get("payload", ""), salt=_salt(request, project), max_age=PREVIEW_MAX_AGE
            )
        except signing.BadSignature:
            messages.warning(
                request,
                _("That preview was too old to confirm. Here is a fresh one: check it and confirm again."),
            )
        else:
            job, created = services.plan_area_job_create(
                actor=request.user,
                project=project,
                token=payload["token"],
                assignments=payload["assignments"],
                visit_minutes=payload["visit_minutes"],
            )
            if not created:
                messages.info(request, _("This planning was already confirmed; here is its result."))
            return redirect("planning:job", slug=slug, job_id=job.pk)
    if action in ("preview", "confirm") and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_area_preview(
                actor=request.user,
                project=project,
                surveyors=data["surveyors"],
                first_day=data["first_day"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                visit_minutes=data["visit_minutes"],
                weekdays=data["weekdays"],
                clusters=data["clusters"],
                streets=data["streets"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            payload = signing.dumps(
                {
                    "token": services.plan_area_token(),
                    "assignments": [a.as_row() for a in plan.planned],
                    "visit_minutes": data["visit_minutes"],
                },
                salt=_salt(request, project),
                compress=True,
            )
            return render(
                request,
                "surveys/planning/preview.html",
                {"project": project, "plan": plan, "payload": payload, "echo": _echo(request), "form": form},
            )
    return render(
        request,
        "surveys/planning/area.html",
        {
            "project": project,
            "groups": groups,
            "form": form,
            "cluster_rows": list(zip(form["clusters"], groups.clusters, strict=True)),
            "street_rows": list(zip(form["streets"], groups.streets, strict=True)),
            "jobs": selectors.area_planning_jobs(user=request.user, project=project)[:RECENT_JOBS],
            "capacity": settings.SURVEY_VISITS_PER_DAY,
            "can_view_sample": groups.selection and can_view_sample(request.user, project),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _planning_jobs(user, project):
    """The planning runs of the user's own organisation, for its planners (403 for its field workers)."""
    if not can_plan_in_project(user, project):
        if is_survey_party(user, project):
            raise PermissionDenied(
                _("Surveyors in the field do not plan visits; the planners of your organisation do.")
            )
        return Job.objects.none()
    return selectors.area_planning_jobs(user=user, project=project)


def _planning_context(job: Job) -> dict:
    result = job.result or {}
    planned = [
        (pk, address, surveyor, datetime.datetime.fromisoformat(when))
        for pk, address, surveyor, when in result.get("planned", [])
    ]
    return {"result": result, "planned": planned}


PLANNING_JOBS = JobKind(
    jobs=_planning_jobs,
    template="surveys/planning/job.html",
    url_name="planning:job",
    task="surveys.planning.tasks.plan_area_task",
    context=_planning_context,
    summary=lambda job: {
        "planned": job.result.get("moved", 0),
        "skipped": len(job.result.get("skipped", [])),
    },
)


def plan_job(request, slug, job_id):
    return job_views.job_page(request, slug, job_id, kind=Job.Kind.AREA_PLANNING)


def plan_job_status(request, slug, job_id):
    return job_views.job_status(request, slug, job_id, kind=Job.Kind.AREA_PLANNING)


def _slot_ids(request) -> list[int]:
    return [int(value) for value in request.POST.getlist("slot") if value.isdigit()]


@login_required
def slots(request, slug):
    """The survey party makes, publishes, deletes and books slots; the lead and communicating party
    see the published ones."""
    project = _project(request, slug)
    manage = can_plan_in_project(request.user, project)
    if not manage and not can_see_slots(request.user, project):
        _refuse(request, project)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action and not manage:
        raise PermissionDenied(_("Only the planners of the survey party change slots."))
    surveyors = planning_surveyors(request.user, project)
    create_form = SlotCreateForm(
        request.POST if action == "create" else None, surveyors=surveyors, prefix="new"
    )
    open_slots = selectors.slot_list(user=request.user, project=project, managed=True).filter(
        dwelling__isnull=True
    )
    book_form = SlotBookForm(
        request.POST if action == "book" else None,
        slots=open_slots,
        dwellings=selectors.waiting_dwellings(user=request.user, project=project).order_by(
            *selectors.ROUTE_ORDER
        ),
        prefix="book",
    )
    if action == "create" and create_form.is_valid():
        data = create_form.cleaned_data
        try:
            made = services.slots_create(
                actor=request.user,
                project=project,
                surveyors=data["surveyors"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                visit_minutes=data["visit_minutes"],
                weekdays=data["weekdays"],
                published=data["published"],
            )
        except ValidationError as exc:
            _add_errors(create_form, exc)
        else:
            messages.success(
                request,
                ngettext("%(count)d slot made.", "%(count)d slots made.", len(made)) % {"count": len(made)},
            )
            return redirect("planning:slots", slug=slug)
    elif action in ("publish", "unpublish"):
        changed = services.slots_publish(
            actor=request.user, project=project, slot_ids=_slot_ids(request), published=action == "publish"
        )
        text = (
            ngettext("%(count)d slot published.", "%(count)d slots published.", changed)
            if action == "publish"
            else ngettext(
                "%(count)d slot no longer published.", "%(count)d slots no longer published.", changed
            )
        )
        messages.success(request, text % {"count": changed})
        return redirect("planning:slots", slug=slug)
    elif action == "delete":
        deleted, kept = services.slots_delete(
            actor=request.user, project=project, slot_ids=_slot_ids(request)
        )
        messages.success(
            request,
            ngettext("%(count)d slot deleted.", "%(count)d slots deleted.", deleted) % {"count": deleted},
        )
        if kept:
            messages.warning(
                request,
                ngettext(
                    "%(count)d booked slot was kept: it has a planned visit.",
                    "%(count)d booked slots were kept: they have a planned visit.",
                    kept,
                )
                % {"count": kept},
            )
        return redirect("planning:slots", slug=slug)
    elif action == "book" and book_form.is_valid():
        slot = book_form.cleaned_data["slot"]
        dwelling = book_form.cleaned_data["dwelling"]
        try:
            services.slot_book(actor=request.user, slot_id=slot.pk, dwelling_id=dwelling.pk)
        except (SurveySlot.DoesNotExist, Dwelling.DoesNotExist):
            raise Http404 from None
        except ValidationError as exc:
            _add_errors(book_form, exc)
        except (services.SlotTaken, DwellingChanged, TransitionRefused, PermissionDenied) as exc:
            book_form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Booked: %(dwelling)s, %(when)s with %(surveyor)s.")
                % {
                    "dwelling": dwelling,
                    "when": services.when_text(slot.starts_at),
                    "surveyor": slot.surveyor,
                },
            )
            return redirect("planning:slots", slug=slug)
    listed = selectors.slot_list(user=request.user, project=project, managed=manage)
    page = Paginator(listed, SLOT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/planning/slots.html",
        {
            "project": project,
            "manage": manage,
            "create_form": create_form,
            "book_form": book_form,
            "page": page,
        },
        status=400 if action in ("create", "book") else 200,
    )
