"""Every move of a dwelling, declared once: its words, who makes it, its parameters with their form and
API fields, and how the base prepares what the model method gets.

Adding a parameter to a move is one edit here: the dwelling page's form, the API's transition request
and docs/state-machine.md follow. (The model method in projects/models/dwellings.py takes what
``prepare`` returns; the functions that check the parameters are in ``prepare.py``.)
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from projects.states import Signatory, VisitFailure
from projects.widgets import DateInput, DateTimeInput

from . import prepare, registry

# --- Parameters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter of a move: how the page asks for it and how the API takes it.

    ``form_field(dwelling, actor)`` returns the form field, or None where the parameter does not apply to
    this dwelling (the owners' association's consent for a home without one). ``api_field()`` returns the
    serializer field of the API's transition request; parameters of the same name share one field, and
    the service decides what a move requires.
    """

    name: str
    form_field: Callable
    api_field: Callable


YES_NO = [("", gettext_lazy("— choose —")), ("yes", gettext_lazy("yes")), ("no", gettext_lazy("no"))]


def _date(label: Promise, help_text: str = "") -> Callable:
    return lambda dwelling, actor: forms.DateField(label=label, widget=DateInput(), help_text=help_text)


def _surveyor_field(dwelling, actor):
    from projects.models import User
    from projects.permissions import SURVEYING, with_work_roles

    colleagues = User.objects.filter(organisation_id=actor.organisation_id, is_active=True)
    return forms.ModelChoiceField(
        label=gettext_lazy("Surveyor"),
        queryset=with_work_roles(colleagues, SURVEYING).order_by("last_name", "first_name", "email"),
    )


def _second_visit_reason_field(dwelling, actor):
    if not dwelling.visit_count:
        return None
    return forms.CharField(
        label=gettext_lazy("Why was another visit needed?"), widget=forms.Textarea(attrs={"rows": 2})
    )


def _second_person_field(dwelling, actor):
    from projects.models import Organisation

    return forms.ModelChoiceField(
        label=gettext_lazy("Visited by two: organisation of the second person"),
        queryset=Organisation.objects.filter(participations__project_id=dwelling.project_id).distinct(),
        required=False,
    )


def _signatory_field(dwelling, actor):
    return forms.ChoiceField(
        label=gettext_lazy("Signed by"), choices=Signatory.choices, initial=dwelling.expected_signatory()
    )


def _document_field(dwelling, actor):
    from projects.forms import validate_pdf

    return forms.FileField(label=gettext_lazy("Signed agreement (PDF)"), validators=[validate_pdf])


def _consent_field(dwelling, actor):
    if not dwelling.needs_owners_association_consent():
        return None
    return forms.DateField(label=gettext_lazy("Owners' association consented on"), widget=DateInput())


def _tenant_field(dwelling, actor):
    if not dwelling.is_rental():
        return None
    return forms.TypedChoiceField(
        label=gettext_lazy("Does the tenant support it?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
    )


def _installer_field(dwelling, actor):
    from projects.models import Organisation
    from projects.models.project import INSTALLING_ROLES

    return forms.ModelChoiceField(
        label=gettext_lazy("Installer"),
        queryset=Organisation.objects.filter(
            participations__project_id=dwelling.project_id, participations__role__in=INSTALLING_ROLES
        ).distinct(),
    )


def _technician_field(dwelling, actor):
    from projects.models import User
    from projects.permissions import INSTALLING, with_work_roles

    people = User.objects.filter(organisation_id=dwelling.installer_id, is_active=True)
    return forms.ModelChoiceField(
        label=gettext_lazy("Technician"),
        queryset=with_work_roles(people, INSTALLING).order_by("last_name", "first_name"),
        required=False,
        help_text=gettext_lazy("Who does the work in the home; they see it on their own list."),
    )


def _pdf_upload():
    from projects.forms import validate_pdf

    def check(upload):
        try:
            validate_pdf(upload)
        except forms.ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    return serializers.FileField(
        required=False, validators=[check], help_text="record_agreement: the signed PDF (multipart)"
    )


SURVEYOR = Param(
    "surveyor",
    _surveyor_field,
    lambda: serializers.IntegerField(required=False, help_text="plan_survey: a user id of your survey party"),
)
APPOINTMENT_AT = Param(
    "appointment_at",
    lambda dwelling, actor: forms.DateTimeField(label=gettext_lazy("Appointment"), widget=DateTimeInput()),
    lambda: serializers.DateTimeField(required=False),
)
FAILURE = Param(
    "failure",
    lambda dwelling, actor: forms.ChoiceField(
        label=gettext_lazy("What happened"), choices=VisitFailure.choices
    ),
    lambda: serializers.ChoiceField(choices=VisitFailure.choices, required=False),
)
SECOND_VISIT_REASON = Param(
    "second_visit_reason",
    _second_visit_reason_field,
    lambda: serializers.CharField(
        required=False, allow_blank=True, help_text="record_survey, visit_failed: required for a second visit"
    ),
)
SECOND_PERSON = Param(
    "second_person_organisation",
    _second_person_field,
    lambda: serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="record_survey, visit_failed: visited by two, an organisation id",
    ),
)
VISIT = (SECOND_VISIT_REASON, SECOND_PERSON)
SIGNATORY = Param(
    "signatory", _signatory_field, lambda: serializers.ChoiceField(choices=Signatory.choices, required=False)
)
SIGNATORY_NAME = Param(
    "signatory_name",
    lambda dwelling, actor: forms.CharField(label=gettext_lazy("Name of the signatory"), max_length=120),
    lambda: serializers.CharField(required=False),
)
SIGNED_ON = Param(
    "signed_on", _date(gettext_lazy("Signed on")), lambda: serializers.DateField(required=False)
)
DOCUMENT = Param("document", _document_field, _pdf_upload)
CONSENT_ON = Param(
    "owners_association_consent_on", _consent_field, lambda: serializers.DateField(required=False)
)
TENANT_SUPPORTS = Param(
    "tenant_supports",
    _tenant_field,
    lambda: serializers.BooleanField(required=False, allow_null=True, default=None),
)
INSTALLER = Param(
    "installer",
    _installer_field,
    lambda: serializers.IntegerField(required=False, help_text="assign, reassign: an organisation id"),
)
PLANNED_ON = Param(
    "planned_on", _date(gettext_lazy("Installation date")), lambda: serializers.DateField(required=False)
)
TECHNICIAN = Param(
    "technician",
    _technician_field,
    lambda: serializers.IntegerField(
        required=False, allow_null=True, help_text="plan_installation: a user id of the dwelling's installer"
    ),
)
INSTALLED_ON = Param(
    "installed_on", _date(gettext_lazy("Installed on")), lambda: serializers.DateField(required=False)
)
CONNECTED_ON = Param(
    "connected_on", _date(gettext_lazy("Connected on")), lambda: serializers.DateField(required=False)
)


# --- The moves --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One move of a dwelling.

    ``label`` names it as an action (a button: "Approve the connection plan"); ``done`` as what happened
    (the timeline: "Connection plan approved"). ``made_by`` says in words who makes it (the "waiting
    for" hint); the rule itself is the model transition's ``permission`` in ``projects.permissions``.
    ``main_step``: a step forward on the main way (the hint names only those). ``public``: residents may
    read it in their home's timeline. ``reason_required``: the move needs a reason. ``prepare(actor,
    dwelling, params)`` checks the parameters and returns what the model method takes. ``describe(params,
    reason)`` writes the log's reason (the outcome of a failed visit).
    """

    name: str
    label: Promise
    done: Promise
    made_by: Promise
    main_step: bool = False
    public: bool = True
    reason_required: bool = False
    params: tuple[Param, ...] = field(default=())
    prepare: Callable | None = None
    describe: Callable | None = None

    def form_fields(self, dwelling, actor) -> dict[str, forms.Field]:
        fields = {}
        for param in self.params:
            form_field = param.form_field(dwelling, actor)
            if form_field is None:
                continue
            found = registry.suggest(self.name, param.name, dwelling)
            if found is not None:
                form_field.initial = found.value
                form_field.help_text = found.note
            fields[param.name] = form_field
        return fields


LEAD = gettext_lazy("the lead party")
LEAD_OR_COMMUNICATING = gettext_lazy("the lead or the communicating party")
SURVEYOR_WORDS = gettext_lazy("the assigned surveyor")
HEAT_COMPANY = gettext_lazy("the heat company")

MOVES: dict[str, Move] = {
    move.name: move
    for move in [
        Move(
            "inform",
            gettext_lazy("Informed"),
            gettext_lazy("Residents informed"),
            LEAD_OR_COMMUNICATING,
            main_step=True,
        ),
        Move(
            "plan_survey",
            gettext_lazy("Plan the survey"),
            gettext_lazy("Survey planned"),
            gettext_lazy("the survey party"),
            main_step=True,
            params=(SURVEYOR, APPOINTMENT_AT),
            prepare=prepare.plan_survey,
        ),
        Move(
            "record_survey",
            gettext_lazy("Record the survey"),
            gettext_lazy("Survey recorded"),
            SURVEYOR_WORDS,
            main_step=True,
            params=VISIT,
            prepare=prepare.record_survey,
        ),
        Move(
            "reschedule_survey",
            gettext_lazy("Move the survey visit"),
            gettext_lazy("Survey visit moved"),
            gettext_lazy("the survey party"),
            params=(SURVEYOR, APPOINTMENT_AT),
            prepare=prepare.plan_survey,
        ),
        Move(
            "cancel_survey",
            gettext_lazy("Call off the survey visit"),
            gettext_lazy("Survey visit called off"),
            gettext_lazy("the survey party"),
        ),
        Move(
            "visit_failed",
            gettext_lazy("Visit failed"),
            gettext_lazy("Visit failed"),
            SURVEYOR_WORDS,
            params=(FAILURE, *VISIT),
            prepare=prepare.visit_failed,
            describe=prepare.reason_of_failed_visit,
        ),
        Move(
            "approve_plan",
            gettext_lazy("Approve the connection plan"),
            gettext_lazy("Connection plan approved"),
            LEAD,
            main_step=True,
            prepare=lambda actor, dwelling, params: {"approved_at": timezone.now()},
        ),
        Move(
            "record_agreement",
            gettext_lazy("Record the agreement"),
            gettext_lazy("Agreement recorded"),
            LEAD_OR_COMMUNICATING,
            main_step=True,
            params=(SIGNATORY, SIGNATORY_NAME, SIGNED_ON, DOCUMENT, CONSENT_ON, TENANT_SUPPORTS),
            prepare=prepare.record_agreement,
        ),
        Move(
            "assign",
            gettext_lazy("Assign to an installer"),
            gettext_lazy("Assigned to an installer"),
            LEAD,
            main_step=True,
            params=(INSTALLER,),
            prepare=prepare.assign,
        ),
        Move(
            "reassign",
            gettext_lazy("Move to another installer"),
            gettext_lazy("Moved to another installer"),
            LEAD,
            public=False,
            reason_required=True,
            params=(INSTALLER,),
            prepare=prepare.reassign,
        ),
        Move(
            "plan_installation",
            gettext_lazy("Plan the installation"),
            gettext_lazy("Installation planned"),
            gettext_lazy("the installer of the dwelling"),
            main_step=True,
            params=(PLANNED_ON, TECHNICIAN),
            prepare=prepare.plan_installation,
        ),
        Move(
            "reschedule_installation",
            gettext_lazy("Move the installation date"),
            gettext_lazy("Installation date moved"),
            gettext_lazy("the installer of the dwelling"),
            params=(PLANNED_ON, TECHNICIAN),
            prepare=prepare.reschedule_installation,
        ),
        Move(
            "report_installed",
            gettext_lazy("Report installed"),
            gettext_lazy("Installed"),
            gettext_lazy("the installer of the dwelling, or its technician"),
            main_step=True,
            params=(INSTALLED_ON,),
            prepare=prepare.dated("installed_on", past_only=True),
        ),
        Move(
            "confirm_connection",
            gettext_lazy("Accept the delivery set: connected"),
            gettext_lazy("Delivery set accepted: connected"),
            HEAT_COMPANY,
            main_step=True,
            params=(CONNECTED_ON,),
            prepare=prepare.dated("connected_on", past_only=True),
        ),
        Move(
            "reject_installation",
            gettext_lazy("Reject the installation"),
            gettext_lazy("Installation rejected"),
            HEAT_COMPANY,
            public=False,
            reason_required=True,
        ),
        Move(
            "decline",
            gettext_lazy("Declined by the owner"),
            gettext_lazy("Declined by the owner"),
            LEAD_OR_COMMUNICATING,
            reason_required=True,
        ),
        Move(
            "reopen", gettext_lazy("Reopen"), gettext_lazy("Reopened"), LEAD_OR_COMMUNICATING, main_step=True
        ),
        Move(
            "hold",
            gettext_lazy("Put on hold"),
            gettext_lazy("Paused"),
            LEAD,
            public=False,
            reason_required=True,
        ),
        Move("resume", gettext_lazy("Resume"), gettext_lazy("Resumed"), LEAD, main_step=True, public=False),
        Move(
            "withdraw",
            gettext_lazy("Withdraw"),
            gettext_lazy("Withdrawn"),
            LEAD,
            public=False,
            reason_required=True,
        ),
    ]
}

# The conditions of the model's transitions, in words, for a refusal that says what is missing.
CONDITIONS = {
    "has_survey_appointment": gettext_lazy("an appointment and a surveyor"),
    "has_complete_survey": gettext_lazy("a completed survey"),
    "has_valid_agreement": gettext_lazy("a recorded agreement"),
    "has_installer": gettext_lazy("an installer"),
    "has_installation_date": gettext_lazy("an installation date"),
}


def move(name: str) -> Move | None:
    return MOVES.get(name)
