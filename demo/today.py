"""What the demo does through the services, as people would do it today: the planner plans the
surveyor's visits of the day and publishes open slots, the main contractor plans its technician's
installations, and a database loaded before the subcontractor had work gets that work now.

Each step is idempotent: it looks first whether its work is there.
"""

import datetime

from django.utils import timezone

from demo.evidence import complete
from demo.parties import LEAD, PLANNER, SURVEYOR, TUINDORP
from procurement.services.completion import evidence_required
from projects import services
from projects.models import Organisation, Participation, Project, User
from projects.models.project import INSTALLING_ROLES
from projects.states import DwellingState
from surveys.planning.services import slots_create

SURVEY_TIMES = ((9, 0), (10, 30), (12, 0), (13, 30), (15, 0))
SUBCONTRACTOR = "loodgieters-bakker"
MAIN_CONTRACTOR = "installatiebedrijf-van-dijk"
MAIN_CONTRACTOR_PLANNER = "installateur@demo.test"
TECHNICIAN = "monteur@demo.test"
TECHNICIAN_HOMES = 4
SUBCONTRACTOR_PLANNER = "onderaannemer@demo.test"
# Where the subcontractor's homes of an older database get to: one entry per home, in route order.
CATCH_UP = ("assigned", "assigned", "planned", "planned", "planned", "installed", "installed", "connected")
ROUTE_ORDER = ("city", "street", "house_number", "house_letter", "house_number_addition", "pk")


def _working_days(today: datetime.date, count: int) -> list[datetime.date]:
    days = [today + datetime.timedelta(days=n) for n in range(1, 3 * count + 7)]
    return [day for day in days if day.weekday() < 5][:count]


def _publish_slots(project: Project, planner: User, surveyor: User, today: datetime.date) -> None:
    """Open slots of the demo surveyor on the next two working days, offered to residents."""
    if surveyor.survey_slots.filter(starts_at__date__gt=today).exists():
        return
    days = _working_days(today, 2)
    slots_create(
        actor=planner,
        project=project,
        surveyors=[surveyor],
        first_day=days[0],
        last_day=days[-1],
        start_time=datetime.time(9, 0),
        end_time=datetime.time(15, 0),
        visit_minutes=90,
        published=True,
    )


def surveyor_with_visits_today() -> User | None:
    """The heat company's surveyor, with five visits planned for today in Tuindorp-Oost.

    The visits are planned through the service by the heat company's planner, as a real planning
    would be. Idempotent per day: a second run on the same day plans nothing; on a later day, when the
    surveyor has nothing planned for that day, it plans today's five, so "My day" is never empty.
    """
    surveyor = User.objects.filter(email=SURVEYOR).first()
    project = Project.objects.filter(slug=TUINDORP).first()
    if project is None or surveyor is None:
        return surveyor
    today = timezone.localdate()
    if surveyor.survey_dwellings.filter(survey_appointment_at__date=today).exists():
        return surveyor
    planner = User.objects.get(email=PLANNER)
    _publish_slots(project, planner, surveyor, today)
    homes = project.dwellings.filter(state="informed", survey_party__isnull=True).order_by(*ROUTE_ORDER)[
        : len(SURVEY_TIMES)
    ]  # route order, as the surveyor's day shows them
    for dwelling, (hour, minute) in zip(homes, SURVEY_TIMES, strict=False):
        services.dwelling_transition(
            actor=planner,
            dwelling_id=dwelling.pk,
            transition="plan_survey",
            expected_state="informed",
            surveyor=surveyor,
            appointment_at=timezone.make_aware(datetime.datetime.combine(today, datetime.time(hour, minute))),
        )
    return surveyor


def subcontractor_work() -> int:
    """Work for the subcontractor in a database whose register was made before it had any: a few of
    Tuindorp-Oost's agreed homes assigned to it by the lead party, and taken further by its planner
    and the heat company, through the service, today. A register made now has the subcontractor's
    streets in its history already, and then this does nothing. The number of homes moved."""
    project = Project.objects.filter(slug=TUINDORP).first()
    subcontractor = Organisation.objects.filter(slug=SUBCONTRACTOR).first()
    if project is None or subcontractor is None:
        return 0
    takes_part = Participation.objects.filter(
        project=project, organisation=subcontractor, role__in=INSTALLING_ROLES
    ).exists()
    if not takes_part or project.dwellings.filter(installer=subcontractor).exists():
        return 0
    lead = User.objects.get(email=LEAD)
    planner = User.objects.get(email=SUBCONTRACTOR_PLANNER)
    today = timezone.localdate()
    later = _working_days(today, len(CATCH_UP))
    homes = list(project.dwellings.filter(state=DwellingState.AGREED).order_by(*ROUTE_ORDER)[: len(CATCH_UP)])
    for number, (dwelling, goal) in enumerate(zip(homes, CATCH_UP, strict=False)):
        moves = [("assign", lead, {"installer": subcontractor})]
        if goal != "assigned":
            planned_on = later[number] if goal == "planned" else today
            moves.append(("plan_installation", planner, {"planned_on": planned_on}))
        if goal in ("installed", "connected"):
            moves.append(("complete", planner, {}))
            moves.append(("report_installed", planner, {"installed_on": today}))
        if goal == "connected":
            moves.append(("confirm_connection", lead, {"connected_on": today}))
        for transition, actor, params in moves:
            if transition == "complete":
                # A project that completes with evidence: the checklist first, as the installer fills it.
                if evidence_required(project.pk):
                    complete(dwelling, actor, serial=f"AS-{project.pk}-{dwelling.pk}", seed=dwelling.pk)
                continue
            services.dwelling_transition(
                actor=actor, dwelling_id=dwelling.pk, transition=transition, **params
            )
    return len(homes)


def technician_with_work() -> int:
    """The main contractor's technician, with installations planned for him on the next working days:
    its planner plans a few of its assigned homes in Tuindorp-Oost through the service. Idempotent: once
    he has homes, nothing more. The number of homes planned."""
    project = Project.objects.filter(slug=TUINDORP).first()
    technician = User.objects.filter(email=TECHNICIAN).first()
    installer = Organisation.objects.filter(slug=MAIN_CONTRACTOR).first()
    planner = User.objects.filter(email=MAIN_CONTRACTOR_PLANNER).first()
    if None in (project, technician, installer, planner) or technician.installation_dwellings.exists():
        return 0
    homes = list(
        project.dwellings.filter(state=DwellingState.ASSIGNED, installer=installer).order_by(*ROUTE_ORDER)[
            :TECHNICIAN_HOMES
        ]
    )
    days = _working_days(timezone.localdate(), len(homes))
    for dwelling, day in zip(homes, days, strict=False):
        services.dwelling_transition(
            actor=planner,
            dwelling_id=dwelling.pk,
            transition="plan_installation",
            expected_state=DwellingState.ASSIGNED,
            planned_on=day,
            technician=technician,
        )
    return len(homes)
