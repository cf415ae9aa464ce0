from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from projects.models import (
    Channel,
    Dwelling,
    Governance,
    Organisation,
    Participation,
    Project,
    SubTeam,
    User,
    WorkRole,
)
from projects.models.parties import WORK_ROLE_HELP
from projects.services import GOVERNANCE_FIELDS, PROJECT_FIELDS
from projects.services.register import REGISTER_FIELDS
from projects.widgets import DateInput


def style(fields) -> None:
    """Give the widgets the CSS classes of the house style (once each)."""
    for field in fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.HiddenInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        if css not in widget.attrs.get("class", "").split():
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class StyledFormMixin:
    """Give widgets the CSS classes of the house style."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self.fields)


class WholeNumberField(forms.IntegerField):
    """A whole number, refused with a point or comma: "1.000" is a thousand to a Dutch reader, but the
    browser and Django take it for 1. Refuse rather than guess."""

    def to_python(self, value):
        if isinstance(value, str) and ("." in value or "," in value):
            raise forms.ValidationError(
                _("Type a whole number without a point or comma, for example 1000."), code="invalid"
            )
        return super().to_python(value)


class ProjectForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Project
        fields = list(PROJECT_FIELDS)
        widgets = {"start_date": DateInput(), "target_date": DateInput()}
        field_classes = {
            "planned_dwellings": WholeNumberField,
            "signup_threshold": WholeNumberField,
            "private_share": WholeNumberField,
        }

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # The slug is in every address and link of the project: it stays as it was made.
            del self.fields["slug"]


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


# --- Dwelling moves ----------------------------------------------------------------------------


class TransitionForm(StyledFormMixin, forms.Form):
    """One move of one dwelling: its fields are the move's parameters (``projects.workflow``); the
    service does the checking."""

    expected_state = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason or note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, move, dwelling, actor, **kwargs):
        self.move = move
        super().__init__(*args, **kwargs)
        self.fields["expected_state"].initial = dwelling.state
        if move.reason_required:
            self.fields["reason"].required = True
            self.fields["reason"].label = _("Reason")
        self.fields.update(move.form_fields(dwelling, actor))
        style(self.fields)  # the parameters' widgets too

    def params(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("expected_state", None)
        data.pop("reason", None)
        return data


# Moves that make sense for many dwellings at once.
BULK_TRANSITIONS = ("inform", "approve_plan", "assign", "decline", "reopen", "hold", "resume", "withdraw")


class BulkMoveForm(StyledFormMixin, forms.Form):
    transition = forms.ChoiceField(label=_("Move"))
    reason = forms.CharField(
        label=_("Reason or note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    installer = forms.ModelChoiceField(
        label=_("Installer (for “assign”)"), queryset=Organisation.objects.none(), required=False
    )
    confirm_count = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        from projects.models.project import INSTALLING_ROLES
        from projects.workflow import MOVES

        self.fields["transition"].choices = [(name, MOVES[name].label) for name in BULK_TRANSITIONS]
        self.fields["installer"].queryset = Organisation.objects.filter(
            participations__project=project, participations__role__in=INSTALLING_ROLES
        ).distinct()

    def clean(self):
        from projects.workflow import MOVES

        data = super().clean()
        spec = MOVES.get(data.get("transition"))
        if spec and spec.reason_required and not data.get("reason"):
            self.add_error("reason", _("Give the reason."))
        if data.get("transition") == "assign" and not data.get("installer"):
            self.add_error("installer", _("Choose the installer."))
        return data


class DwellingForm(StyledFormMixin, forms.ModelForm):
    """The register data of one dwelling with its owner and resident (the state is not editable)."""

    owner_name = forms.CharField(label=_("Owner: name"), required=False, max_length=120)
    owner_email = forms.EmailField(label=_("Owner: e-mail"), required=False)
    owner_phone = forms.CharField(label=_("Owner: phone"), required=False, max_length=32)
    owner_preferred_channel = forms.ChoiceField(label=_("Owner: preferred channel"), choices=Channel.choices)
    resident_name = forms.CharField(
        label=_("Resident: name"),
        required=False,
        max_length=120,
        help_text=_("Leave empty when the owner lives there."),
    )
    resident_email = forms.EmailField(label=_("Resident: e-mail"), required=False)
    resident_phone = forms.CharField(label=_("Resident: phone"), required=False, max_length=32)
    resident_preferred_channel = forms.ChoiceField(
        label=_("Resident: preferred channel"), choices=Channel.choices
    )

    class Meta:
        model = Dwelling
        fields = list(REGISTER_FIELDS)
        field_classes = {
            "house_number": WholeNumberField,
            "build_year": WholeNumberField,
            "floor_area": WholeNumberField,
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.project = project
        self.fields["housing_association"].queryset = Organisation.objects.filter(kind="housing_association")
        for contact in self.instance.contacts.all() if self.instance.pk else []:
            for name in ("name", "email", "phone", "preferred_channel"):
                self.fields[f"{contact.role}_{name}"].initial = getattr(contact, name)

    def clean_postcode(self):
        compact = self.cleaned_data["postcode"].replace(" ", "").upper()
        return f"{compact[:4]} {compact[4:]}" if len(compact) == 6 else self.cleaned_data["postcode"]

    def register_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in REGISTER_FIELDS}

    def contacts(self) -> dict:
        return {
            role: {
                name: self.cleaned_data[f"{role}_{name}"]
                for name in ("name", "email", "phone", "preferred_channel")
            }
            for role in ("owner", "resident")
        }


class PersonForm(StyledFormMixin, forms.Form):
    """A person of the organisation, as its administrator adds or changes them."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    work_roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=WorkRole.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the organisation may do in a project is the ceiling; the roles choose within it."),
    )
    visits_per_day = forms.IntegerField(
        label=_("Survey visits a day"),
        required=False,
        min_value=1,
        max_value=20,
        help_text=_(
            "For a surveyor with a capacity of their own (a part-timer, a trainee); empty: the default."
        ),
    )
    is_active = forms.BooleanField(
        label=_("May log in"),
        required=False,
        initial=True,
        help_text=_("Take this away when someone leaves: their name stays on what they did."),
    )

    def __init__(self, *args, person=None, **kwargs):
        if person is not None:
            kwargs.setdefault("initial", {name: getattr(person, name) for name in PERSON_FORM_FIELDS})
        super().__init__(*args, **kwargs)
        if person is None:
            del self.fields["is_active"]
        self.role_help = [(role, WORK_ROLE_HELP[role]) for role in WorkRole]


PERSON_FORM_FIELDS = ("first_name", "last_name", "email", "work_roles", "visits_per_day", "is_active")
