"""The surveyor's pages, made for a tablet: the day's visits and the survey form of one dwelling."""

import datetime
import json
import mimetypes
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from projects.models import Dwelling
from projects.permissions import can_see_access_contact, dwelling_relations, dwellings_visible_to
from projects.services import DwellingChanged, TransitionRefused
from projects.states import DwellingState
from surveys.forms import VisitFinishForm, add_errors
from surveys.models import Photo, Visit, VisitOutcome
from surveys.schema import RESPONSIBLE, WORKS, works_rules
from surveys.selectors import (
    survey_view,
    survey_with_photos,
    surveyor_day,
    visible_keys,
    visible_sections,
)
from surveys.services import EDITABLE_STATES, visit_record

# The cache of the service worker; a new name (after a change of the worker) drops the old copies.
OFFLINE_CACHE = "lastmetre-survey-v2"
OFFLINE_STATIC_FILES = (
    "js/survey-sync.js",
    "js/survey.js",
    "js/outbox.js",
    "js/logout.js",
    "css/survey.css",
    "css/app.css",
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "favicon.svg",
)


@login_required
def my_day(request):
    """Today's visits (or another day's, ``?date=2026-12-01``) in route order."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    visits = surveyor_day(surveyor=request.user, day=day)
    return render(
        request,
        "surveys/my_day.html",
        {
            "day": day,
            "visits": visits,
            "previous": day - datetime.timedelta(days=1),
            "next": day + datetime.timedelta(days=1),
            "is_today": day == timezone.localdate(),
            "outbox": _outbox_config(),
        },
    )


def _outbox_config() -> dict:
    """What outbox.js needs on My day: the API addresses (for dwelling 0) and its texts."""
    return {
        "urls": {
            name: reverse(f"survey_api:{name}", args=[0]) for name in ("answers", "works", "photos", "visits")
        },
        "surveyUrl": reverse("surveys:form", args=[0]),
        "serviceWorker": reverse("surveys:service-worker"),
        "offlineCache": OFFLINE_CACHE,
        "text": {
            **_sync_texts(),
            "visitWaiting": _("Finished on this tablet, waiting for connection (%(count)s)"),
            "visitSending": _("Finished on this tablet, sending (%(count)s)"),
            "visitRefused": _("The visit was not recorded: %(message)s Open the survey."),
            "totalWaiting": _("%(count)s changes on this tablet wait for a connection."),
            "totalSending": _("%(count)s changes on this tablet are being sent."),
            "home": _("Home %(id)s"),
        },
    }


def _sync_texts() -> dict:
    """What the survey form and My day say about sending the drafts on the device."""
    return {
        "saved": _("Saved on this device"),
        "waiting": _("Waiting for connection (%(count)s)"),
        "sending": _("Sending (%(count)s)"),
        "sent": _("Everything has been sent"),
        "refused": _("Not sent: %(message)s"),
        "forbidden": _("The server refused the survey: log in again and reload the page. Nothing is lost."),
        "refusedFirst": _(
            "Some answers were not accepted: correct them first (they are marked in the form), then finish "
            "the visit again."
        ),
        "photoRefused": _("This photo was not accepted."),
    }


def _dwelling(request, pk) -> Dwelling:
    """The dwelling if the user may see it at all; 404 otherwise (also for a colleague's home)."""
    return get_object_or_404(
        dwellings_visible_to(request.user)
        .select_related("project", "project__governance", "surveyor")
        .prefetch_related("contacts"),
        pk=pk,
    )


def _may_fill(user, dwelling) -> bool:
    return (
        bool(dwelling_relations(user, dwelling) & {"surveyor", "admin"}) and dwelling.state in EDITABLE_STATES
    )


def _access_contact(user, dwelling):
    if not can_see_access_contact(user, dwelling):
        return None
    return dwelling.access_contact(dwelling.contacts.all())


def _boundary(project) -> str:
    governance = getattr(project, "governance", None)  # a project without governance has no choice yet
    return governance.responsibility_boundary if governance else ""


def _form_config(request, dwelling, view) -> dict:
    """Everything survey.js needs, as one JSON blob in the page."""
    survey = view["survey"]
    fields = {}
    for section in view["sections"]:
        for item in section["fields"]:
            schema_field = item["field"]
            fields[item["key"]] = {
                "section": section["section"].name,
                "kind": schema_field.kind,
                "required": item["required"],
                "minPhotos": schema_field.min_photos,
                "label": str(schema_field.label),
                "domId": item["dom_id"],
                "onlyWhen": (
                    [
                        f"{section['section'].name}.{schema_field.only_when[0]}",
                        list(schema_field.only_when[1]),
                    ]
                    if schema_field.only_when
                    else None
                ),
            }
    return {
        "dwelling": dwelling.pk,
        "address": f"{dwelling.street} {dwelling.house_number_full}",
        "version": view["version"],
        "urls": {
            "survey": reverse("survey_api:survey", args=[dwelling.pk]),
            "answers": reverse("survey_api:answers", args=[dwelling.pk]),
            "works": reverse("survey_api:works", args=[dwelling.pk]),
            "photos": reverse("survey_api:photos", args=[dwelling.pk]),
            "visits": reverse("survey_api:visits", args=[dwelling.pk]),
            "myDay": reverse("surveys:my-day"),
            "serviceWorker": reverse("surveys:service-worker"),
        },
        "offlineCache": OFFLINE_CACHE,
        "fields": fields,
        "sections": [section["section"].name for section in view["sections"]],
        "sectionTitles": {
            section["section"].name: str(section["section"].title) for section in view["sections"]
        },
        "serverPhotos": [
            str(photo.client_id)
            for section in view["sections"]
            for f in section["fields"]
            for photo in f["photos"]
        ],
        "works": survey.works if survey else [],
        "worksRules": works_rules(boundary=_boundary(dwelling.project), ownership=dwelling.ownership),
        "workChoices": [[code, str(label)] for code, label in WORKS],
        "responsibleChoices": [[code, str(label)] for code, label in RESPONSIBLE],
        "visitCount": dwelling.visit_count,
        # A comma typed into a number in Dutch is its decimal point (survey.js).
        "decimalSeparator": formats.get_format("DECIMAL_SEPARATOR"),
        "text": {
            **_sync_texts(),
            "open": _("%(count)s open"),
            "complete": _("complete"),
            "waitingPhoto": _("waits"),
            "chooseOutcome": _("Choose the outcome of the visit."),
            "reasonRequired": _("This home was visited before: record why another visit was needed."),
            "missingTitle": _("The survey is not complete yet. Still missing:"),
            "finishFailed": _("The visit could not be recorded."),
            "removeWork": _("Remove"),
            "work": _("Work"),
            "responsible": _("Responsible"),
            "confirmWorks": _("This list is a proposal from the dwelling scan: check it and confirm."),
            "notANumber": _("This is not a number: type digits, with a point for decimals (10.5)."),
        },
    }


def _form_page(request, dwelling, *, finish_form=None, finish_missing=None, status=200):
    survey = survey_with_photos(dwelling)
    view = survey_view(user=request.user, dwelling=dwelling, survey=survey)
    context = {
        "dwelling": dwelling,
        "project": dwelling.project,
        "view": view,
        "access_contact": _access_contact(request.user, dwelling),
    }
    if not _may_fill(request.user, dwelling):
        return render(request, "surveys/survey_readonly.html", context, status=status)
    can_finish = dwelling.state == DwellingState.SURVEY_PLANNED
    finish_form = finish_form or VisitFinishForm(dwelling=dwelling, initial={"client_id": uuid.uuid4()})
    context.update(
        {
            "config": _form_config(request, dwelling, view),
            "finish_form": finish_form if can_finish else None,
            "finish_missing": finish_missing,
            "outcomes": VisitOutcome.choices,
            "work_choices": WORKS,
            "responsible_choices": RESPONSIBLE,
            "works_are_proposal": not view["works"],
        }
    )
    return render(request, "surveys/survey_form.html", context, status=status)


@login_required
@never_cache
def survey_form(request, pk):
    """The survey of one dwelling: the form for its surveyor, a read-only record for the others."""
    return _form_page(request, _dwelling(request, pk))


def missing_fields(view) -> list[dict]:
    """What the page lists as missing: section, field label and the id of the field on the form."""
    return [
        {
            "section": str(section["section"].title),
            "label": str(item["field"].label),
            "dom_id": item["dom_id"],
        }
        for section in view["sections"]
        for item in section["fields"]
        if item["missing"]
    ]


@login_required
@require_POST
def survey_finish(request, pk):
    """End the visit without JavaScript (survey.js posts to the API instead): same rules."""
    dwelling = _dwelling(request, pk)
    if not _may_fill(request.user, dwelling):
        raise PermissionDenied(_("Only the surveyor of this dwelling records its visit."))
    form = VisitFinishForm(request.POST, dwelling=dwelling)
    if form.is_valid():
        params = form.params()
        if Visit.objects.filter(client_id=params["client_id"], dwelling=dwelling).exists():
            return redirect("surveys:my-day")  # a second tap on the same form: recorded already
        if params["outcome"] == VisitOutcome.COMPLETED:
            view = survey_view(user=request.user, dwelling=dwelling, survey=survey_with_photos(dwelling))
            missing = missing_fields(view)
            if missing:
                form.add_error(None, _("The survey is not complete yet."))
                return _form_page(request, dwelling, finish_form=form, finish_missing=missing, status=400)
        try:
            visit_record(actor=request.user, dwelling_id=dwelling.pk, **params)
        except ValidationError as exc:
            add_errors(form, exc)
        except (DwellingChanged, TransitionRefused) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, finish_message(dwelling, params["outcome"]))
            return redirect("surveys:my-day")
    return _form_page(request, dwelling, finish_form=form, status=400)


def finish_message(dwelling, outcome) -> str:
    return _("The visit to %(address)s is recorded: %(outcome)s.") % {
        "address": f"{dwelling.street} {dwelling.house_number_full}",
        "outcome": VisitOutcome(outcome).label,
    }


@login_required
@require_GET
def photo_image(request, pk):
    """One survey photo, for whoever may read the section it belongs to; 404 for anyone else."""
    photo = get_object_or_404(
        Photo.objects.select_related("survey__dwelling__project").filter(
            survey__dwelling__in=dwellings_visible_to(request.user)
        ),
        pk=pk,
    )
    dwelling = photo.survey.dwelling
    if photo.field not in visible_keys(visible_sections(request.user, dwelling)):
        raise Http404
    content_type = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    response = FileResponse(photo.image.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_GET
def service_worker(request):
    """The small service worker that keeps the survey pages and their static files for a reload
    without connection. Served under /surveys/ so that its scope covers the survey pages."""
    return service_worker_response(
        request, cache_name=OFFLINE_CACHE, pages=r"^/surveys/(dwellings/\d+/|my-day/)$", scope="/surveys/"
    )


def service_worker_response(request, *, cache_name: str, pages: str, scope: str):
    """A service worker that keeps the pages matching ``pages`` (a regular expression over the path)
    within ``scope``, and the tablet forms' static files."""
    response = render(
        request,
        "surveys/sw.js",
        {
            "cache_name": json.dumps(cache_name),
            "pages_json": json.dumps(pages),
            "static_files_json": json.dumps([static(name) for name in OFFLINE_STATIC_FILES]),
        },
        content_type="application/javascript",
    )
    response["Service-Worker-Allowed"] = scope
    response["Cache-Control"] = "no-cache"
    return response
