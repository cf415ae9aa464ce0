"""Moving dwellings through the state machine: one service for every transition.

The service locks the row, checks that the dwelling is still where the actor saw it, checks the
transition and the actor's permission explicitly (django-fsm does not enforce ``permission=`` by
itself), validates what the transition needs, saves, and writes one log row. Pages, the API, the
admin, bulk moves, commands and tasks all come through here.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from projects.models import Dwelling, DwellingTransition, Participation, Role, User
from projects.models.project import INSTALLING_ROLES
from projects.permissions import can_view_dwelling
from projects.states import DwellingState, Signatory, VisitFailure


class DwellingChanged(Exception):
    """The dwelling moved on since the actor saw it; nothing was saved."""

    def __init__(self, dwelling: Dwelling):
        self.dwelling = dwelling
        super().__init__(
            _(
                "This dwelling changed meanwhile: it is now “%(state)s”. Look at its current state "
                "and try again if the move still makes sense."
            )
            % {"state": dwelling.get_state_display()}
        )


class TransitionRefused(Exception):
    """The move is not possible now (wrong state or an unmet condition); nothing was saved."""


@dataclass(frozen=True)
class TransitionSpec:
    name: str
    label: Promise
    reason_required: bool = False
    prepare: Callable | None = None  # (actor, dwelling, params) -> kwargs for the model method
    params: tuple[str, ...] = field(default=())
    # (actor, dwelling, params, log) -> None: what else the move records, in the same transaction
    after: Callable | None = None


def _today() -> datetime.date:
    return timezone.localdate()


def _require(params: dict, *names: str) -> None:
    missing = {name: _("This field is required.") for name in names if params.get(name) in (None, "")}
    if missing:
        raise ValidationError(missing)


def _prepare_plan_survey(actor: User, dwelling: Dwelling, params: dict) -> dict:
    _require(params, "surveyor", "appointment_at")
    surveyor = params["surveyor"]
    if not isinstance(surveyor, User):
        surveyor = User.objects.filter(pk=surveyor).first()
    if surveyor is not None and not surveyor.is_active:
        surveyor = None
    survey_parties = set(
        Participation.objects.filter(project_id=dwelling.project_id, role=Role.SURVEY_PARTY).values_list(
            "organisation_id", flat=True
        )
    )
    allowed_orgs = survey_parties if actor.is_superuser else survey_parties & {actor.organisation_id}
    if surveyor is None or surveyor.organisation_id not in allowed_orgs:
        raise ValidationError({"surveyor": _("Choose a surveyor of your own survey party.")})
    _check_surveyor_capacity(surveyor, dwelling, params["appointment_at"])
    return {"surveyor": surveyor, "appointment_at": params["appointment_at"]}


def _check_surveyor_capacity(surveyor: User, dwelling: Dwelling, appointment_at: datetime.datetime) -> None:
    """At most the surveyor's daily capacity of planned visits and open slots, and never two
    at once. An open slot at exactly this time is the one this visit takes (``_take_slot``); an open
    slot that overlaps it otherwise stays offered to residents, so the visit is refused.

    The surveyor's row is locked, so two planners cannot both take the last place of a day.
    """
    from surveys.models import SurveySlot

    User.objects.select_for_update().filter(pk=surveyor.pk).exists()
    local = timezone.localtime(appointment_at)
    day = local.date()
    planned = Dwelling.objects.filter(
        surveyor=surveyor, state=DwellingState.SURVEY_PLANNED, survey_appointment_at__date=day
    ).exclude(pk=dwelling.pk)
    length = datetime.timedelta(minutes=settings.SURVEY_VISIT_MINUTES)
    around = {"gt": appointment_at - length, "lt": appointment_at + length}
    overlapping = planned.filter(
        survey_appointment_at__gt=around["gt"], survey_appointment_at__lt=around["lt"]
    )
    if overlapping.exists():
        raise ValidationError(
            {
                "appointment_at": _(
                    "%(surveyor)s already has a visit at this time (visits take %(minutes)d minutes)."
                )
                % {"surveyor": surveyor, "minutes": settings.SURVEY_VISIT_MINUTES}
            }
        )
    open_slots = SurveySlot.objects.filter(
        surveyor=surveyor, dwelling__isnull=True, starts_at__date=day
    ).exclude(starts_at=appointment_at)
    clashing = open_slots.filter(starts_at__gt=around["gt"], starts_at__lt=around["lt"]).first()
    if clashing is not None:
        raise ValidationError(
            {
                "appointment_at": _(
                    "%(surveyor)s has an open slot at %(time)s that residents can book. Plan the visit "
                    "in that slot, or delete the slot first."
                )
                % {"surveyor": surveyor, "time": formats.time_format(timezone.localtime(clashing.starts_at))}
            }
        )
    capacity = surveyor.survey_capacity
    if planned.count() + open_slots.count() >= capacity:
        raise ValidationError(
            {
                "appointment_at": _(
                    "%(surveyor)s is fully booked on %(day)s (%(capacity)d visits a day). Choose another "
                    "day or another surveyor."
                )
                % {"surveyor": surveyor, "day": formats.date_format(day), "capacity": capacity}
            }
        )


def _take_slot(actor, dwelling, params, log) -> None:
    """A visit planned at the time of one of the surveyor's open slots takes that slot, so that it is
    no longer offered to residents; the dwelling lets go of an earlier slot (after a failed visit)."""
    from surveys.models import SurveySlot

    slot = (
        SurveySlot.objects.select_for_update()
        .filter(surveyor=dwelling.surveyor, starts_at=dwelling.survey_appointment_at, dwelling__isnull=True)
        .first()
    )
    if slot is None:
        return
    SurveySlot.objects.filter(dwelling=dwelling).update(dwelling=None, published=False)
    slot.dwelling = dwelling
    slot.save(update_fields=["dwelling"])


def _check_visit(actor: User, dwelling: Dwelling, params: dict) -> None:
    """What every visit records: why the home is visited again, and who came along."""
    errors = {}
    if dwelling.visit_count and not (params.get("second_visit_reason") or "").strip():
        errors["second_visit_reason"] = _(
            "This home was visited before: record why another visit was needed."
        )
    second = params.get("second_person_organisation")
    if second not in (None, ""):
        second_id = getattr(second, "pk", second)
        if not Participation.objects.filter(
            project_id=dwelling.project_id, organisation_id=second_id
        ).exists():
            errors["second_person_organisation"] = _(
                "Choose the organisation of the second person from the parties of this project."
            )
    if errors:
        raise ValidationError(errors)


def _prepare_record_survey(actor, dwelling, params) -> dict:
    from surveys.services import survey_gaps

    _check_visit(actor, dwelling, params)
    gaps = survey_gaps(dwelling)
    if gaps:
        raise ValidationError(
            {
                "survey": _("The survey is not complete yet. Still missing: %(fields)s.")
                % {"fields": "; ".join(gaps)}
            }
        )
    return {"completed_at": timezone.now()}


def _prepare_visit_failed(actor, dwelling, params) -> dict:
    _require(params, "failure")
    if params["failure"] not in VisitFailure.values:
        raise ValidationError({"failure": _("Choose why the visit failed.")})
    _check_visit(actor, dwelling, params)
    return {}


def _plan_approved(actor, dwelling, params, log) -> None:
    from surveys.plans.services import on_plan_approved

    on_plan_approved(dwelling, actor=actor)


def _plans_follow(actor, dwelling, params, log) -> None:
    # The plan shows the installer and the installation date: make new versions that say so.
    from surveys.plans.services import plans_refresh

    plans_refresh(dwelling, actor=actor)


def _record_visit(actor, dwelling, params, log) -> None:
    from surveys.services import visit_log

    visit_log(actor=actor, dwelling=dwelling, params=params, log=log)


def _prepare_record_agreement(actor, dwelling, params) -> dict:
    _require(params, "signatory", "signatory_name", "signed_on", "document")
    errors = {}
    expected = dwelling.expected_signatory()
    if params["signatory"] != expected:
        errors["signatory"] = _(
            "For a dwelling that is %(ownership)s the agreement is signed by the %(signatory)s."
        ) % {"ownership": dwelling.get_ownership_display(), "signatory": Signatory(expected).label}
    if params["signed_on"] > _today():
        errors["signed_on"] = _("The signing date cannot be in the future.")
    consent_on = params.get("owners_association_consent_on")
    if consent_on and consent_on > _today():
        errors["owners_association_consent_on"] = _("The consent date cannot be in the future.")
    if dwelling.needs_owners_association_consent() and not params.get("owners_association_consent_on"):
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
        "owners_association_consent_on": params.get("owners_association_consent_on"),
        "tenant_supports": params.get("tenant_supports") if dwelling.is_rental() else None,
    }


def _prepare_assign(actor, dwelling, params) -> dict:
    _require(params, "installer")
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


def _dated(name: str, *, past_only: bool = False):
    def prepare(actor, dwelling, params) -> dict:
        value = params.get(name) or _today()
        if past_only and value > _today():
            raise ValidationError({name: _("This date cannot be in the future.")})
        return {name: value}

    return prepare


def _prepare_plan_installation(actor, dwelling, params) -> dict:
    """The date, and optionally the technician who does the work: a person of the dwelling's installer
    whose work is installing (a field worker, a planner or coordinator who goes out themselves)."""
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


VISIT_PARAMS = ("second_visit_reason", "second_person_organisation", "started_at", "finished_at", "client_id")

TRANSITIONS: dict[str, TransitionSpec] = {
    spec.name: spec
    for spec in [
        TransitionSpec("inform", gettext_lazy("Informed")),
        TransitionSpec(
            "plan_survey",
            gettext_lazy("Plan the survey"),
            prepare=_prepare_plan_survey,
            params=("surveyor", "appointment_at"),
            after=_take_slot,
        ),
        TransitionSpec(
            "record_survey",
            gettext_lazy("Record the survey"),
            prepare=_prepare_record_survey,
            params=VISIT_PARAMS,
            after=_record_visit,
        ),
        TransitionSpec(
            "visit_failed",
            gettext_lazy("Visit failed"),
            prepare=_prepare_visit_failed,
            params=("failure", *VISIT_PARAMS),
            after=_record_visit,
        ),
        TransitionSpec(
            "approve_plan",
            gettext_lazy("Approve the connection plan"),
            prepare=lambda actor, dwelling, params: {"approved_at": timezone.now()},
            after=_plan_approved,
        ),
        TransitionSpec(
            "record_agreement",
            gettext_lazy("Record the agreement"),
            prepare=_prepare_record_agreement,
            params=(
                "signatory",
                "signatory_name",
                "signed_on",
                "document",
                "owners_association_consent_on",
                "tenant_supports",
            ),
        ),
        TransitionSpec(
            "assign",
            gettext_lazy("Assign to an installer"),
            prepare=_prepare_assign,
            params=("installer",),
            after=_plans_follow,
        ),
        TransitionSpec(
            "plan_installation",
            gettext_lazy("Plan the installation"),
            prepare=_prepare_plan_installation,
            params=("planned_on", "technician"),
            after=_plans_follow,
        ),
        TransitionSpec(
            "report_installed",
            gettext_lazy("Report installed"),
            prepare=_dated("installed_on", past_only=True),
            params=("installed_on",),
        ),
        TransitionSpec(
            "confirm_connection",
            gettext_lazy("Accept the delivery set: connected"),
            prepare=_dated("connected_on", past_only=True),
            params=("connected_on",),
        ),
        TransitionSpec("reject_installation", gettext_lazy("Reject the installation"), reason_required=True),
        TransitionSpec("decline", gettext_lazy("Declined by the owner"), reason_required=True),
        TransitionSpec("reopen", gettext_lazy("Reopen")),
        TransitionSpec("hold", gettext_lazy("Put on hold"), reason_required=True),
        TransitionSpec("resume", gettext_lazy("Resume")),
        TransitionSpec("withdraw", gettext_lazy("Withdraw"), reason_required=True),
    ]
}


def _check(actor: User, dwelling: Dwelling, spec: TransitionSpec) -> Callable:
    """The bound transition if the actor may make it now; a clear, translated refusal otherwise."""
    method = getattr(dwelling, spec.name)
    meta = method._django_fsm
    state = dwelling.state
    if not can_proceed(method, check_conditions=False):
        raise TransitionRefused(
            _("“%(transition)s” is not possible for a dwelling that is %(state)s.")
            % {"transition": spec.label, "state": dwelling.get_state_display()}
        )
    if not meta.has_transition_perm(dwelling, state, actor):
        raise PermissionDenied(
            _("Your organisation may not do “%(transition)s” for this dwelling.") % {"transition": spec.label}
        )
    if not meta.conditions_met(dwelling, state):
        unmet = [c.__name__ for c in meta.get_transition(state).conditions if not c(dwelling)]
        raise TransitionRefused(
            _("“%(transition)s” needs more first: %(missing)s.")
            % {"transition": spec.label, "missing": ", ".join(str(CONDITION_LABELS.get(c, c)) for c in unmet)}
        )
    return method


CONDITION_LABELS = {
    "has_survey_appointment": gettext_lazy("an appointment and a surveyor"),
    "has_complete_survey": gettext_lazy("a completed survey"),
    "has_valid_agreement": gettext_lazy("a recorded agreement"),
    "has_installer": gettext_lazy("an installer"),
    "has_installation_date": gettext_lazy("an installation date"),
}


# Who makes each move, in words, for the "waiting for" hint on the dwelling page.
MADE_BY = {
    "inform": gettext_lazy("the lead or the communicating party"),
    "plan_survey": gettext_lazy("the survey party"),
    "record_survey": gettext_lazy("the assigned surveyor"),
    "visit_failed": gettext_lazy("the assigned surveyor"),
    "approve_plan": gettext_lazy("the lead party"),
    "record_agreement": gettext_lazy("the lead or the communicating party"),
    "assign": gettext_lazy("the lead party"),
    "plan_installation": gettext_lazy("the installer of the dwelling"),
    "report_installed": gettext_lazy("the installer of the dwelling, or its technician"),
    "confirm_connection": gettext_lazy("the heat company"),
    "reject_installation": gettext_lazy("the heat company"),
    "decline": gettext_lazy("the lead or the communicating party"),
    "reopen": gettext_lazy("the lead or the communicating party"),
    "hold": gettext_lazy("the lead party"),
    "resume": gettext_lazy("the lead party"),
    "withdraw": gettext_lazy("the lead party"),
}
# Side exits are always possible; the hint names only the next steps on the way.
_NEXT_STEPS = (
    "inform",
    "plan_survey",
    "record_survey",
    "approve_plan",
    "record_agreement",
    "assign",
    "plan_installation",
    "report_installed",
    "confirm_connection",
    "reopen",
    "resume",
)


def waiting_for(actor: User, dwelling: Dwelling) -> list[tuple[TransitionSpec, Promise]]:
    """The next steps that someone else has to take: (move, who makes it)."""
    mine = {spec.name for spec in available_transitions(actor, dwelling)}
    steps = []
    for name in _NEXT_STEPS:
        method = getattr(dwelling, name)
        if name not in mine and can_proceed(method, check_conditions=False):
            steps.append((TRANSITIONS[name], MADE_BY[name]))
    return steps


def available_transitions(actor: User, dwelling: Dwelling) -> list[TransitionSpec]:
    """The moves this actor may make now, for the buttons on the dwelling page."""
    specs = []
    for spec in TRANSITIONS.values():
        method = getattr(dwelling, spec.name)
        meta = method._django_fsm
        if can_proceed(method, check_conditions=False) and meta.has_transition_perm(
            dwelling, dwelling.state, actor
        ):
            specs.append(spec)
    return specs


def _apply(
    actor: User, dwelling: Dwelling, spec: TransitionSpec, reason: str, params: dict
) -> DwellingTransition:
    method = _check(actor, dwelling, spec)
    reason = note = (reason or "").strip()
    if spec.name == "visit_failed":
        # The log is read by every party: write the outcome in the project's language, not the actor's.
        failure = ""
        if params.get("failure") in VisitFailure.values:
            with translation.override(settings.LANGUAGE_CODE):
                failure = str(VisitFailure(params["failure"]).label)
        reason = f"{failure}: {reason}" if reason and failure else (reason or failure)
    kwargs = spec.prepare(actor, dwelling, params) if spec.prepare else {}
    if spec.reason_required and not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    source = dwelling.state
    method(**kwargs)
    dwelling.state_reason = (
        reason
        if dwelling.state in (DwellingState.DECLINED, DwellingState.ON_HOLD, DwellingState.WITHDRAWN)
        else ""
    )
    dwelling.state_changed_at = timezone.now()
    dwelling.save()
    log = DwellingTransition.objects.create(
        dwelling=dwelling,
        transition=spec.name,
        source=source,
        target=dwelling.state,
        actor=actor,
        organisation_id=actor.organisation_id,
        at=dwelling.state_changed_at,
        reason=reason,
    )
    if spec.after:
        spec.after(actor, dwelling, {**params, "note": note}, log)
    return log


@transaction.atomic
def dwelling_transition(
    *,
    actor: User,
    dwelling_id: int,
    transition: str,
    expected_state: str | None = None,
    reason: str = "",
    **params,
) -> Dwelling:
    """Make one move. Raises Dwelling.DoesNotExist outside the actor's scope, DwellingChanged when the
    dwelling is no longer in ``expected_state``, PermissionDenied, TransitionRefused or ValidationError
    when the move is not allowed or incomplete. Nothing is saved unless everything holds."""
    spec = TRANSITIONS.get(transition)
    if spec is None:
        raise TransitionRefused(_("Unknown transition “%(name)s”.") % {"name": transition})
    dwelling = Dwelling.objects.select_for_update(of=("self",)).select_related("project").get(pk=dwelling_id)
    if not can_view_dwelling(actor, dwelling):
        raise Dwelling.DoesNotExist
    if expected_state is not None and dwelling.state != expected_state:
        raise DwellingChanged(dwelling)
    _apply(actor, dwelling, spec, reason, params)
    return dwelling


@dataclass
class BulkResult:
    moved: int = 0
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (dwelling id, address, reason)

    def as_dict(self) -> dict:
        return {"moved": self.moved, "skipped": [list(row) for row in self.skipped]}


def dwellings_bulk_transition(
    *,
    actor: User,
    dwelling_ids: Iterable[int],
    transition: str,
    reason: str = "",
    progress: Callable[[int], None] | None = None,
    chunk_size: int = 200,
    **params,
) -> BulkResult:
    """Apply one transition to many dwellings, each checked on its own; one log row per dwelling.

    Works in chunks, each in its own transaction, so a long run holds no lock for long and reports
    progress after every chunk. A dwelling that cannot move is skipped with the reason.
    """
    spec = TRANSITIONS.get(transition)
    if spec is None:
        raise TransitionRefused(_("Unknown transition “%(name)s”.") % {"name": transition})
    ids = list(dict.fromkeys(dwelling_ids))
    result = BulkResult()
    done = 0
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        with transaction.atomic():
            dwellings = (
                Dwelling.objects.select_for_update(of=("self",))
                .select_related("project")
                .filter(pk__in=chunk)
                .order_by("pk")
            )
            for dwelling in dwellings:
                if not can_view_dwelling(actor, dwelling):
                    continue  # outside scope: does not exist for this actor, not even as "skipped"
                try:
                    with transaction.atomic():
                        _apply(actor, dwelling, spec, reason, params)
                except (TransitionRefused, PermissionDenied, ValidationError) as exc:
                    dwelling.refresh_from_db()
                    result.skipped.append((dwelling.pk, str(dwelling), _reason_text(exc)))
                else:
                    result.moved += 1
        done += len(chunk)
        if progress:
            progress(done)
    return result


def _reason_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("Not allowed.")
