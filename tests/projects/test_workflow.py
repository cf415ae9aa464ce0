"""The workflow module: each move declared once, and the points where other apps plug in."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from projects import workflow
from projects.api import TransitionRequestSerializer
from projects.forms import TransitionForm
from projects.models import Dwelling, DwellingTransition, Ownership, User
from projects.services import dwelling_transition
from projects.workflow import registry
from tests.factories import DwellingFactory

pytestmark = pytest.mark.django_db


def test_every_parameter_of_every_move_is_in_the_form_and_the_api(lead_user, advised_project):
    """One declaration per parameter: the dwelling page's form and the API's request both follow it."""
    api_fields = TransitionRequestSerializer().fields
    # A rented apartment in an owners' association, visited before: every parameter applies.
    dwelling = DwellingFactory(
        project=advised_project,
        ownership=Ownership.PRIVATE_RENTAL,
        owners_association="VvE De Linde",
        visit_count=1,
        installer=advised_project.participations.get(role="main_contractor").organisation,
    )
    for move in workflow.MOVES.values():
        form = TransitionForm(move=move, dwelling=dwelling, actor=lead_user, prefix=move.name)
        for param in move.params:
            assert param.name in form.fields, (move.name, param.name)
            assert param.name in api_fields, (move.name, param.name)
    assert set(api_fields["transition"].choices) == set(workflow.MOVES)


def test_the_timeline_reads_as_a_history(client, lead_user, advised_project):
    dwelling = DwellingFactory(project=advised_project, state="registered")
    dwelling_transition(actor=lead_user, dwelling_id=dwelling.pk, transition="inform")
    dwelling_transition(actor=lead_user, dwelling_id=dwelling.pk, transition="hold", reason="Asbest")
    client.force_login(lead_user)
    titles = [entry["title"] for entry in client.get(f"/api/v1/dwellings/{dwelling.pk}/timeline/").json()]
    assert titles == [str(workflow.MOVES["hold"].done), str(workflow.MOVES["inform"].done)]
    public = client.get(f"/api/v1/dwellings/{dwelling.pk}/timeline/", {"public": 1}).json()
    assert [entry["title"] for entry in public] == [str(workflow.MOVES["inform"].done)]


@pytest.fixture
def plugged(monkeypatch):
    """A validator, a writer and a subscriber of a pretend app, for the duration of one test."""
    calls = []

    def refuse_on_a_saturday(attempt):
        calls.append(("validator", attempt.move.name, attempt.dwelling.state))
        if attempt.params.get("refuse"):
            raise ValidationError({"refuse": "Not today."})

    def write(attempt):
        calls.append(("writer", attempt.move.name, attempt.log.target))

    def listen(event):
        calls.append(
            ("event", event.move, event.source, event.target, transaction.get_connection().in_atomic_block)
        )

    monkeypatch.setattr(registry, "_validators", {"inform": [refuse_on_a_saturday]})
    monkeypatch.setattr(registry, "_writers", {"inform": [write]})
    monkeypatch.setattr(registry, "_moved_subscribers", [listen])
    return calls


def test_a_validator_refuses_and_nothing_changes(
    plugged, lead_user, advised_project, django_capture_on_commit_callbacks
):
    dwelling = DwellingFactory(project=advised_project, state="registered")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        dwelling_transition(actor=lead_user, dwelling_id=dwelling.pk, transition="inform", refuse=True)
    assert Dwelling.objects.get(pk=dwelling.pk).state == "registered"
    assert not DwellingTransition.objects.filter(dwelling=dwelling).exists()
    assert plugged == [("validator", "inform", "registered")]  # no writer ran, no event was told


def test_validators_writers_and_events_run_in_their_order(
    plugged, lead_user, advised_project, django_capture_on_commit_callbacks
):
    dwelling = DwellingFactory(project=advised_project, state="registered")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dwelling_transition(actor=lead_user, dwelling_id=dwelling.pk, transition="inform")
    # Validator before the move, writer after it in the same transaction; the event waits for the commit.
    assert plugged == [("validator", "inform", "registered"), ("writer", "inform", "informed")]
    for callback in callbacks:
        callback()
    assert plugged[-1][:4] == ("event", "inform", "registered", "informed")


def test_a_failing_subscriber_is_logged_and_undoes_nothing(
    monkeypatch, lead_user, advised_project, django_capture_on_commit_callbacks, caplog
):
    told = []

    def broken(event):
        raise RuntimeError("the broker is down")

    monkeypatch.setattr(registry, "_moved_subscribers", [broken, told.append])
    dwelling = DwellingFactory(project=advised_project, state="registered")
    with django_capture_on_commit_callbacks(execute=True):
        dwelling_transition(actor=lead_user, dwelling_id=dwelling.pk, transition="inform")
    assert Dwelling.objects.get(pk=dwelling.pk).state == "informed"
    assert [event.move for event in told] == ["inform"]  # the next subscriber still heard it
    assert "the broker is down" in caplog.text


def test_a_subscriber_for_many_hears_a_bulk_chunk_in_one_call(
    monkeypatch, lead_user, advised_project, django_capture_on_commit_callbacks
):
    from projects.services import dwellings_bulk_transition

    calls = []
    monkeypatch.setattr(registry, "_moved_many_subscribers", [calls.append])
    homes = DwellingFactory.create_batch(5, project=advised_project, state="informed")
    with django_capture_on_commit_callbacks(execute=True):
        dwellings_bulk_transition(
            actor=lead_user, dwelling_ids=[h.pk for h in homes], transition="hold", reason="Asbest"
        )
    assert [sorted(event.dwelling_id for event in call) for call in calls] == [sorted(h.pk for h in homes)]
    with django_capture_on_commit_callbacks(execute=True):
        dwelling_transition(actor=lead_user, dwelling_id=homes[0].pk, transition="resume")
    assert [[event.move for event in call] for call in calls[1:]] == [["resume"]]


def test_register_changes_are_told_once_committed(
    monkeypatch, lead_user, advised_project, django_capture_on_commit_callbacks
):
    from projects.services import dwelling_save

    told = []
    monkeypatch.setattr(registry, "_register_subscribers", [told.append])
    dwelling = DwellingFactory(project=advised_project, state="informed", build_year=1930)
    with django_capture_on_commit_callbacks(execute=True):
        dwelling_save(
            actor=lead_user,
            project=advised_project,
            dwelling=dwelling,
            fields={"build_year": 1931},
            contacts={},
        )
        dwelling_save(
            actor=lead_user,
            project=advised_project,
            dwelling=dwelling,
            fields={"build_year": 1931},
            contacts={},
        )
    # Once: the second save changed nothing.
    assert [(event.dwelling_ids, event.fields, event.source) for event in told] == [
        ((dwelling.pk,), frozenset({"build_year"}), "form")
    ]


def test_a_bulk_move_writes_a_chunk_in_the_same_queries_for_10_as_for_150(
    lead_user, advised_project, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.services import dwellings_bulk_transition

    def hold(count):
        ids = [d.pk for d in DwellingFactory.create_batch(count, project=advised_project, state="informed")]
        actor = User.objects.get(pk=lead_user.pk)  # a new request: what is read once per person, again
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            result = dwellings_bulk_transition(
                actor=actor, dwelling_ids=ids, transition="hold", reason="Asbest"
            )
        assert result.moved == count
        assert DwellingTransition.objects.filter(dwelling_id__in=ids, transition="hold").count() == count
        assert set(
            Dwelling.objects.filter(pk__in=ids).values_list("state", "held_state", "state_reason")
        ) == {("on_hold", "informed", "Asbest")}
        return len(queries)

    few = hold(10)
    assert hold(150) == few
