from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from projects.models import (
    Governance,
    Organisation,
    Participation,
    Project,
    SubTeam,
    User,
)
from projects.services import GOVERNANCE_FIELDS, PROJECT_FIELDS


class StyledFormMixin:
    """Give widgets the CSS classes of the house style."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProjectForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Project
        fields = list(PROJECT_FIELDS)
        widgets = {"start_date": DateInput(), "target_date": DateInput()}


def validate_pdf(upload) -> None:
    """Accept PDF documents only: the extension is not enough, the file must start like a PDF."""
    if upload.size > settings.AGREEMENT_DOCUMENT_MAX_BYTES:
        raise forms.ValidationError(
            _("The document is too large (at most %(size)d MB).")
            % {"size": settings.AGREEMENT_DOCUMENT_MAX_BYTES // (1024 * 1024)}
        )
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise forms.ValidationError(_("Upload the agreement as a PDF file."))


class GovernanceForm(StyledFormMixin, forms.ModelForm):
    """All seven building blocks. ``version`` makes a form loaded before someone else's save stale."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Governance
        fields = list(GOVERNANCE_FIELDS)
        # A plain file input: the stored document is private and offered through a scoped view.
        widgets = {
            "agreement_signed_on": DateInput(),
            "agreement_document": forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        for name in GOVERNANCE_FIELDS:
            field = self.fields[name]
            if isinstance(field, forms.TypedChoiceField) and field.choices:
                # Replace Django's "---------" with words a person understands.
                field.choices = [("", _("not decided yet"))] + [
                    choice for choice in field.choices if choice[0] != ""
                ]

    def clean_agreement_document(self):
        upload = self.cleaned_data.get("agreement_document")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            validate_pdf(upload)
        return upload

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in GOVERNANCE_FIELDS}


class ParticipationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Participation
        fields = ["organisation", "role", "phase", "involved_on", "note"]
        widgets = {"involved_on": DateInput()}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.project = project
        # Any organisation on the platform can be invited into a project.
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")


class SubTeamForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = SubTeam
        fields = ["name", "covers", "members"]
        widgets = {"members": forms.CheckboxSelectMultiple, "covers": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.project = project
        self.fields["members"].queryset = (
            User.objects.filter(
                is_active=True,
                organisation__in=project.participations.values("organisation_id"),
            )
            .select_related("organisation")
            .order_by("organisation__name", "last_name", "email")
        )
        self.fields["members"].label_from_instance = lambda user: f"{user} ({user.organisation})"
