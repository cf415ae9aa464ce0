"""Dwellings for the dashboards, in bulk: spread over streets, clusters, ownerships, types and states,
with the milestones' dates and the log rows of the moves that reached them, relative to today. Used by
the tests (a few dozen) and by ``scripts/bench_dashboards.py`` (100,000)."""

import datetime
import random

from django.utils import timezone

from projects.models import Dwelling, DwellingTransition, Ownership
from projects.models.dwellings import DwellingType
from projects.states import MAIN_PATH
from projects.states import DwellingState as S
from surveys.models import Visit

# A state for every dwelling, in proportions like a project half-way.
STATES = (
    [S.REGISTERED] * 4
    + [S.INFORMED] * 10
    + [S.SURVEY_PLANNED] * 4
    + [S.SURVEYED] * 6
    + [S.PLAN_READY] * 6
    + [S.AGREED] * 8
    + [S.ASSIGNED] * 6
    + [S.INSTALLATION_PLANNED] * 6
    + [S.INSTALLED] * 6
    + [S.CONNECTED] * 36
    + [S.DECLINED] * 5
    + [S.ON_HOLD] * 2
    + [S.WITHDRAWN] * 1
)
ORDER = MAIN_PATH
OWNERSHIPS = (
    [Ownership.OWNER_OCCUPIED] * 6 + [Ownership.PRIVATE_RENTAL] * 2 + [Ownership.HOUSING_ASSOCIATION] * 2
)
TYPES = [DwellingType.MID_TERRACE, DwellingType.END_OF_TERRACE, DwellingType.DETACHED, DwellingType.APARTMENT]
DECLINE_REASONS = ["Te duur", "Wil eigen cv-ketel houden", "Gaat verhuizen"]


def _reached(state) -> int:
    """How far along the main way a dwelling in ``state`` came (declined: informed; on hold: surveyed)."""
    if state in ORDER:
        return ORDER.index(state)
    return {S.DECLINED: 1, S.ON_HOLD: 3, S.WITHDRAWN: 0}[state]


def build(
    project,
    count: int,
    *,
    streets: list[tuple[str, int]] | None = None,
    installer=None,
    surveyor=None,
    per_street: int = 40,
    seed: int = 1,
):
    """``count`` dwellings in ``project``. ``streets``: (name, how many) to place first (a small street
    shows suppression); the rest go to "Laan 1" ... in blocks of ``per_street``. With a ``surveyor``, a
    dwelling visited twice has its failed first visit. Returns the dwellings' ids."""
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    placed = []
    for name, n in streets or []:
        placed += [name] * n
    dwellings = []
    offset = Dwelling.objects.filter(project=project).count()  # addresses after the ones already there
    for index in range(count):
        address = index + offset
        street = placed[index] if index < len(placed) else f"Laan {index // per_street + 1}"
        state = STATES[index % len(STATES)] if index >= len(placed) else STATES[(index * 7) % len(STATES)]
        reached = _reached(state)
        start = now - datetime.timedelta(days=200 - index % 150)
        surveyed_at = start + datetime.timedelta(days=20 + index % 30) if reached >= 3 else None
        agreed_on = (surveyed_at + datetime.timedelta(days=15 + index % 20)).date() if reached >= 5 else None
        connected_on = None
        if state == S.CONNECTED:
            connected_on = min(agreed_on + datetime.timedelta(days=30 + index % 40), today)
        dwellings.append(
            Dwelling(
                project=project,
                postcode=f"{1000 + address // 67600 % 9000} {chr(65 + address // 2600 % 26)}"
                f"{chr(65 + address // 100 % 26)}",
                house_number=address % 100 + 1,
                street=street,
                city="Amstelhoven",
                ownership=OWNERSHIPS[index % len(OWNERSHIPS)],
                dwelling_type=TYPES[index % len(TYPES)],
                cluster=f"Blok {chr(65 + index // 500 % 26)}" if index >= len(placed) else "Blok klein",
                state=state,
                visit_count=(0 if reached < 3 else (1 if index % 5 else 2)),
                survey_completed_at=surveyed_at,
                agreement_signed_on=agreed_on,
                installer=installer if reached >= 6 else None,
                installation_planned_on=(
                    today + datetime.timedelta(days=index % 21) if state == S.INSTALLATION_PLANNED else None
                ),
                installed_on=connected_on
                or (today - datetime.timedelta(days=3) if state == S.INSTALLED else None),
                connected_on=connected_on,
            )
        )
    made = Dwelling.objects.bulk_create(dwellings, batch_size=2000)
    log, visits = [], []
    for index, dwelling in enumerate(made):
        reached = _reached(dwelling.state)
        start = now - datetime.timedelta(days=200 - index % 150)
        if reached >= 1:
            log.append(_move(dwelling, "inform", S.REGISTERED, S.INFORMED, start))
        if dwelling.survey_completed_at:
            log.append(
                _move(dwelling, "record_survey", S.SURVEY_PLANNED, S.SURVEYED, dwelling.survey_completed_at)
            )
            if dwelling.visit_count > 1 and surveyor is not None:
                visits.append(
                    Visit(
                        dwelling=dwelling,
                        surveyor=surveyor,
                        started_at=dwelling.survey_completed_at - datetime.timedelta(days=7),
                        outcome=rng.choice(["not_home", "no_access", "second_visit_needed"]),
                    )
                )
        if dwelling.agreement_signed_on:
            at = timezone.make_aware(
                datetime.datetime.combine(dwelling.agreement_signed_on, datetime.time(10))
            )
            log.append(_move(dwelling, "record_agreement", S.PLAN_READY, S.AGREED, at))
        if dwelling.installed_on:
            at = timezone.make_aware(datetime.datetime.combine(dwelling.installed_on, datetime.time(9)))
            log.append(_move(dwelling, "report_installed", S.INSTALLATION_PLANNED, S.INSTALLED, at))
        if dwelling.connected_on:
            at = timezone.make_aware(datetime.datetime.combine(dwelling.connected_on, datetime.time(15)))
            log.append(_move(dwelling, "confirm_connection", S.INSTALLED, S.CONNECTED, at))
            if index % 50 == 0:
                log.append(_move(dwelling, "reject_installation", S.INSTALLED, S.INSTALLATION_PLANNED, at))
        if dwelling.state == S.DECLINED:
            log.append(
                _move(
                    dwelling,
                    "decline",
                    S.INFORMED,
                    S.DECLINED,
                    start + datetime.timedelta(days=10),
                    reason=DECLINE_REASONS[index % len(DECLINE_REASONS)],
                )
            )
    DwellingTransition.objects.bulk_create(log, batch_size=5000)
    Visit.objects.bulk_create(visits, batch_size=5000)
    return [dwelling.pk for dwelling in made]


def _move(dwelling, name, source, target, at, reason=""):
    return DwellingTransition(
        dwelling=dwelling, transition=name, source=source, target=target, at=at, reason=reason
    )
