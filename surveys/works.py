"""Writes of the works list of a survey: which works a home needs, and who does each."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from projects.models import User
from surveys.models import Survey
from surveys.schema import RESPONSIBLE, WORKS
from surveys.services import _editable_dwelling, survey_changed

WORK_CODES = {code for code, _label in WORKS}
RESPONSIBLE_CODES = {code for code, _label in RESPONSIBLE}


def _clean_works(works) -> list[dict]:
    if not isinstance(works, list):
        raise ValidationError({"works": _("Send the works as a list.")})
    cleaned, seen = [], set()
    for number, row in enumerate(works, start=1):
        if not isinstance(row, dict):
            raise ValidationError({"works": _("Row %(number)d is not a work.") % {"number": number}})
        work, responsible = row.get("work"), row.get("responsible")
        if work not in WORK_CODES:
            raise ValidationError(
                {"works": _("Row %(number)d: choose one of the works of the list.") % {"number": number}}
            )
        if responsible not in RESPONSIBLE_CODES:
            raise ValidationError(
                {"works": _("Row %(number)d: choose who is responsible for this work.") % {"number": number}}
            )
        if work in seen:
            raise ValidationError(
                {"works": _("Row %(number)d: this work is already on the list.") % {"number": number}}
            )
        seen.add(work)
        cleaned.append({"work": work, "responsible": responsible})
    return cleaned


@transaction.atomic
def survey_save_works(*, actor: User, dwelling_id: int, works: list[dict]) -> Survey:
    """Replace the works list of a dwelling's survey. Each row is {"work": ..., "responsible": ...}
    from WORKS and RESPONSIBLE, every work at most once; a wrong row changes nothing. Sending the
    same list again changes nothing either (the survey version stays)."""
    dwelling = _editable_dwelling(actor, dwelling_id)
    cleaned = _clean_works(works)
    survey, _created = Survey.objects.select_for_update().get_or_create(dwelling=dwelling)
    if survey.works != cleaned:
        survey.works = cleaned
        survey.version += 1
        survey.save()
        survey_changed(actor, dwelling, survey)
    return survey
