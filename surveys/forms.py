"""Forms of the survey pages. The survey itself is saved by survey.js through the API; the end of
the visit also works as a plain form post, for a browser without JavaScript."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from projects.forms import StyledFormMixin
from surveys.models import VisitOutcome
from surveys.selectors import second_person_organisations


class VisitFinishForm(StyledFormMixin, forms.Form):
    """How the visit ended; ``visit_record`` checks the rest (complete survey, reason for a second visit)."""

    outcome = forms.ChoiceField(
        label=_("Outcome of the visit"), choices=VisitOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    second_visit_reason = forms.CharField(
        label=_("Why was another visit needed?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    second_person_organisation = forms.ModelChoiceField(
        label=_("Organisation of the second person"),
        queryset=None,
        required=False,
        empty_label=_("nobody came along"),
        help_text=_("Only when two people visit."),
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, dwelling, **kwargs):
        super().__init__(*args, **kwargs)
        self.dwelling = dwelling
        self.fields["second_person_organisation"].queryset = second_person_organisations(
            project=dwelling.project
        )
        if not dwelling.visit_count:
            # Asked only when the home was visited before; visit_record says when it is missing.
            del self.fields["second_visit_reason"]

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "client_id": data["client_id"],
            "note": data.get("note", ""),
            "second_visit_reason": data.get("second_visit_reason", ""),
            "second_person_organisation": data.get("second_person_organisation"),
        }


def add_errors(form, exc: ValidationError) -> None:
    """Put a service's validation errors on the form fields they concern, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
