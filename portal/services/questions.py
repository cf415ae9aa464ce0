"""Residents' questions and aftercare reports, and the answers of the parties.

A question goes to the communicating party (or the lead party), an aftercare report (no heat, no hot
water, a leak, a noise) to the heat company. The form carries an id of its own, so a double submit
makes one question. An answer is sent to the person on their channel and shows in the portal; the
first answer sets the response time.
"""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communication.models import TemplateKey
from communication.services.personal import message_person
from portal.models import Question, QuestionKind, QuestionStatus, Reply
from portal.permissions import addressee_of, questions_visible_to
from projects.residents import Resident
from projects.states import DwellingState
from surveys.photos import process_photo

MAX_TEXT = 4000


def _client_id(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise ValidationError(
            {"client_id": _("The form was damaged. Reload the page and try again.")}
        ) from None


def question_ask(
    *,
    resident: Resident,
    text: str,
    client_id,
    photo=None,
    kind: str = QuestionKind.QUESTION,
    problem: str = "",
) -> tuple[Question, bool]:
    """Store the question (once per form); return it and whether this call made it."""
    contact = resident.contact
    dwelling = contact.dwelling
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = (
            _("Write your question.") if kind == QuestionKind.QUESTION else _("Describe the problem.")
        )
    elif len(text) > MAX_TEXT:
        errors["text"] = _("Keep it to %(count)d characters.") % {"count": MAX_TEXT}
    if kind == QuestionKind.AFTERCARE:
        from portal.models import AftercareProblem

        if dwelling.state != DwellingState.CONNECTED:
            errors["problem"] = _("You can report a problem with the heat once your home is connected.")
        elif problem not in AftercareProblem.values:
            errors["problem"] = _("Choose what is wrong.")
    else:
        problem = ""
    form_id = _client_id(client_id)
    existing = Question.objects.filter(contact=contact, client_id=form_id).first()
    if existing is not None:
        return existing, False
    if errors:
        raise ValidationError(errors)
    try:
        processed = process_photo(photo, name="photo") if photo else None
    except ValidationError as error:
        raise ValidationError({"photo": error.messages}) from None
    addressee = addressee_of(dwelling.project, kind)
    if addressee is None:
        raise ValidationError(_("Nobody can receive questions for this project yet. Please call us."))
    question = Question(
        project=dwelling.project,
        dwelling=dwelling,
        contact=contact,
        kind=kind,
        problem=problem,
        text=text,
        addressed_to=addressee,
        client_id=form_id,
    )
    if processed is not None:
        question.photo.save(processed.content.name, processed.content, save=False)
    try:
        with transaction.atomic():
            question.save()
    except IntegrityError:
        if question.photo:
            question.photo.delete(save=False)
        return Question.objects.get(contact=contact, client_id=form_id), False
    return question, True


def _open_question(actor, question_id) -> Question:
    return (
        questions_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("contact", "contact__dwelling", "contact__dwelling__project")
        .get(pk=question_id)
    )


@transaction.atomic
def question_answer(*, actor, question_id, text: str, to_resident: bool = True, close: bool = False) -> Reply:
    """Answer the resident (sent on their channel and shown in the portal), or leave a note for
    colleagues (``to_resident`` False). The first answer to the resident counts for the response time."""
    question = _open_question(actor, question_id)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the answer.")})
    if question.status == QuestionStatus.CLOSED:
        raise ValidationError(_("This question is closed. Reopen it to answer."))
    reply = Reply.objects.create(
        question=question,
        author=actor,
        organisation_id=actor.organisation_id or question.addressed_to_id,
        text=text,
        to_resident=to_resident,
    )
    now = timezone.now()
    if to_resident:
        if question.contact is None:
            raise ValidationError(_("The person is no longer known: the answer cannot be sent."))
        sent = message_person(
            contact=question.contact,
            template_key=TemplateKey.ANSWER,
            trigger=f"portal:answer:{reply.pk}",
            extra={"answer": text},
        )
        reply.message_reference = sent[0].reference if sent else None
        reply.save(update_fields=["message_reference"])
        question.answered_at = question.answered_at or now
        question.status = QuestionStatus.ANSWERED
    if close:
        question.status = QuestionStatus.CLOSED
        question.closed_at = now
    question.save(update_fields=["answered_at", "status", "closed_at"])
    return reply


@transaction.atomic
def question_assign(*, actor, question_id, assignee_id) -> Question:
    question = _open_question(actor, question_id)
    from projects.models import User

    if assignee_id in (None, ""):
        question.assigned_to = None
    else:
        assignee = User.objects.filter(
            pk=assignee_id, organisation_id=question.addressed_to_id, is_active=True
        ).first()
        if assignee is None:
            raise ValidationError({"assigned_to": _("Choose a colleague of your own organisation.")})
        question.assigned_to = assignee
    question.save(update_fields=["assigned_to"])
    return question


@transaction.atomic
def question_close(*, actor, question_id, reopen: bool = False) -> Question:
    question = _open_question(actor, question_id)
    if reopen:
        question.status = QuestionStatus.ANSWERED if question.answered_at else QuestionStatus.OPEN
        question.closed_at = None
    else:
        question.status = QuestionStatus.CLOSED
        question.closed_at = timezone.now()
    question.save(update_fields=["status", "closed_at"])
    return question


def ensure_party(actor) -> None:
    if not questions_visible_to(actor).exists() and not actor.is_superuser:
        raise PermissionDenied
