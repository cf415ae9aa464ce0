"""The history of a demo dwelling, played on the unsaved model.

Dwellings come in their thousands (``demo --dwellings 100000``), too many to move one at a time
through ``projects.services.dwelling_transition``. So each dwelling's history is played with the state
machine's own transition methods (which set the fields), every move checked against the permission
rule the service checks, by the person whose work the move is (a planner plans the visits, the
surveyor records them, the installer's planner plans and reports the installation, ...), and written
by ``demo.dwellings`` with ``bulk_create``: the same rows the service writes, one log row per
move, from *registered* to the dwelling's state.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone, translation

from demo.layout import Home
from demo.neighbourhoods import Neighbourhood
from demo.parties import DemoError
from demo.residents import (
    ASSOCIATION_WITHDRAW_REASONS,
    DECLINE_REASONS,
    HOLD_REASONS,
    REJECT_REASONS,
    VISIT_NOTES,
    WITHDRAW_REASONS,
    register,
)
from demo.surveys import demo_survey, demo_visit
from projects.models import (
    Contact,
    Dwelling,
    DwellingTransition,
    Organisation,
    Ownership,
    Participation,
    Project,
    Role,
    SurveyCoverage,
    User,
)
from projects.models.project import INSTALLING_ROLES
from projects.states import DECLINABLE_STATES, MAIN_PATH, SIDE_STATES, DwellingState, VisitFailure

S = DwellingState
# The move that reaches each state of the main path.
MAIN_STEP = {
    S.INFORMED: "inform",
    S.SURVEY_PLANNED: "plan_survey",
    S.SURVEYED: "record_survey",
    S.PLAN_READY: "approve_plan",
    S.AGREED: "record_agreement",
    S.ASSIGNED: "assign",
    S.INSTALLATION_PLANNED: "plan_installation",
    S.INSTALLED: "report_installed",
    S.CONNECTED: "confirm_connection",
}
# Working days since the previous move (for "inform": since the dwelling was registered).
GAPS = {
    "inform": (3, 25),
    "plan_survey": (4, 30),
    "record_survey": (3, 12),
    "visit_failed": (3, 12),
    "approve_plan": (6, 20),
    "record_agreement": (5, 40),
    "assign": (2, 12),
    "plan_installation": (3, 15),
    "report_installed": (5, 20),
    "confirm_connection": (1, 6),
    "reject_installation": (0.2, 3),
    "decline": (3, 30),
    "reopen": (15, 60),
    "hold": (2, 25),
    "resume": (10, 40),
    "withdraw": (3, 30),
}
DAY_START, DAY_MINUTES = 8 * 60, 9 * 60 + 30  # moves happen on working days between 8:00 and 17:30


class Calendar:
    """Working days from the start of a project's history, as a number line: 2.5 is midday of the third."""

    def __init__(self, start: datetime.date, today: datetime.date):
        self.days = []
        day = start
        while len(self.days) < 5 or day < today + datetime.timedelta(days=180):
            if day.weekday() < 5:
                self.days.append(day)
            day += datetime.timedelta(days=1)
        self.past = sum(1 for d in self.days if d < today)  # moves happen before today
        self.tz = timezone.get_default_timezone()

    def date(self, x: float) -> datetime.date:
        return self.days[int(x)]

    def at(self, x: float) -> datetime.datetime:
        day = self.days[int(x)]
        seconds = DAY_START * 60 + int((x - int(x)) * DAY_MINUTES * 60)
        return datetime.datetime(
            day.year, day.month, day.day, seconds // 3600, seconds // 60 % 60, seconds % 60, tzinfo=self.tz
        )


@dataclass
class Cast:
    """Who makes which move in a project, resolved from the demo users and checked against the rules."""

    project: Project
    lead: User
    informer: User
    surveyors: list[User]
    survey_planners: dict[int, User]  # organisation id -> who plans the visits of its surveyors
    heat_company: User
    installers: list[Organisation]  # one of these is assigned a home, unless its street is subcontracted
    installer_users: dict[int, User]  # organisation id -> who plans and reports its installations
    subcontracted: dict[str, Organisation]  # street -> the installer of its homes
    association: Organisation | None
    association_signer: str
    boundary: str  # the project's responsibility boundary (block 2.1), for the works of a survey
    selection: bool  # the project surveys a selection: some surveyed homes are its sample

    def actor(self, step: str, dwelling: Dwelling, kwargs: dict) -> User:
        if step in ("inform", "decline", "reopen", "record_agreement"):
            return self.informer
        if step == "plan_survey":
            surveyor = kwargs["surveyor"]
            return self.survey_planners.get(surveyor.organisation_id, surveyor)
        if step in ("record_survey", "visit_failed"):
            return dwelling.surveyor
        if step in ("plan_installation", "report_installed"):
            return self.installer_users[dwelling.installer_id]
        if step in ("confirm_connection", "reject_installation"):
            return self.heat_company
        return self.lead  # approve_plan, assign, hold, resume, withdraw

    def furthest(self, home: Home) -> str:
        """How far a home can get: past assigned only if its installer has someone to plan the work."""
        subcontractor = self.subcontracted.get(home.street)
        installers = [subcontractor] if subcontractor else self.installers
        if not installers:
            return S.AGREED
        if all(org.pk in self.installer_users for org in installers):
            return S.CONNECTED
        return S.ASSIGNED


def cast(project: Project, hood: Neighbourhood) -> Cast:
    emails = {
        hood.lead,
        hood.informer,
        hood.heat_company,
        *hood.surveyors,
        *hood.survey_planners,
        *hood.installer_users,
    }
    # Fresh user objects: permissions cache a user's roles, and the project may be new.
    users = {u.email: u for u in User.objects.filter(email__in=emails).select_related("organisation")}
    missing = sorted(emails - set(users))
    if missing:
        raise DemoError(f"The demo users {', '.join(missing)} do not exist; run `manage.py demo` first.")
    taking_part = Participation.objects.filter(project=project)
    installing = Organisation.objects.filter(
        pk__in=taking_part.filter(role__in=INSTALLING_ROLES).values("organisation_id")
    )
    installers = list(installing.filter(slug__in=hood.installers).order_by("slug"))
    subcontractors = {org.slug: org for org in installing.filter(slug__in=hood.subcontracted)}
    subcontracted = {
        street: subcontractors[slug]
        for slug, streets in hood.subcontracted.items()
        if slug in subcontractors
        for street in streets
    }
    installing_ids = {org.pk for org in [*installers, *subcontractors.values()]}
    installer_users = {}
    for email in hood.installer_users:
        if users[email].organisation_id in installing_ids:
            installer_users.setdefault(users[email].organisation_id, users[email])
    survey_parties = set(taking_part.filter(role=Role.SURVEY_PARTY).values_list("organisation_id", flat=True))
    surveyors = [users[email] for email in hood.surveyors]
    if any(user.organisation_id not in survey_parties for user in surveyors):
        raise DemoError(f"The surveyors of the demo are not of a survey party in {project.slug}.")
    survey_planners = {}
    for email in hood.survey_planners:
        if users[email].organisation_id in survey_parties:
            survey_planners.setdefault(users[email].organisation_id, users[email])
    association = (
        Organisation.objects.filter(
            slug=hood.housing_association,
            pk__in=taking_part.filter(role=Role.HOUSING_ASSOCIATION).values("organisation_id"),
        ).first()
        if hood.housing_association
        else None
    )
    signer = ""
    if association is not None:
        person = User.objects.filter(organisation=association).order_by("pk").first()
        signer = f"{association.name}, namens deze {person.get_full_name()}" if person else association.name
    return Cast(
        project=project,
        lead=users[hood.lead],
        informer=users[hood.informer],
        surveyors=surveyors,
        survey_planners=survey_planners,
        heat_company=users[hood.heat_company],
        installers=installers,
        installer_users=installer_users,
        subcontracted=subcontracted,
        association=association,
        association_signer=signer,
        boundary=project.governance.responsibility_boundary,
        selection=project.governance.survey_coverage == SurveyCoverage.SELECTION,
    )


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _steps(rng: random.Random, state: str, exit_step: str) -> list[str]:
    """The moves from registered to ``state`` (with the detours real dwellings take), then the exit."""
    stop = MAIN_PATH.index(state)
    steps = []
    for target in MAIN_PATH[1 : stop + 1]:
        step = MAIN_STEP[target]
        steps.append(step)
        if step == "inform" and stop >= 2 and rng.random() < 0.03:
            steps += ["decline", "reopen"]  # said no at first, changed their mind after the info evening
        elif step == "plan_survey":
            while rng.random() < 0.14:
                steps += ["visit_failed", "plan_survey"]
        elif step == "report_installed" and stop == len(MAIN_PATH) - 1 and rng.random() < 0.05:
            steps += ["reject_installation", "report_installed"]
    if stop == 1 and rng.random() < 0.08:
        steps += ["plan_survey", "visit_failed"]  # the survey visit failed and is not planned again yet
    pauses = [i + 1 for i, step in enumerate(steps) if step not in ("decline", "confirm_connection")]
    if pauses and rng.random() < 0.03:
        # On hold for a while, then resumed where it was (hold is possible from any active state).
        at = rng.choice(pauses)
        steps[at:at] = ["hold", "resume"]
    if exit_step:
        steps.append(exit_step)
    return steps


def _exit(rng: random.Random, hood: Neighbourhood, state: str, owner: str) -> tuple[str, str]:
    """Maybe a side exit: (the state the dwelling got to before it, the exit move) or (state, "")."""
    declined, held, withdrawn = hood.exits
    if owner == "association":
        declined, withdrawn = declined / 2, withdrawn * 2  # the association decides; some blocks go
    draw = rng.random()
    if draw < declined and state != S.REGISTERED:
        if state not in DECLINABLE_STATES:
            state = rng.choice((S.INFORMED, S.SURVEYED, S.PLAN_READY, S.PLAN_READY))
        return state, "decline"
    draw -= declined
    if draw < held:
        return (S.AGREED if state == S.CONNECTED else state), "hold"
    draw -= held
    if draw < withdrawn:
        return (rng.choice((S.INFORMED, S.SURVEYED)) if state == S.CONNECTED else state), "withdraw"
    return state, ""


@dataclass
class Records:
    """What a history leaves besides the log: visits, and the survey with its photos; unsaved."""

    visits: list = field(default_factory=list)
    surveys: list = field(default_factory=list)
    photos: list = field(default_factory=list)

    def extend(self, other: "Records") -> None:
        self.visits += other.visits
        self.surveys += other.surveys
        self.photos += other.photos


def build(
    home: Home, hood: Neighbourhood, cast: Cast, calendar: Calendar, check: bool
) -> tuple[Dwelling, list[Contact], list[DwellingTransition], Records]:
    """One dwelling with its people, its history and its survey records, unsaved."""
    rng = random.Random(home.seed)
    dwelling, contacts = register(home, hood, cast.project, cast.association, rng)
    records = Records()
    ownership = dwelling.ownership
    registered_at = rng.uniform(0, min(5, calendar.past / 20))
    dwelling.state_changed_at = calendar.at(registered_at)

    # How far it has got: by its street's rank, capped at what the project's parties can do.
    bucket = next(weights for upper, weights in hood.progress if home.rank < upper)
    state = _weighted(rng, bucket)
    furthest = cast.furthest(home)
    if MAIN_PATH.index(state) > MAIN_PATH.index(furthest):
        state = furthest
    state, exit_step = _exit(rng, hood, state, home.owner)
    steps = _steps(rng, state, exit_step)
    if not steps:
        return dwelling, contacts, [], records

    # When: gaps in working days, squeezed into the time there was, or spread out with a lead-in
    # that is longer the further down its district a street is.
    speed = rng.uniform(0.7, 1.4)
    gaps = [max(0.05, rng.uniform(*GAPS[step]) * speed) for step in steps]
    room = calendar.past - registered_at - 0.05
    total = sum(gaps)
    if total > room:
        gaps = [gap * room / total for gap in gaps]
    else:
        lead_in = (room - total) * min(1.0, max(0.0, home.rank * 0.9 + rng.uniform(-0.1, 0.3)))
        gaps[0] += lead_in
    times, x = [], registered_at
    for gap in gaps:
        x += gap
        times.append(x)

    surveyor = rng.choice(cast.surveyors)
    rows = []
    for i, step in enumerate(steps):
        x = times[i]
        at = calendar.at(x)
        following = steps[i + 1] if i + 1 < len(steps) else ""
        reason, kwargs = "", {}
        if step == "plan_survey":
            if following in ("record_survey", "visit_failed"):
                appointment = calendar.at(times[i + 1]).replace(minute=0, second=0)
                appointment = max(appointment, at)
            else:
                appointment = calendar.at(x + rng.uniform(3, 12)).replace(minute=0, second=0)
            kwargs = {"surveyor": surveyor, "appointment_at": appointment}
        elif step == "record_survey":
            kwargs = {"completed_at": at}
            visit_rng = random.Random(home.seed + 1)  # its own stream: the history stays as it was
            records.visits.append(
                demo_visit(
                    visit_rng, dwelling=dwelling, surveyor=surveyor, outcome="completed", at=at, note=""
                )
            )
            survey, photos = demo_survey(
                visit_rng, dwelling=dwelling, surveyor=surveyor, at=at, boundary=cast.boundary
            )
            records.surveys.append(survey)
            records.photos += photos
        elif step == "visit_failed":
            failure = rng.choice(VisitFailure.values[:2] * 3 + VisitFailure.values[2:3])
            note = rng.choice(VISIT_NOTES)
            if random.Random(home.seed + 7 + i).random() < 0.2:
                failure = VisitFailure.SECOND_VISIT_NEEDED  # surveyed halfway; the rest another day
            with translation.override("nl"):
                label = str(VisitFailure(failure).label)
            reason = f"{label}: {note}" if note else label
            records.visits.append(
                demo_visit(
                    random.Random(home.seed + len(records.visits) + 1),
                    dwelling=dwelling,
                    surveyor=surveyor,
                    outcome=failure,
                    at=at,
                    note=note,
                )
            )
        elif step == "approve_plan":
            kwargs = {"approved_at": at}
        elif step == "record_agreement":
            signed_on = max(
                calendar.date(x) - datetime.timedelta(days=rng.choice((0, 0, 0, 1, 2, 3, 5))),
                dwelling.plan_approved_at.astimezone(calendar.tz).date(),
            )
            kwargs = {
                "signatory": dwelling.expected_signatory(),
                "signatory_name": (
                    cast.association_signer
                    if ownership == Ownership.HOUSING_ASSOCIATION
                    else contacts[0].name
                ),
                "signed_on": signed_on,
                "owners_association_consent_on": (
                    signed_on - datetime.timedelta(days=rng.randint(5, 60))
                    if dwelling.needs_owners_association_consent()
                    else None
                ),
                "tenant_supports": rng.random() < 0.88 if dwelling.is_rental() else None,
            }
        elif step == "assign":
            drawn = rng.choice(cast.installers) if cast.installers else None
            kwargs = {"installer": cast.subcontracted.get(home.street, drawn)}
        elif step == "plan_installation":
            when = times[i + 1] if following == "report_installed" else x + rng.uniform(3, 20)
            kwargs = {"planned_on": calendar.date(when)}
        elif step == "report_installed":
            kwargs = {"installed_on": calendar.date(x)}
        elif step == "confirm_connection":
            kwargs = {"connected_on": calendar.date(x)}
        elif step == "decline":
            reason = rng.choice(DECLINE_REASONS)
            if dwelling.owners_association and rng.random() < 0.3:
                reason = "De VvE heeft in de ledenvergadering tegen gestemd."
        elif step == "hold":
            reason = rng.choice(HOLD_REASONS)
        elif step == "withdraw":
            reasons = WITHDRAW_REASONS
            if ownership == Ownership.HOUSING_ASSOCIATION:
                reasons += ASSOCIATION_WITHDRAW_REASONS * 3
            reason = rng.choice(reasons)
        elif step == "reject_installation":
            reason = rng.choice(REJECT_REASONS)
        rows.append(_move(dwelling, step, cast.actor(step, dwelling, kwargs), at, reason, kwargs, check))
    if cast.selection and records.surveys:
        dwelling.in_sample = random.Random(home.seed + 3).random() < 0.6
    return dwelling, contacts, rows, records


def _move(dwelling, step, actor, at, reason, kwargs, check) -> DwellingTransition:
    """What ``projects.services.dwellings._apply`` does, without the save: the same transition method,
    the same permission rule, the same fields and log row."""
    method = getattr(dwelling, step)
    source = dwelling.state
    if check and not method._django_fsm.has_transition_perm(dwelling, source, actor):
        raise DemoError(
            f"{actor.email} may not {step} a dwelling of {dwelling.project.slug} that is {source}."
        )
    method(**kwargs)
    dwelling.state_reason = reason if dwelling.state in SIDE_STATES else ""
    dwelling.state_changed_at = at
    return DwellingTransition(
        dwelling=dwelling,
        transition=step,
        source=source,
        target=dwelling.state,
        actor_id=actor.pk,
        organisation_id=actor.organisation_id,
        at=at,
        reason=reason,
    )
