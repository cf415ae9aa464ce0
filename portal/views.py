"""The resident's pages, reached with the personal link ``/r/<code>/`` only (no account).

Every page reads the person and their home from the code (``portal.access``), in a fixed small number
of queries; every action is a POST that answers with a redirect (so a reload sends nothing twice) and
a message in the person's language.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from communication import content
from portal import texts
from portal.access import resident_page
from portal.grants import change_deadline, is_signatory, may_change_installation, may_change_visit
from portal.models import AftercareProblem, Question, QuestionKind
from portal.services import consent, installation, visits
from portal.services import preferences as preference_services
from portal.services import questions as question_services
from projects import timeline
from projects.errors import Conflict
from projects.models import Channel, ExtraHelp
from projects.states import DwellingState as S
from surveys.models import ConnectionPlan, PlanVariant, Survey
from surveys.planning.services.checks import SURVEY_VISIT_MINUTES
from surveys.schema import RESPONSIBLE, WORKS

PLAN_STATES = {S.PLAN_READY, S.AGREED, S.ASSIGNED, S.INSTALLATION_PLANNED, S.INSTALLED, S.CONNECTED}


def _url(name: str, code: str) -> str:
    return reverse(f"portal:{name}", args=[code])


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(str(m) for messages_ in error.message_dict.values() for m in messages_)
    return " ".join(str(m) for m in error.messages)


def _errors_of(error: ValidationError) -> dict:
    """Per field, with the errors of the whole form under ``form`` (templates cannot read ``__all__``)."""
    if not hasattr(error, "message_dict"):
        return {"form": error.messages}
    return {
        ("form" if field == NON_FIELD_ERRORS else field): texts for field, texts in error.message_dict.items()
    }


def _steps(dwelling, reached: dict) -> list[dict]:
    """The resident's steps: done (with the day), the current one, and those to come (with the date
    when it is known)."""
    order = [state for state, _label in texts.STEPS]
    current = dwelling.state
    index = order.index(current) if current in order else -1
    rows = []
    for position, (state, label) in enumerate(texts.STEPS):
        when = reached.get(state)
        if state == S.SURVEY_PLANNED and dwelling.survey_appointment_at and current == S.SURVEY_PLANNED:
            when = dwelling.survey_appointment_at
        if state == S.INSTALLATION_PLANNED and dwelling.installation_planned_on:
            when = dwelling.installation_planned_on
        rows.append(
            {
                "label": label,
                "state": state,
                "done": position < index or (position == index and state == S.CONNECTED),
                "current": position == index and state != S.CONNECTED,
                "when": when,
            }
        )
    return rows


def _context(request, **extra) -> dict:
    link = request.link
    dwelling = link.dwelling
    project = dwelling.project
    settings_ = content.settings_for(project)
    return {
        "code": request.resolver_match.kwargs["code"],
        "contact": link.contact,
        "dwelling": dwelling,
        "project": project,
        "contact_point": {
            "name": settings_.contact_name or content.sender_name(project),
            "phone": settings_.contact_phone,
            "email": settings_.contact_email,
        },
        **extra,
    }


@require_GET
@resident_page
def home(request, code):
    dwelling = request.link.dwelling
    contact = request.link.contact
    reached = {}
    for target, at in dwelling.transitions.order_by("at", "pk").values_list("target", "at"):
        reached.setdefault(target, at)
    title, explanation = texts.STATE_TEXTS.get(dwelling.state, ("", ""))
    entries = timeline.timeline(dwelling, request.resident, public_only=True)[:30]
    asked = list(
        Question.objects.filter(contact=contact)
        .prefetch_related("replies")
        .order_by("-created_at", "-pk")[:10]
    )
    return render(
        request,
        "portal/home.html",
        _context(
            request,
            title=title,
            explanation=explanation,
            steps=_steps(dwelling, reached),
            entries=entries,
            questions=asked,
            may_change=may_change_visit(dwelling),
            plan_ready=dwelling.state in PLAN_STATES,
            may_accept=dwelling.state == S.PLAN_READY and is_signatory(contact, dwelling),
            may_support=consent.may_support(contact, dwelling),
            connected=dwelling.state == S.CONNECTED,
            choose_visit=dwelling.state == S.INFORMED,
            choose_installation=installation.has_days(dwelling),
            change_installation=(
                dwelling.state == S.INSTALLATION_PLANNED and may_change_installation(dwelling)
            ),
        ),
    )


@resident_page
def visit(request, code):
    dwelling = request.link.dwelling
    if request.method == "POST":
        try:
            visits.visit_book(
                resident=request.resident, slot_id=request.POST.get("slot"), seen=request.POST.get("seen", "")
            )
        except (ValidationError, Conflict) as error:
            messages.error(request, _error_text(error) if isinstance(error, ValidationError) else str(error))
            return redirect(_url("visit", code))
        messages.success(request, _("Your appointment is booked. You will get a confirmation."))
        return redirect(_url("home", code))
    if dwelling.state not in (S.INFORMED, S.SURVEY_PLANNED):
        raise Http404
    slots = list(visits.offered_slots(dwelling))
    days: dict = {}
    for slot in slots:
        days.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
    return render(
        request,
        "portal/visit.html",
        _context(
            request,
            days=sorted(days.items()),
            seen=visits.seen_value(dwelling),
            may_change=may_change_visit(dwelling),
            deadline=change_deadline(dwelling),
            planned=dwelling.state == S.SURVEY_PLANNED,
        ),
    )


@require_POST
@resident_page
def visit_cancel(request, code):
    try:
        visits.visit_cancel(resident=request.resident, seen=request.POST.get("seen", ""))
    except (ValidationError, Conflict) as error:
        messages.error(request, _error_text(error) if isinstance(error, ValidationError) else str(error))
        return redirect(_url("visit", code))
    messages.success(request, _("Your appointment is called off. Choose a new time when it suits you."))
    return redirect(_url("visit", code))


@require_GET
@resident_page
def visit_calendar(request, code):
    dwelling = request.link.dwelling
    if dwelling.state != S.SURVEY_PLANNED or dwelling.survey_appointment_at is None:
        raise Http404
    body = visits.calendar_file(
        dwelling,
        title=_("Home visit for the heat network"),
        place=f"{dwelling.street} {dwelling.house_number_full}, {dwelling.postcode} {dwelling.city}",
        minutes=SURVEY_VISIT_MINUTES,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="afspraak.ics"'
    return response


def _latest_plan(dwelling):
    return (
        ConnectionPlan.objects.filter(dwelling=dwelling, variant=PlanVariant.FULL)
        .order_by("-version", "-pk")
        .first()
    )


@require_GET
@resident_page
def plan(request, code):
    dwelling = request.link.dwelling
    if dwelling.state not in PLAN_STATES:
        raise Http404
    survey = Survey.objects.filter(dwelling=dwelling).first()
    works, responsible = dict(WORKS), dict(RESPONSIBLE)
    rows = [
        {
            "work": works.get(row.get("work"), row.get("work", "")),
            "by": responsible.get(row.get("responsible"), row.get("responsible", "")),
        }
        for row in (survey.works if survey else [])
        if isinstance(row, dict)
    ]
    return render(
        request,
        "portal/plan.html",
        _context(request, works=rows, plan_file=_latest_plan(dwelling), installer=dwelling.installer),
    )


@require_GET
@resident_page
def plan_file(request, code):
    dwelling = request.link.dwelling
    found = _latest_plan(dwelling) if dwelling.state in PLAN_STATES else None
    if found is None:
        raise Http404
    return FileResponse(found.file.open("rb"), content_type="application/pdf", filename="aansluitplan.pdf")


@resident_page
def questions(request, code):
    return _ask(request, code, QuestionKind.QUESTION, "portal/questions.html")


@resident_page
def aftercare(request, code):
    if request.link.dwelling.state != S.CONNECTED:
        raise Http404
    return _ask(request, code, QuestionKind.AFTERCARE, "portal/aftercare.html")


def _ask(request, code, kind, template):
    contact = request.link.contact
    errors, values = {}, {}
    if request.method == "POST":
        values = {"text": request.POST.get("text", ""), "problem": request.POST.get("problem", "")}
        try:
            _question, made = question_services.question_ask(
                resident=request.resident,
                text=values["text"],
                client_id=request.POST.get("client_id"),
                photo=request.FILES.get("photo"),
                kind=kind,
                problem=values["problem"],
            )
        except ValidationError as error:
            errors = _errors_of(error)
        else:
            if made:
                messages.success(
                    request,
                    _("Thank you. We received your question and answer within two working days.")
                    if kind == QuestionKind.QUESTION
                    else _("Thank you. The heat company received your report and will contact you."),
                )
            return redirect(_url("questions" if kind == QuestionKind.QUESTION else "aftercare", code))
    asked = (
        Question.objects.filter(contact=contact, kind=kind)
        .prefetch_related("replies")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        template,
        _context(
            request,
            asked=list(asked[:20]),
            errors=errors,
            values=values,
            client_id=request.POST.get("client_id") if errors else uuid.uuid4(),
            problems=AftercareProblem.choices,
        ),
        status=400 if errors else 200,
    )


@resident_page
def preferences(request, code):
    contact = request.link.contact
    errors = {}
    if request.method == "POST":
        try:
            preference_services.preferences_save(
                resident=request.resident,
                channel=request.POST.get("channel", ""),
                language=request.POST.get("language", ""),
                email_opt_out=request.POST.get("email_opt_out") == "on",
                sms_opt_out=request.POST.get("sms_opt_out") == "on",
                extra_help=request.POST.getlist("extra_help"),
            )
        except ValidationError as error:
            errors = _errors_of(error)
        else:
            messages.success(request, _("Your choices are saved."))
            response = redirect(_url("preferences", code))
            return response
    return render(
        request,
        "portal/preferences.html",
        _context(
            request,
            errors=errors,
            channels=Channel.choices,
            helps=ExtraHelp.choices,
            chosen_help=set(request.POST.getlist("extra_help") if errors else contact.extra_help or []),
            chosen_channel=request.POST.get("channel") if errors else contact.preferred_channel,
            chosen_language=request.POST.get("language") if errors else contact.language,
        ),
        status=400 if errors else 200,
    )


@require_POST
def renew(request, code):
    """An expired link: send a new one to the person's known channel. The answer is the same whether the
    code was known or not, so it tells a guesser nothing."""
    from portal.access import _limited, _private
    from portal.links import expired_link
    from portal.services.renewal import link_renew

    if _limited(request, increment=False):
        return _private(render(request, "portal/too_many.html", status=429))
    link = expired_link(code)
    if link is None:
        _limited(request, increment=True)
    else:
        link_renew(link)
    return _private(render(request, "portal/renewed.html"))


def statement(request):
    """The accessibility statement (toegankelijkheidsverklaring)."""
    return render(request, "portal/accessibility.html")


def open_code(request):
    """The page for typing the code from a letter: ``/r/?code=...`` goes to the link's page."""
    from portal import tokens

    typed = request.GET.get("code", "")
    normal = tokens.normalise(typed) if typed else None
    if normal:
        return redirect(reverse("portal:home", args=[tokens.written(normal)]))
    return render(
        request, "portal/open.html", {"typed": typed, "wrong": bool(typed)}, status=400 if typed else 200
    )
