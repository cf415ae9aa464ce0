"""Completion with evidence: the installer fills the project's commissioning checklist, then reports the
dwelling installed. Every write is safe to send twice from a phone that lost its connection: answers
merge, photos and the report carry an id made on the device.

A project works this way once it has a commissioning checklist (``CommissioningChecklist``, made when
its lead party sets up procurement); ``report installed`` is then refused until every required item is
there (``require_evidence``, a validator of the workflow, so the page, the API and a bulk move all
obey it)."""

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement import checklist
from procurement.models import CommissioningChecklist, Completion, CompletionPhoto
from procurement.models.completion import required_items
from projects.models import Dwelling, User
from projects.permissions import can_report_installed, can_view_dwelling
from projects.services import DwellingChanged, dwelling_transition
from projects.states import DwellingState
from surveys.photos import store_photo
from surveys.services import check_answer

# The checklist is filled once the installer has the work, until it reports the dwelling installed (and
# again after a rejection, which sends the dwelling back to installation planned).
FILLABLE_STATES = (DwellingState.ASSIGNED, DwellingState.INSTALLATION_PLANNED)


def evidence_required(project_id: int) -> bool:
    return CommissioningChecklist.objects.filter(project_id=project_id).exists()


def _fillable_dwelling(actor: User, dwelling_id: int) -> Dwelling:
    dwelling = Dwelling.objects.select_for_update(of=("self",)).select_related("project").get(pk=dwelling_id)
    if not can_view_dwelling(actor, dwelling):
        raise Dwelling.DoesNotExist
    if not can_report_installed(actor, dwelling):
        raise PermissionDenied(
            _("Only the installer of this dwelling, or its technician, fills in its checklist.")
        )
    if dwelling.state not in FILLABLE_STATES:
        raise ValidationError(
            _("The checklist of a dwelling that is %(state)s cannot be changed.")
            % {"state": dwelling.get_state_display()}
        )
    return dwelling


def _completion(dwelling: Dwelling) -> Completion:
    completion, _created = Completion.objects.select_for_update().get_or_create(
        dwelling=dwelling, defaults={"installer_id": dwelling.installer_id}
    )
    if completion.installer_id != dwelling.installer_id and dwelling.installer_id is not None:
        # The work moved to another installer: what was recorded stays, the new one carries on.
        completion.installer_id = dwelling.installer_id
    return completion


@transaction.atomic
def completion_save_answers(*, actor: User, dwelling_id: int, answers: dict) -> Completion:
    """Merge answers into the checklist of a dwelling. ``answers`` maps "<section>.<item>" to the value,
    or to {"value": ...} as the survey's tablet sends it. An unknown item or a wrong value changes
    nothing."""
    dwelling = _fillable_dwelling(actor, dwelling_id)
    if not isinstance(answers, dict):
        raise ValidationError({"answers": _("Send the answers as an object.")})
    cleaned = {}
    for key, answer in answers.items():
        field = checklist.item(key)
        if field is None or field.kind in checklist.PHOTO_KINDS:
            raise ValidationError({key: _("This is not an item of the checklist.")})
        value = answer.get("value") if isinstance(answer, dict) else answer
        cleaned[key] = check_answer(key, field, value)
    completion = _completion(dwelling)
    changed = {key: value for key, value in cleaned.items() if completion.answers.get(key) != value}
    if changed:
        completion.answers = {**completion.answers, **changed}
        completion.version += 1
    completion.save()
    return completion


@transaction.atomic
def completion_photo_add(
    *, actor: User, dwelling_id: int, item: str, upload, client_id: uuid.UUID | str | None = None
) -> CompletionPhoto:
    """Add a photo (or the resident's signature) to an item. The same ``client_id`` again returns the
    stored photo; a file that is no photo is refused with the reason."""
    if client_id:
        existing = CompletionPhoto.objects.filter(client_id=client_id).select_related("completion").first()
        if existing is not None:
            if existing.completion.dwelling_id != dwelling_id:
                raise ValidationError(_("This photo belongs to another dwelling."))
            return existing
    dwelling = _fillable_dwelling(actor, dwelling_id)
    field = checklist.item(item)
    if field is None or field.kind not in checklist.PHOTO_KINDS:
        raise ValidationError({"field": _("Photos cannot be added to this item.")})
    completion = _completion(dwelling)
    photo, stored = store_photo(
        CompletionPhoto(completion=completion, item=item, uploaded_by=actor),
        upload,
        name=item.replace(".", "-"),
        client_id=client_id,
    )
    if not stored:
        return photo
    completion.version += 1
    completion.save()
    return photo


@transaction.atomic
def completion_photo_remove(*, actor: User, dwelling_id: int, client_id: uuid.UUID | str) -> bool:
    """Remove a photo; removing one that is already gone changes nothing (a retry)."""
    photo = (
        CompletionPhoto.objects.select_for_update(of=("self",))
        .select_related("completion")
        .filter(client_id=client_id)
        .first()
    )
    if photo is not None and photo.completion.dwelling_id != dwelling_id:
        raise CompletionPhoto.DoesNotExist
    dwelling = _fillable_dwelling(actor, dwelling_id)
    if photo is None:
        return False
    completion = _completion(dwelling)
    storage, name = photo.image.storage, photo.image.name
    photo.delete()
    completion.version += 1
    completion.save()
    transaction.on_commit(lambda: storage.delete(name))
    return True


def dom_id(key: str) -> str:
    """The id of an item on the checklist page, for a link to what is missing."""
    return "item-" + key.replace(".", "-")


@dataclass(frozen=True)
class Gap:
    key: str
    section: str
    label: str

    @property
    def dom_id(self) -> str:
        return dom_id(self.key)

    def as_dict(self) -> dict:
        return {"key": self.key, "section": self.section, "label": self.label, "dom_id": self.dom_id}


def completion_gaps(dwelling: Dwelling, completion: Completion | None = None) -> list[Gap]:
    """The required items of the dwelling's checklist that are still missing, in the checklist's order."""
    if completion is None:
        completion = Completion.objects.filter(dwelling=dwelling).first()
    answers = completion.answers if completion else {}
    photos = {}
    if completion is not None:
        for item in completion.photos.values_list("item", flat=True):
            photos[item] = photos.get(item, 0) + 1
    required = set(required_items(dwelling.project_id))
    gaps = []
    for section, field, key in checklist.all_items():
        if key not in required:
            continue
        if field.kind in checklist.PHOTO_KINDS:
            missing = photos.get(key, 0) < max(field.min_photos, 1)
        else:
            value = answers.get(key)
            missing = value is None or (isinstance(value, str) and not value.strip())
        if missing:
            gaps.append(Gap(key, str(section.title), str(field.label)))
    return gaps


class EvidenceMissing(ValidationError):
    """Report installed without every required item of the checklist; ``gaps`` lists them."""

    def __init__(self, gaps: list[Gap]):
        self.gaps = gaps
        labels = "; ".join(f"{gap.section}: {gap.label}" for gap in gaps)
        super().__init__(
            _("The commissioning checklist is not complete. Still missing: %(items)s.") % {"items": labels},
            code="evidence_missing",
        )


def require_evidence(attempt) -> None:
    """The workflow's validator of *report installed*: every required item of the checklist is there."""
    dwelling = attempt.dwelling
    if not evidence_required(dwelling.project_id):
        return
    gaps = completion_gaps(dwelling)
    if gaps:
        raise EvidenceMissing(gaps)


def record_report(attempt) -> None:
    """The workflow's writer of *report installed*: who reported the completion, and when."""
    Completion.objects.filter(dwelling=attempt.dwelling).update(
        reported_at=attempt.log.at,
        reported_by=attempt.actor,
        report_client_id=attempt.params.get("client_id"),
    )


@transaction.atomic
def completion_report(
    *, actor: User, dwelling_id: int, installed_on: datetime.date | None = None, client_id=None
) -> Dwelling:
    """Report the dwelling installed from its checklist. The same ``client_id`` again (a retry after the
    answer got lost) returns the dwelling as it is; otherwise the move's rules hold."""
    dwelling = Dwelling.objects.select_for_update(of=("self",)).get(pk=dwelling_id)
    if not can_view_dwelling(actor, dwelling):
        raise Dwelling.DoesNotExist
    reported = client_id and Completion.objects.filter(dwelling=dwelling, report_client_id=client_id).exists()
    if reported and dwelling.state != DwellingState.INSTALLATION_PLANNED:
        return dwelling
    if dwelling.state == DwellingState.INSTALLED:
        raise DwellingChanged(dwelling)
    return dwelling_transition(
        actor=actor,
        dwelling_id=dwelling_id,
        transition="report_installed",
        installed_on=installed_on or timezone.localdate(),
        client_id=str(client_id) if client_id else None,
    )
