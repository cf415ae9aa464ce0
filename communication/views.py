"""Resident communication in pages: templates, campaigns, requests, settings and a person's history.

Thin edges over ``communication.services``. Outside the user's scope a project, campaign, request,
letter batch or person does not exist (404); a known thing the user may not act on answers 403.
"""

import json

from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from communication import content, delivery, selectors, sms
from communication.forms import (
    ApproveRequestForm,
    CampaignForm,
    RefuseRequestForm,
    RequestForm,
    SendForm,
    SettingsForm,
    TemplateForm,
)
from communication.models import (
    CampaignStatus,
    Language,
    MessageStatus,
    Recipients,
    RequestStatus,
    Template,
    TemplateKey,
    automatic_keys,
)
from communication.permissions import (
    asking_projects,
    can_speak,
    is_dispersed,
    messages_visible_to,
    recipients_dwellings,
    requests_visible_to,
    speaking_projects,
)
from communication.services import automatic, campaigns, templates
from communication.services import requests as request_services
from communication.starter import DEFAULT_RULES
from communication.statuses import RETRYABLE
from projects import selectors as project_selectors
from projects.errors import Conflict
from projects.models import Channel, Contact, Dwelling, Project
from projects.permissions import dwellings_visible_to
from projects.views.dwellings import add_errors


def _speaking_project(request, slug) -> Project:
    project = project_selectors.project_get(user=request.user, slug=slug)
    if not can_speak(request.user, project):
        raise Http404
    return project


@login_required
def index(request):
    speaking = speaking_projects(request.user)
    asking = asking_projects(request.user)
    return render(
        request,
        "communication/index.html",
        {
            "speaking": Project.objects.filter(pk__in=speaking).order_by("name"),
            "asking": Project.objects.filter(pk__in=asking - speaking).order_by("name"),
            "campaigns": selectors.campaigns_visible_to(request.user).select_related("project")[:50],
            "requests": requests_visible_to(request.user)
            .select_related("project", "requested_by", "communicating_party")
            .order_by("status", "-created_at")[:100],
        },
    )


# Templates


@login_required
def template_list(request, slug):
    project = _speaking_project(request, slug)
    return render(
        request,
        "communication/templates.html",
        {
            "project": project,
            "rows": selectors.template_rows(project),
            "own": Template.objects.filter(project=project, key=TemplateKey.CUSTOM),
            "variables": selectors.variable_rows(),
        },
    )


@login_required
def template_edit(request, slug, key, language):
    project = _speaking_project(request, slug)
    if key not in TemplateKey.values or language not in Language.values:
        raise Http404
    template_id = request.GET.get("template") or request.POST.get("template")
    if template_id:
        own = get_object_or_404(Template, project=project, pk=template_id)
        texts = content.from_template(own)
    elif key == TemplateKey.CUSTOM:
        own, texts = None, content.starter_texts(key, language)
    else:
        texts = content.project_texts(project, key)[language]
        own = texts.template
    initial = {
        "name": texts.name,
        "email_subject": texts.email_subject,
        "email_body": texts.email_body,
        "sms_body": texts.sms_body,
        "letter_body": texts.letter_body,
        "version": own.updated_at.isoformat() if own else "",
    }
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = templates.template_save(
                actor=request.user,
                project=project,
                key=key,
                language=language,
                values=data,
                template_id=own.pk if own else None,
                version=data["version"] or None,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The template is saved. Someone approves it before it is used."))
            url = request.path + (f"?template={saved.pk}" if key == TemplateKey.CUSTOM else "")
            return redirect(url)
    preview_home = selectors.preview_dwelling(request.user, project, request.GET.get("dwelling"))
    previews = selectors.previews(project, texts, preview_home) if preview_home else []
    return render(
        request,
        "communication/template_form.html",
        {
            "project": project,
            "form": form,
            "texts": texts,
            "own": own,
            "key": key,
            "key_label": TemplateKey(key).label,
            "language": language,
            "preview_home": preview_home,
            "previews": previews,
            "homes": recipients_dwellings(request.user, project).order_by("street", "house_number")[:200],
            "variables": selectors.variable_rows(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def template_approve(request, pk):
    template = get_object_or_404(
        Template.objects.filter(project_id__in=speaking_projects(request.user)), pk=pk
    )
    try:
        templates.template_approve(actor=request.user, template=template)
    except Conflict as exc:
        messages.info(request, str(exc))
    else:
        messages.success(request, _("The template is approved."))
    url = request.POST.get("next") or ""
    if not url.startswith("/") or url.startswith("//"):
        url = "/"
    return redirect(url)


# Campaigns


@login_required
def campaign_create(request, slug):
    project = _speaking_project(request, slug)
    homes = recipients_dwellings(request.user, project)
    initial = {"template_key": request.GET.get("template_key", TemplateKey.INFORMATION_LETTER)}
    form = CampaignForm(request.POST or None, project=project, homes=homes, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaigns.campaign_create(
                actor=request.user,
                project=project,
                name=data["name"],
                template_key=data["template_key"],
                template=data["template"],
                filters=form.filters(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("communication:campaign", pk=campaign.pk)
    return render(
        request,
        "communication/campaign_form.html",
        {"project": project, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _campaign(request, pk):
    return get_object_or_404(
        selectors.campaigns_visible_to(request.user).select_related("project", "template"), pk=pk
    )


@login_required
def campaign_detail(request, pk):
    campaign = _campaign(request, pk)
    context = {"campaign": campaign, "project": campaign.project, "figures": campaigns.figures(campaign)}
    context["can_send"] = can_speak(request.user, campaign.project)
    if campaign.status == CampaignStatus.DRAFT:
        planned = campaigns.plan(
            campaign.created_by, campaign.project, campaign.filters, campaign.template_key
        )
        context.update(
            plan=planned,
            skipped=sorted(planned.skipped.items()),
            previews=selectors.campaign_previews(campaign, planned),
            gaps=selectors.campaign_gaps(campaign, planned),
            send_form=SendForm(),
        )
    else:
        status_filter = request.GET.get("status", "")
        rows = campaign.messages.select_related("dwelling").order_by("pk")
        if status_filter:
            rows = rows.filter(status=status_filter)
        figures = context["figures"]
        statuses = [
            (value, label) for value, label in MessageStatus.choices if value != MessageStatus.SENDING
        ]
        figure_rows = []
        for channel, label in Channel.choices:
            counts = figures["table"].get(channel, {})
            if counts:
                figure_rows.append(
                    {
                        "channel": channel,
                        "label": label,
                        "counts": [counts.get(status, 0) for status, _label in statuses],
                        "total": sum(counts.values()),
                    }
                )
        context.update(
            message_rows=rows[:200],
            status_filter=status_filter,
            batches=campaign.letter_batches.all(),
            statuses=statuses,
            figure_rows=figure_rows,
            retryable=sum(figures["per_status"].get(status, 0) for status in RETRYABLE),
        )
    return render(request, "communication/campaign.html", context)


@login_required
def campaign_status(request, pk):
    """The progress of a campaign, in the JSON that ``progress.js`` reads for every long piece of work."""
    campaign = _campaign(request, pk)
    figures = campaigns.figures(campaign)
    return JsonResponse(
        {
            "status": campaign.status,
            "status_label": campaign.get_status_display(),
            "processed": figures["done"],
            "total": figures["total"],
            "percent": figures["percent"],
            "finished": campaign.status in (CampaignStatus.DONE, CampaignStatus.CANCELLED),
            "taken_over": 0,
        }
    )


@login_required
@require_POST
def campaign_send(request, pk):
    campaign = _campaign(request, pk)
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a date and time, or leave it empty to send now."))
        return redirect("communication:campaign", pk=pk)
    try:
        campaigns.campaign_send(actor=request.user, campaign=campaign, send_at=form.cleaned_data["send_at"])
    except PermissionDenied:
        raise
    except (Conflict, ValidationError) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("The campaign is on its way."))
    return redirect("communication:campaign", pk=pk)


@login_required
@require_POST
def campaign_cancel(request, pk):
    campaign = _campaign(request, pk)
    try:
        campaigns.campaign_cancel(actor=request.user, campaign=campaign)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The campaign is cancelled; nothing was sent."))
    return redirect("communication:campaign", pk=pk)


@login_required
@require_POST
def campaign_retry(request, pk):
    campaign = _campaign(request, pk)
    count = campaigns.messages_retry(actor=request.user, campaign=campaign)
    messages.success(request, _("%(count)s messages are sent again.") % {"count": count})
    return redirect("communication:campaign", pk=pk)


@login_required
def letter_batch(request, pk):
    batch = get_object_or_404(selectors.letter_batches_visible_to(request.user), pk=pk)
    if not batch.pdf:
        raise Http404
    return FileResponse(
        batch.pdf.open("rb"), content_type="application/pdf", filename=f"letters-{batch.pk}.pdf"
    )


# Requests


@login_required
def request_create(request, slug):
    project = project_selectors.project_get(user=request.user, slug=slug)
    if project.pk not in asking_projects(request.user):
        raise Http404
    homes = dwellings_visible_to(request.user).filter(project=project)
    initial = {"dwellings": [pk for pk in request.GET.get("dwellings", "").split(",") if pk.isdigit()]}
    form = RequestForm(request.POST or None, homes=homes, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            request_services.request_create(
                actor=request.user,
                project=project,
                dwelling_ids=[home.pk for home in form.cleaned_data["dwellings"]],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Your request is with the communicating party."))
            return redirect("communication:index")
    return render(
        request,
        "communication/request_form.html",
        {"project": project, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def request_ask(request):
    """A request from another page (the installer's week): the chosen homes and the text; back to ``next``."""
    if not asking_projects(request.user):
        raise Http404
    ids = [pk for pk in request.POST.getlist("dwellings") if pk.isdigit()]
    back = request.POST.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = "/communication/"
    try:
        made = request_services.request_create_many(
            actor=request.user, dwelling_ids=ids, text=request.POST.get("text", "")
        )
    except Dwelling.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Asked %(parties)s to inform the residents.")
            % {"parties": ", ".join(sorted({str(item.communicating_party) for item in made}))},
        )
    return redirect(back)


@login_required
def request_detail(request, pk):
    message_request = get_object_or_404(
        requests_visible_to(request.user).select_related("project", "requested_by", "campaign"), pk=pk
    )
    handles = (
        can_speak(request.user, message_request.project) and message_request.status == RequestStatus.OPEN
    )
    starter = content.starter_texts(TemplateKey.CUSTOM, "nl")
    proposed = message_request.text
    approve_form = ApproveRequestForm(
        request.POST if request.POST.get("action") == "approve" else None,
        initial={
            "email_subject": starter.email_subject,
            "email_body": starter.email_body.replace("\n\n\n", f"\n\n{proposed}\n\n"),
            "sms_body": f"((sender)): {proposed}"[:300],
            "letter_body": starter.letter_body.replace("\n\n\n", f"\n\n{proposed}\n\n"),
        },
    )
    refuse_form = RefuseRequestForm(request.POST if request.POST.get("action") == "refuse" else None)
    if request.method == "POST":
        if not handles:
            if message_request.status != RequestStatus.OPEN:
                messages.info(request, _("This request was handled already; nothing was changed."))
                return redirect("communication:request", pk=pk)
            raise PermissionDenied(
                _("The communicating party handles the request, not the party that asked.")
            )
        form = approve_form if request.POST.get("action") == "approve" else refuse_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if form is approve_form:
                    request_services.request_approve(
                        actor=request.user,
                        request_id=pk,
                        texts={
                            k: data[k] for k in ("email_subject", "email_body", "sms_body", "letter_body")
                        },
                        name=data["name"],
                    )
                    messages.success(request, _("The message is on its way to the residents."))
                else:
                    request_services.request_refuse(actor=request.user, request_id=pk, reason=data["reason"])
                    messages.success(request, _("The request is refused; the party that asked reads why."))
            except ValidationError as exc:
                add_errors(form, exc)
            except Conflict as exc:
                messages.info(request, str(exc))
                return redirect("communication:request", pk=pk)
            else:
                return redirect("communication:request", pk=pk)
    return render(
        request,
        "communication/request.html",
        {
            "message_request": message_request,
            "homes": message_request.dwellings.order_by("street", "house_number")[:500],
            "handles": handles,
            "approve_form": approve_form,
            "refuse_form": refuse_form,
        },
        status=400 if request.method == "POST" else 200,
    )


# Settings


@login_required
def settings_edit(request, slug):
    project = _speaking_project(request, slug)
    current = content.settings_for(project)
    form = SettingsForm(request.POST or None, instance=current)
    rules = {rule.trigger: rule for rule in project.automatic_messages.all()}
    if request.method == "POST" and request.POST.get("action") == "defaults":
        automatic.use_default_rules(actor=request.user, project=project)
        messages.success(request, _("The standard automatic messages are on."))
        return redirect("communication:settings", slug=slug)
    if request.method == "POST" and form.is_valid():
        chosen = {}
        for trigger, _label in automatic.trigger_choices():
            key = request.POST.get(f"rule_{trigger}", "")
            if key in automatic_keys():
                chosen[trigger] = (key, request.POST.get(f"to_{trigger}", "both"))
        try:
            automatic.settings_save(
                actor=request.user, project=project, values=form.cleaned_data, rules=chosen
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The communication settings are saved."))
            return redirect("communication:settings", slug=slug)
    rows = [
        {
            "trigger": trigger,
            "label": label,
            "rule": rules.get(trigger),
            "suggested": DEFAULT_RULES.get(trigger, ""),
        }
        for trigger, label in automatic.trigger_choices()
    ]
    return render(
        request,
        "communication/settings.html",
        {
            "project": project,
            "form": form,
            "rows": rows,
            "keys": [choice for choice in TemplateKey.choices if choice[0] in automatic_keys()],
            "recipients": Recipients.choices,
            "dispersed": is_dispersed(project),
        },
        status=400 if request.method == "POST" else 200,
    )


# A person's history


@login_required
def person_history(request, pk):
    contact = get_object_or_404(
        Contact.objects.filter(dwelling__in=dwellings_visible_to(request.user)).select_related("dwelling"),
        pk=pk,
    )
    rows = messages_visible_to(request.user).filter(contact=contact).order_by("-created_at", "-pk")
    if not selectors.may_read_people(request.user, contact.dwelling):
        raise Http404
    return render(request, "communication/person.html", {"contact": contact, "rows": rows[:500]})


# Delivery reports of the providers


class PostmarkTracking(PostmarkTrackingWebhookView):
    """django-anymail's Postmark webhook, refusing every call while no secret is configured (anymail
    would only warn) and answering a body that is not JSON with 400."""

    def post(self, request, *args, **kwargs):
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            return HttpResponseForbidden("no webhook secret configured")
        try:
            return super().post(request, *args, **kwargs)
        except ValueError:
            return HttpResponseBadRequest("not JSON")


postmark_tracking = csrf_exempt(PostmarkTracking.as_view())


@csrf_exempt
@require_POST
def sms_status(request):
    """The SMS provider's delivery report, signed with the account's token (Twilio's scheme)."""
    token = settings.SMS_TOKEN
    url = settings.PUBLIC_URL.rstrip("/") + request.get_full_path()
    given = request.headers.get("X-Twilio-Signature", "")
    params = {key: request.POST.get(key) for key in request.POST}
    import hmac

    if not token or not hmac.compare_digest(given, sms.signature(url, params, token)):
        return HttpResponseForbidden("signature")
    status = delivery.SMS_EVENTS.get(params.get("MessageStatus", ""))
    if status is not None:
        delivery.record(
            Channel.SMS,
            status=status,
            reference=request.GET.get("ref", ""),
            provider_id=params.get("MessageSid", ""),
            reason=params.get("ErrorCode", "") and f"error {params.get('ErrorCode')}",
        )
    return HttpResponse(json.dumps({"ok": True}), content_type="application/json")
