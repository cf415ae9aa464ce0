"""Templates: a project's own text for a step, saved only when every placeholder is known; approval."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communication import placeholders
from communication.models import Template, TemplateKey
from communication.permissions import can_speak
from projects.errors import Conflict

TEXT_FIELDS = ("email_subject", "email_body", "sms_body", "letter_body")


def check_texts(values: dict[str, str], key: str | None = None) -> None:
    errors = {}
    for field in TEXT_FIELDS:
        try:
            placeholders.check(values.get(field, ""), key)
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)


def _require_speaker(actor, project):
    if not can_speak(actor, project):
        raise PermissionDenied(_("Only the communicating party and the lead party keep the templates."))


@transaction.atomic
def template_save(
    *, actor, project, key: str, language: str, values: dict, template_id=None, version=None
) -> Template:
    """Save the project's text for a step (a new own message when ``key`` is custom and no template is
    given). A change takes the approval away: someone approves the new text again. ``version`` is the
    ``updated_at`` the form was opened with: a stale form changes nothing."""
    _require_speaker(actor, project)
    TemplateKey(key)
    check_texts(values, key)
    template = None
    if template_id:
        template = Template.objects.select_for_update().get(project=project, pk=template_id)
    elif key != TemplateKey.CUSTOM:
        template = (
            Template.objects.select_for_update().filter(project=project, key=key, language=language).first()
        )
    if template is not None and version is not None and template.updated_at.isoformat() != version:
        raise Conflict(_("Someone changed this template meanwhile; nothing was saved. Open it again."))
    if template is None:
        template = Template(project=project, key=key, language=language)
    changed = any(getattr(template, field) != values.get(field, "") for field in TEXT_FIELDS)
    for field in TEXT_FIELDS:
        setattr(template, field, values.get(field, "").strip())
    template.name = (values.get("name") or "").strip() or str(TemplateKey(key).label)
    template.updated_by = actor
    if changed:
        template.approved_at, template.approved_by = None, None
    template.save()
    return template


@transaction.atomic
def template_approve(*, actor, template: Template) -> Template:
    _require_speaker(actor, template.project)
    template = Template.objects.select_for_update().get(pk=template.pk)
    if template.approved:
        raise Conflict(_("This template was approved already."))
    template.approved_at, template.approved_by = timezone.now(), actor
    template.save(update_fields=["approved_at", "approved_by"])
    return template
