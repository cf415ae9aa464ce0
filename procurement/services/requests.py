"""The installer's requests to inform residents, and the communicating party handling them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import InformRequest, RequestStatus
from projects.errors import Conflict
from projects.models import Dwelling, Participation, Role, User
from projects.permissions import COMMUNICATING, PLANNING, does


@transaction.atomic
def inform_request_create(*, actor: User, dwelling_ids, message: str) -> list[InformRequest]:
    """Ask each project's communicating party to inform the residents of ``dwelling_ids`` (homes the
    actor's organisation installs). One request per project. Another's home does not exist here."""
    from procurement.selectors import my_dwellings

    if actor.in_field_only or not does(actor, PLANNING):
        raise PermissionDenied(_("A planner or coordinator of the installer asks to inform residents."))
    ids = set(dwelling_ids or [])
    dwellings = list(my_dwellings(actor).filter(pk__in=ids).select_related("project"))
    if len(dwellings) != len(ids):
        raise Dwelling.DoesNotExist
    if not ids:
        raise ValidationError({"dwellings": _("Choose the homes whose residents should be informed.")})
    if not message.strip():
        raise ValidationError({"message": _("Say what the residents should know.")})
    by_project: dict[int, list[Dwelling]] = {}
    for dwelling in dwellings:
        by_project.setdefault(dwelling.project_id, []).append(dwelling)
    made = []
    for project_id, homes in by_project.items():
        party = (
            Participation.objects.filter(project_id=project_id, role=Role.COMMUNICATING_PARTY)
            .order_by("pk")
            .values_list("organisation_id", flat=True)
            .first()
        )
        if party is None:
            raise ValidationError(
                _("%(project)s has no communicating party to ask; the lead party sets one in its governance.")
                % {"project": homes[0].project}
            )
        request = InformRequest.objects.create(
            project_id=project_id,
            installer_id=actor.organisation_id,
            communicating_party_id=party,
            message=message.strip(),
            created_by=actor,
        )
        request.dwellings.set(homes)
        made.append(request)
    return made


def inform_requests_for(user: User):
    """The queue of the user's organisation as communicating party, and the requests it made."""
    from django.db.models import Q

    if not user.is_authenticated or user.organisation_id is None or user.in_field_only:
        return InformRequest.objects.none()
    return InformRequest.objects.filter(
        Q(communicating_party_id=user.organisation_id) | Q(installer_id=user.organisation_id)
    )


@transaction.atomic
def inform_request_handle(*, actor: User, request_id: int, note: str = "") -> InformRequest:
    """The communicating party marks a request handled (the residents were informed)."""
    request = InformRequest.objects.select_for_update().get(pk=request_id)
    if request.communicating_party_id != actor.organisation_id:
        if request.installer_id == actor.organisation_id:
            raise PermissionDenied(_("The communicating party handles the request, not the installer."))
        raise InformRequest.DoesNotExist
    if not does(actor, COMMUNICATING):
        raise PermissionDenied(_("Someone who communicates with residents handles the request."))
    if request.status != RequestStatus.OPEN:
        raise Conflict(_("This request was handled already; nothing was changed."))
    request.status, request.handled_by, request.handled_at = RequestStatus.HANDLED, actor, timezone.now()
    request.note = note.strip()
    request.save()
    return request
