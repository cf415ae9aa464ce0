"""The demo's resident portal in Tuindorp-Oost: times to choose from next week, questions in the
cooperative's inbox (one answered, one waiting), and personal links for three residents, printed by
``manage.py demo``: a home waiting for its survey visit, one whose plan is ready for consent, and a
connected one.

A link's code is known only when it is made (the database keeps its hash), so every run makes three new
links for the same people; older ones keep working until they expire.
"""

import datetime
import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from portal.links import link_issue, url_of
from portal.models import Question
from portal.services import questions
from projects.models import Contact, Project, User
from projects.residents import Resident
from surveys.planning.services import slots_create

from .communication import COOPERATIVE
from .parties import PLANNER, SURVEYOR, TUINDORP

# What the printed links are for, in the order the README's walk-through uses them.
LINKS = (
    ("informed", "a home waiting for its survey visit: choose a time, ask a question"),
    ("plan_ready", "a home whose connection plan is ready: accept it with a one-time code"),
    ("connected", "a connected home: report a problem with the heat"),
)


def _working_days(start: datetime.date, count: int) -> list[datetime.date]:
    days, day = [], start
    while len(days) < count:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def _times_next_week(project: Project) -> None:
    """Published survey times three to five working days ahead, for residents to choose from."""
    planner = User.objects.filter(email=PLANNER).first()
    surveyor = User.objects.filter(email=SURVEYOR).first()
    if planner is None or surveyor is None:
        return
    days = _working_days(timezone.localdate(), 5)[2:]
    if surveyor.survey_slots.filter(starts_at__date__gte=days[0]).exists():
        return
    slots_create(
        actor=planner,
        project=project,
        surveyors=[surveyor],
        first_day=days[0],
        last_day=days[-1],
        start_time=datetime.time(9, 0),
        end_time=datetime.time(16, 30),
        visit_minutes=90,
        published=True,
    )


def _resident(project: Project, state: str) -> Contact | None:
    """The owner-occupier of the first home in ``state`` with an e-mail address (stable between runs)."""
    return (
        Contact.objects.filter(
            dwelling__project=project,
            dwelling__state=state,
            dwelling__ownership="owner_occupied",
            dwelling__owners_association="",
            role="owner",
        )
        .exclude(email="")
        .select_related("dwelling")
        .order_by("dwelling__street", "dwelling__house_number", "pk")
        .first()
    )


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (176, 190, 197)).save(out, "JPEG")
    return SimpleUploadedFile("meterkast.jpg", out.getvalue(), content_type="image/jpeg")


def _questions(project: Project, people: list[Contact]) -> None:
    """Two questions from other residents in the cooperative's inbox: one answered, one waiting."""
    if Question.objects.filter(project=project).exists():
        return
    cooperative = User.objects.filter(email=COOPERATIVE).first()
    askers = list(
        Contact.objects.filter(dwelling__project=project, dwelling__state="informed", role="owner")
        .exclude(pk__in=[p.pk for p in people])
        .exclude(email="")
        .order_by("pk")[:2]
    )
    if cooperative is None or len(askers) < 2:
        return
    answered, _made = questions.question_ask(
        resident=Resident(askers[0]),
        text="Moet ik de meterkast leegmaken voor het bezoek?",
        client_id=uuid.uuid4(),
        photo=_photo(),
    )
    questions.question_answer(
        actor=cooperative,
        question_id=answered.pk,
        text="Nee, dat hoeft niet. Zorg wel dat de schouwer er goed bij kan.",
    )
    questions.question_ask(
        resident=Resident(askers[1]),
        text="Kan het bezoek ook op zaterdag?",
        client_id=uuid.uuid4(),
    )


@transaction.atomic
def portal_demo() -> list[tuple[str, str]]:
    """(what the link is for, its URL) of the demo residents; empty without the demo project."""
    project = Project.objects.filter(slug=TUINDORP).first()
    if project is None:
        return []
    _times_next_week(project)
    people = [(label, _resident(project, state)) for state, label in LINKS]
    people = [(label, person) for label, person in people if person is not None]
    _questions(project, [person for _label, person in people])
    return [(label, url_of(link_issue(person, purpose="demo"))) for label, person in people]
