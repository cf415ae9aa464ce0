"""How the base prepares a move: checks the parameters a move was given (``moves.Move.params``) and
returns the keyword arguments of the model method. Each function is ``(actor, dwelling, params) ->
dict`` and raises a ``ValidationError`` per field; ``moves.py`` names them in its declarations.
"""

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.residents import is_resident
from projects.states import Signatory, VisitFailure


def today() -> datetime.date:
    return timezone.localdate()


def require(params: dict, *names: str) -> None:
    missing = {name: _("This field is required.") for name in names if params.get(name) in (None, "")}
    if missing:
        raise ValidationError(missing)


def plan_survey(actor, dwelling, params) -> dict:
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
    # The resident books a time the survey party published (``surveys.planning``): its surveyor.
    everyone = actor.is_superuser or is_resident(actor)
    allowed = survey_parties if everyone else survey_parties & {actor.organisation_id}
    if surveyor is None or surveyor.organisation_id not in allowed:
        raise ValidationError({"surveyor": _("Choose a surveyor of your own survey party.")})
    return {"surveyor": surveyor, "appointment_at": params["appointment_at"]}


def record_survey(actor, dwelling, params) -> dict:
    return {"completed_at": timezone.now()}


def visit_failed(actor, dwelling, params) -> dict:
    require(params, "failure")
    if params["failure"] not in VisitFailure.values:
        raise ValidationError({"failure": _("Choose why the visit failed.")})
    return {}


def reason_of_failed_visit(params: dict, reason: str) -> str:
    """The log is read by every party: the outcome in the project's language, then the note."""
    from django.conf import settings
    from django.utils import translation

    failure = ""
    if params.get("failure") in VisitFailure.values:
        with translation.override(settings.LANGUAGE_CODE):
            failure = str(VisitFailure(params["failure"]).label)
    return f"{failure}: {reason}" if reason and failure else (reason or failure)


def record_agreement(actor, dwelling, params) -> dict:
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


def assign(actor, dwelling, params) -> dict:
    from projects.models import Participation
    from projects.models.project import INSTALLING_ROLES

    require(params, "installer")
    installer_id = getattr(params["installer"], "pk", params["installer"])
    # Read once per person and project: a bulk move assigns many dwellings of one project.
    known = actor.__dict__.setdefault("_installers_in", {})
    key = (dwelling.project_id, installer_id)
    if key not in known:
        participation = (
            Participation.objects.filter(
                project_id=dwelling.project_id, organisation_id=installer_id, role__in=INSTALLING_ROLES
            )
            .select_related("organisation")
            .first()
        )
        known[key] = participation.organisation if participation else None
    if known[key] is None:
        raise ValidationError({"installer": _("Choose an installer that takes part in this project.")})
    return {"installer": known[key]}


def reassign(actor, dwelling, params) -> dict:
    """Another installer of the project, not the one that has the work."""
    kwargs = assign(actor, dwelling, params)
    if kwargs["installer"].pk == dwelling.installer_id:
        raise ValidationError({"installer": _("This installer has the work already: choose another one.")})
    return kwargs


def dated(name: str, *, past_only: bool = False) -> Callable:
    def prepare(actor, dwelling, params) -> dict:
        value = params.get(name) or today()
        if past_only and value > today():
            raise ValidationError({name: _("This date cannot be in the future.")})
        return {name: value}

    return prepare


def plan_installation(actor, dwelling, params) -> dict:
    """The date, and optionally the technician who does the work: a person of the dwelling's installer
    (or of the organisation that plans it, a subcontractor) whose work is installing (a field worker, a
    planner or coordinator who goes out themselves)."""
    from projects.models import User
    from projects.permissions import INSTALLING

    kwargs = dated("planned_on")(actor, dwelling, params)
    technician = params.get("technician")
    # A resident who picks one of the installer's days names no technician: the installer plans who comes.
    if technician in (None, "") or is_resident(actor):
        return {**kwargs, "technician": None}
    if not isinstance(technician, User):
        technician = User.objects.filter(pk=getattr(technician, "pk", technician)).first()
    # The installer's own people, or those of the organisation that plans it (a subcontractor the work
    # was handed to plans its own technician).
    organisations = {dwelling.installer_id, actor.organisation_id}
    if (
        technician is None
        or not technician.is_active
        or technician.organisation_id not in organisations
        or not technician.has_work_role(*INSTALLING)
    ):
        raise ValidationError({"technician": _("Choose a technician of the installer of this dwelling.")})
    return {**kwargs, "technician": technician}


def reschedule_installation(actor, dwelling, params) -> dict:
    """Another day for a planned installation, and the technician who comes: the one named (checked as
    when planning), else the one planned stays. A resident moves the day only."""
    require(params, "planned_on")
    if params.get("technician") in (None, "") or is_resident(actor):
        return {**dated("planned_on")(actor, dwelling, params), "technician": dwelling.technician}
    return plan_installation(actor, dwelling, params)
