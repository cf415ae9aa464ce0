"""Requests to inform residents: an installer or the survey party proposes a text for some homes;
the communicating party edits and sends it (as a campaign to those homes) or refuses with a reason."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communication.models import MessageRequest, RequestStatus, TemplateKey
from communication.permissions import asking_projects, can_speak, communicating_party_of
from communication.services.campaigns import campaign_create, campaign_send
from communication.services.templates import template_save
from projects.errors import Conflict
from projects.models import Dwelling, Project
from projects.permissions import dwellings_visible_to


@transaction.atomic
def request_create(*, actor, project: Project, dwelling_ids, text: str) -> MessageRequest:
    """Ask the project's communicating party to inform the residents of these homes (homes the asking
    party works on; another's home does not exist here)."""
    if project.pk not in asking_projects(actor):
        raise PermissionDenied(
            _("A planner or coordinator of a party working on the homes asks to inform residents.")
        )
    ids = {int(pk) for pk in dwelling_ids or []}
    if not ids:
        raise ValidationError({"dwellings": _("Choose the homes whose residents should be informed.")})
    homes = list(dwellings_visible_to(actor).filter(project=project, pk__in=ids))
    if len(homes) != len(ids):
        raise Dwelling.DoesNotExist
    if not text.strip():
        raise ValidationError({"text": _("Say what the residents should know.")})
    party = communicating_party_of(project)
    if party is None:
        raise ValidationError(
            _("%(project)s has no communicating party to ask; the lead party sets one in its governance.")
            % {"project": project}
        )
    request = MessageRequest.objects.create(
        project=project,
        requested_by_id=actor.organisation_id,
        communicating_party=party,
        text=text.strip(),
        created_by=actor,
    )
    request.dwellings.set(homes)
    return request


def request_create_many(*, actor, dwelling_ids, text: str) -> list[MessageRequest]:
    """Ask per project (the homes of one installer's week may lie in several projects)."""
    ids = {int(pk) for pk in dwelling_ids or []}
    if not ids:
        raise ValidationError({"dwellings": _("Choose the homes whose residents should be informed.")})
    by_project: dict[int, list[int]] = {}
    for pk, project_id in dwellings_visible_to(actor).filter(pk__in=ids).values_list("pk", "project_id"):
        by_project.setdefault(project_id, []).append(pk)
    if sum(len(homes) for homes in by_project.values()) != len(ids):
        raise Dwelling.DoesNotExist
    with transaction.atomic():
        return [
            request_create(actor=actor, project=project, dwelling_ids=by_project[project.pk], text=text)
            for project in Project.objects.filter(pk__in=list(by_project)).order_by("pk")
        ]


def _open_request(actor, request_id: int) -> MessageRequest:
    from communication.permissions import requests_visible_to

    request = (
        requests_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("project")
        .get(pk=request_id)
    )
    if not can_speak(actor, request.project):
        raise PermissionDenied(_("The communicating party handles the request, not the party that asked."))
    if request.status != RequestStatus.OPEN:
        raise Conflict(_("This request was handled already; nothing was changed."))
    return request


@transaction.atomic
def request_approve(*, actor, request_id: int, texts: dict, name: str = "", send_at=None) -> MessageRequest:
    """Send the (edited) text to the people of the request's homes, as an own message in a campaign."""
    request = _open_request(actor, request_id)
    template = template_save(
        actor=actor,
        project=request.project,
        key=TemplateKey.CUSTOM,
        language="nl",
        values={**texts, "name": name or _("Request from %(party)s") % {"party": request.requested_by}},
    )
    template.approved_at, template.approved_by = timezone.now(), actor
    template.save(update_fields=["approved_at", "approved_by"])
    campaign = campaign_create(
        actor=actor,
        project=request.project,
        name=template.name,
        template_key=TemplateKey.CUSTOM,
        template=template,
        filters={"dwellings": list(request.dwellings.values_list("pk", flat=True))},
    )
    campaign_send(actor=actor, campaign=campaign, send_at=send_at)
    request.status, request.campaign = RequestStatus.SENT, campaign
    request.handled_by, request.handled_at = actor, timezone.now()
    request.save(update_fields=["status", "campaign", "handled_by", "handled_at"])
    return request


@transaction.atomic
def request_refuse(*, actor, request_id: int, reason: str) -> MessageRequest:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, so the party that asked knows.")})
    request = _open_request(actor, request_id)
    request.status, request.reason = RequestStatus.REFUSED, reason.strip()
    request.handled_by, request.handled_at = actor, timezone.now()
    request.save(update_fields=["status", "reason", "handled_by", "handled_at"])
    return request
