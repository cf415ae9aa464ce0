"""Every move of a dwelling, declared once: its words, who makes it, its parameters with their form and
API fields, and how the base prepares what the model method gets.

Adding a parameter to a move is one edit here: the dwelling page's form, the API's transition request
and docs/state-machine.md follow. (The model method in projects/models/dwellings.py takes what
``prepare`` returns.)
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from projects.states import Signatory, VisitFailure
from projects.widgets import DateInput, DateTimeInput

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
    lambda: serializers.IntegerField(required=False, help_text="assign: an organisation id"),
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


# --- How the base prepares a move ---------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def require(params: dict, *names: str) -> None:
    missing = {name: _("This field is required.") for name in names if params.get(name) in (None, "")}
    if missing:
        raise ValidationError(missing)


def _prepare_plan_survey(actor, dwelling, params) -> dict:
    from projects.models import Participation, Role, User

    require(params, "surveyor", "appointment_at")
    surveyor = params["surveyor"]
    if not isinstance(surveyor, User):
        surveyor = User.objects.filter(pk=getattr(surveyor, "pk", surveyor)).first()
    if surveyor is not None and not surveyor.is_active:
        surveyor = None
    survey_parties = set(
        Participation.objects.filter(project_id=dwelling.project_id, role=Role.SURVEY_PARTY).values_list(
            "organisation_id", flat=True
        )
    )
    allowed = survey_parties if actor.is_superuser else survey_parties & {actor.organisation_id}
    if surveyor is None or surveyor.organisation_id not in allowed:
        raise ValidationError({"surveyor": _("Choose a surveyor of your own survey party.")})
    return {"surveyor": surveyor, "appointment_at": params["appointment_at"]}


def _prepare_record_survey(actor, dwelling, params) -> dict:
    return {"completed_at": timezone.now()}


def _prepare_visit_failed(actor, dwelling, params) -> dict:
    require(params, "failure")
    if params["failure"] not in VisitFailure.values:
        raise ValidationError({"failure": _("Choose why the visit failed.")})
    return {}


def _reason_of_failed_visit(params: dict, reason: str) -> str:
    """The log is read by every party: the outcome in the project's language, then the note."""
    from django.conf import settings
    from django.utils import translation

    failure = ""
    if params.get("failure") in VisitFailure.values:
        with translation.override(settings.LANGUAGE_CODE):
            failure = str(VisitFailure(params["failure"]).label)
    return f"{failure}: {reason}" if reason and failure else (reason or failure)


def _prepare_record_agreement(actor, dwelling, params) -> dict:
    require(params, "signatory", "signatory_name", "signed_on", "document")
    errors = {}
    expected = dwelling.expected_signatory()
    if params["signatory"] != expected:
        errors["signatory"] = _(
            "For a dwelling that is %(ownership)s the agreement is signed by the %(signatory)s."
        ) % {"ownership": dwelling.get_ownership_display(), "signatory": Signatory(expected).label}
    if params["signed_on"] > today():
        errors["signed_on"] = _("The signing date cannot be in the future.")
    consent_on = params.get("owners_association_consent_on")
    if consent_on and consent_on > today():
        errors["owners_association_consent_on"] = _("The consent date cannot be in the future.")
    if dwelling.needs_owners_association_consent() and not consent_on:
        errors["owners_association_consent_on"] = _(
            "This apartment is in an owners' association: record the date it consented to the work "
            "on the common parts."
        )
    if dwelling.is_rental() and params.get("tenant_supports") is None:
        errors["tenant_supports"] = _("For a rented dwelling, record whether the tenant supports it.")
    if errors:
        raise ValidationError(errors)
    return {
        "signatory": params["signatory"],
        "signatory_name": params["signatory_name"],
        "signed_on": params["signed_on"],
        "document": params["document"],
        "owners_association_consent_on": consent_on,
        "tenant_supports": params.get("tenant_supports") if dwelling.is_rental() else None,
    }


def _prepare_assign(actor, dwelling, params) -> dict:
    from projects.models import Participation
    from projects.models.project import INSTALLING_ROLES

    require(params, "installer")
    installer_id = getattr(params["installer"], "pk", params["installer"])
    participation = (
        Participation.objects.filter(
            project_id=dwelling.project_id, organisation_id=installer_id, role__in=INSTALLING_ROLES
        )
        .select_related("organisation")
        .first()
    )
    if participation is None:
        raise ValidationError({"installer": _("Choose an installer that takes part in this project.")})
    return {"installer": participation.organisation}


def _dated(name: str, *, past_only: bool = False) -> Callable:
    def prepare(actor, dwelling, params) -> dict:
        value = params.get(name) or today()
        if past_only and value > today():
            raise ValidationError({name: _("This date cannot be in the future.")})
        return {name: value}

    return prepare


def _prepare_plan_installation(actor, dwelling, params) -> dict:
    """The date, and optionally the technician who does the work: a person of the dwelling's installer
    whose work is installing (a field worker, a planner or coordinator who goes out themselves)."""
    from projects.models import User
    from projects.permissions import INSTALLING

    kwargs = _dated("planned_on")(actor, dwelling, params)
    technician = params.get("technician")
    if technician in (None, ""):
        return {**kwargs, "technician": None}
    if not isinstance(technician, User):
        technician = User.objects.filter(pk=getattr(technician, "pk", technician)).first()
    if (
        technician is None
        or not technician.is_active
        or technician.organisation_id != dwelling.installer_id
        or not technician.has_work_role(*INSTALLING)
    ):
        raise ValidationError({"technician": _("Choose a technician of the installer of this dwelling.")})
    return {**kwargs, "technician": technician}


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
            if form_field is not None:
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
            prepare=_prepare_plan_survey,
        ),
        Move(
            "record_survey",
            gettext_lazy("Record the survey"),
            gettext_lazy("Survey recorded"),
            SURVEYOR_WORDS,
            main_step=True,
            params=VISIT,
            prepare=_prepare_record_survey,
        ),
        Move(
            "visit_failed",
            gettext_lazy("Visit failed"),
            gettext_lazy("Visit failed"),
            SURVEYOR_WORDS,
            params=(FAILURE, *VISIT),
            prepare=_prepare_visit_failed,
            describe=_reason_of_failed_visit,
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
            prepare=_prepare_record_agreement,
        ),
        Move(
            "assign",
            gettext_lazy("Assign to an installer"),
            gettext_lazy("Assigned to an installer"),
            LEAD,
            main_step=True,
            params=(INSTALLER,),
            prepare=_prepare_assign,
        ),
        Move(
            "plan_installation",
            gettext_lazy("Plan the installation"),
            gettext_lazy("Installation planned"),
            gettext_lazy("the installer of the dwelling"),
            main_step=True,
            params=(PLANNED_ON, TECHNICIAN),
            prepare=_prepare_plan_installation,
        ),
        Move(
            "report_installed",
            gettext_lazy("Report installed"),
            gettext_lazy("Installed"),
            gettext_lazy("the installer of the dwelling, or its technician"),
            main_step=True,
            params=(INSTALLED_ON,),
            prepare=_dated("installed_on", past_only=True),
        ),
        Move(
            "confirm_connection",
            gettext_lazy("Accept the delivery set: connected"),
            gettext_lazy("Delivery set accepted: connected"),
            HEAT_COMPANY,
            main_step=True,
            params=(CONNECTED_ON,),
            prepare=_dated("connected_on", past_only=True),
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
