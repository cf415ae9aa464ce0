"""Two people move the same dwelling at the same moment: one wins, the other learns it changed.

Real concurrency needs two database connections and row locks, so this runs on PostgreSQL only. Each
thread has its own connection (Django's connections are per thread) and closes it when done.
"""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone, translation

from projects.models import Dwelling, DwellingTransition, OrganisationKind, Role
from projects.services import DwellingChanged, dwelling_transition
from projects.states import DwellingState
from tests.conftest import member_of
from tests.factories import DwellingFactory, UserFactory

S = DwellingState

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks of PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 10  # seconds; no step should come near it


def in_thread(work, results, name):
    """Run ``work`` in a thread with its own connection; keep what it returns or raises."""

    def run():
        try:
            with translation.override("en"):
                results[name] = work()
        except Exception as exc:  # noqa: BLE001 - the test inspects what was raised
            results[name] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def waiting_for_a_lock() -> bool:
    """Whether some other connection is blocked on a lock right now (pg_locks is live)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0


def race(first, second):
    """``first`` moves the dwelling inside a transaction that it holds open until ``second`` is
    blocked on the row lock; then it commits and ``second`` goes on. Returns both outcomes and
    whether the overlap really happened."""
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    results = {}
    overlapped = threading.Event()

    def holder():
        with transaction.atomic():
            moved = first()  # locks the row (select_for_update) and moves it, not yet committed
            barrier.wait()
            deadline = time.monotonic() + TIMEOUT
            while time.monotonic() < deadline:
                if waiting_for_a_lock():
                    overlapped.set()
                    break
                time.sleep(0.02)
            time.sleep(0.05)
        return moved

    def contender():
        barrier.wait()
        return second()

    threads = [in_thread(holder, results, "first"), in_thread(contender, results, "second")]
    for thread in threads:
        thread.join(TIMEOUT * 2)
        assert not thread.is_alive(), f"{thread.name} hung"
    return results["first"], results["second"], overlapped.is_set()


@pytest.fixture
def parties(advised_project, lead_user):
    survey = member_of(advised_project, OrganisationKind.INSTALLER, Role.SURVEY_PARTY)
    return {
        "lead": lead_user,
        "cooperative": member_of(
            advised_project, OrganisationKind.HEAT_COOPERATIVE, Role.COMMUNICATING_PARTY
        ),
        "survey_party": survey,
        "surveyor": UserFactory(organisation=survey.organisation),
    }


def test_the_same_move_twice_at_once_happens_once(advised_project, parties):
    dwelling = DwellingFactory(project=advised_project, state=S.REGISTERED)

    def inform(actor):
        return lambda: dwelling_transition(
            actor=actor, dwelling_id=dwelling.pk, transition="inform", expected_state=S.REGISTERED
        )

    first, second, overlapped = race(inform(parties["lead"]), inform(parties["cooperative"]))

    assert overlapped, "the second move never waited for the first one's lock"
    assert isinstance(first, Dwelling), first
    assert first.state == S.INFORMED
    assert isinstance(second, DwellingChanged), second
    assert "changed meanwhile" in str(second)
    assert second.dwelling.state == S.INFORMED
    assert Dwelling.objects.get(pk=dwelling.pk).state == S.INFORMED
    rows = DwellingTransition.objects.filter(dwelling=dwelling)
    assert rows.count() == 1
    assert (rows.get().source, rows.get().target, rows.get().actor) == (
        S.REGISTERED,
        S.INFORMED,
        parties["lead"],
    )


@pytest.mark.parametrize("winner", ["decline", "plan_survey"])
def test_two_different_moves_from_the_same_state(advised_project, parties, winner):
    # Already the survey party's, so a declined home stays in its scope and it is told what happened.
    dwelling = DwellingFactory(
        project=advised_project, state=S.INFORMED, survey_party=parties["survey_party"].organisation
    )
    moves = {
        "decline": lambda: dwelling_transition(
            actor=parties["cooperative"],
            dwelling_id=dwelling.pk,
            transition="decline",
            expected_state=S.INFORMED,
            reason="De eigenaar wil toch niet.",
        ),
        "plan_survey": lambda: dwelling_transition(
            actor=parties["survey_party"],
            dwelling_id=dwelling.pk,
            transition="plan_survey",
            expected_state=S.INFORMED,
            surveyor=parties["surveyor"],
            appointment_at=timezone.now() + datetime.timedelta(days=3),
        ),
    }
    targets = {"decline": S.DECLINED, "plan_survey": S.SURVEY_PLANNED}
    loser = next(name for name in moves if name != winner)

    first, second, overlapped = race(moves[winner], moves[loser])

    assert overlapped, "the second move never waited for the first one's lock"
    assert isinstance(first, Dwelling), first
    assert isinstance(second, DwellingChanged), second
    assert "changed meanwhile" in str(second)
    stored = Dwelling.objects.get(pk=dwelling.pk)
    assert stored.state == targets[winner]
    rows = DwellingTransition.objects.filter(dwelling=dwelling)
    assert list(rows.values_list("transition", "source", "target")) == [(winner, S.INFORMED, targets[winner])]
    if winner == "decline":  # the losing survey plan left nothing behind
        assert (stored.surveyor, stored.survey_appointment_at) == (None, None)
    else:
        assert stored.state_reason == ""


def test_both_at_once_without_help_one_wins(advised_project, parties):
    """No held transaction this time: both start together; whichever is first, the other loses."""
    dwelling = DwellingFactory(
        project=advised_project, state=S.INFORMED, survey_party=parties["survey_party"].organisation
    )
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    results = {}

    def decline():
        barrier.wait()
        return dwelling_transition(
            actor=parties["lead"],
            dwelling_id=dwelling.pk,
            transition="decline",
            expected_state=S.INFORMED,
            reason="Nee.",
        )

    def plan_survey():
        barrier.wait()
        return dwelling_transition(
            actor=parties["survey_party"],
            dwelling_id=dwelling.pk,
            transition="plan_survey",
            expected_state=S.INFORMED,
            surveyor=parties["surveyor"],
            appointment_at=timezone.now() + datetime.timedelta(days=1),
        )

    threads = [in_thread(decline, results, "decline"), in_thread(plan_survey, results, "plan_survey")]
    for thread in threads:
        thread.join(TIMEOUT * 2)
        assert not thread.is_alive()
    outcomes = sorted(type(result).__name__ for result in results.values())
    assert outcomes == ["Dwelling", "DwellingChanged"], results
    winner = next(name for name, result in results.items() if isinstance(result, Dwelling))
    assert list(
        DwellingTransition.objects.filter(dwelling=dwelling).values_list("transition", flat=True)
    ) == [winner]
    assert (
        Dwelling.objects.get(pk=dwelling.pk).state
        == {"decline": S.DECLINED, "plan_survey": S.SURVEY_PLANNED}[winner]
    )
