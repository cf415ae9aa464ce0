"""Scope is a predicate with its queryset twin, and another app may contribute one
(``projects.workflow.scope``): the dwellings a person sees in lists and the API are exactly the ones
whose page they may open, whoever they are and whatever an app adds."""

import dataclasses

import pytest
from django.contrib.messages import get_messages
from django.db.models import Q
from django.urls import reverse

from projects import workflow
from projects.models import Dwelling, OrganisationKind
from projects.permissions import can_view_dwelling, dwelling_relations, dwellings_visible_to
from projects.workflow import registry
from tests.factories import UserFactory
from tests.world import build_outsider, build_world

pytestmark = pytest.mark.django_db


def twins_agree(user) -> set[int]:
    """The dwellings ``user`` sees, after checking that the queryset and the predicate say the same."""
    listed = set(dwellings_visible_to(user).values_list("pk", flat=True))
    one_by_one = {home.pk for home in Dwelling.objects.all() if can_view_dwelling(user, home)}
    assert listed == one_by_one, user.email
    return listed


@pytest.fixture
def world():
    world = build_world()
    # A housing association works with single homes, but sees only its own.
    world.people["association"] = UserFactory(
        organisation=world.organisations["association"], email="corporatie@kwartel.test"
    )
    return world


@pytest.fixture
def shared_clusters(monkeypatch):
    """A stand-in for an app that lets an organisation see the homes of the clusters shared with it (a housing
    association that manages the owners' association of a block), registered as an app's ``ready()`` would."""
    shared: dict[int, set[str]] = {}

    def condition(user):
        return Q(cluster__in=sorted(shared.get(user.organisation_id, ())))

    def holds(user, dwelling):
        return dwelling.cluster in shared.get(user.organisation_id, ())

    monkeypatch.setattr(registry, "_scopes", dict(registry._scopes))
    workflow.scope("shared_cluster", condition=condition)(holds)
    return shared


def test_for_every_person_the_list_and_the_page_agree(world):
    people = [*world.people.values()]
    people += [build_outsider(kind) for kind in (OrganisationKind.HEAT_COMPANY, OrganisationKind.INSTALLER)]
    seen = {person.email: twins_agree(person) for person in people}
    # The check means something: people see different, non-empty sets, and an outsider none of these.
    assert seen[world.people["coordinator"].email] == {home.pk for home in world.dwellings.values()}
    assert seen[world.people["surveyor"].email] < seen[world.people["coordinator"].email]
    assert world.dwellings["assigned"].pk not in seen[world.people["association"].email]
    assert not seen[people[-1].email] & seen[world.people["coordinator"].email]


def test_a_contributed_scope_opens_exactly_its_dwellings_everywhere(client, world, shared_clusters):
    association, project = world.people["association"], world.project
    home = world.dwellings["assigned"]
    page = reverse("projects:dwelling", args=[project.slug, home.pk])
    client.force_login(association)
    own = twins_agree(association)
    assert own and home.pk not in own
    assert client.get(page).status_code == 404
    assert client.get(f"/api/v1/dwellings/{home.pk}/").status_code == 404

    Dwelling.objects.filter(pk=home.pk).update(cluster="Tracé noord")
    shared_clusters[association.organisation_id] = {"Tracé noord"}

    home.refresh_from_db()
    assert "shared_cluster" in dwelling_relations(association, home)
    assert twins_agree(association) == own | {home.pk}
    assert client.get(page).status_code == 200
    assert client.get(f"/api/v1/dwellings/{home.pk}/").status_code == 200
    listed = client.get(reverse("projects:dwellings", args=[project.slug]))
    assert {row.pk for row in listed.context["page"].object_list} == own | {home.pk}
    # Seeing is not acting: the relation grants no move, and no one else gains anything.
    move = reverse("projects:dwelling-move", args=[project.slug, home.pk, "hold"])
    refused = client.post(move, {"hold-reason": "Graafwerk", "hold-expected_state": "assigned"})
    assert refused.status_code == 302
    assert [m.level_tag for m in get_messages(refused.wsgi_request)] == ["error"]
    home.refresh_from_db()
    assert home.state == "assigned"
    assert home.pk not in twins_agree(build_outsider(OrganisationKind.HOUSING_ASSOCIATION))


def test_a_field_worker_gains_only_a_personal_scope(world, shared_clusters, monkeypatch):
    surveyor = world.people["surveyor"]
    before = twins_agree(surveyor)
    other = world.dwellings["informed"]
    assert other.pk not in before
    Dwelling.objects.filter(pk=other.pk).update(cluster="Tracé zuid")
    shared_clusters[surveyor.organisation_id] = {"Tracé zuid"}
    # Shared with the organisation: its planner sees the home, the person in the field does not.
    assert other.pk in twins_agree(world.people["planner"])
    assert twins_agree(surveyor) == before

    shared = registry._scopes["shared_cluster"]
    monkeypatch.setitem(registry._scopes, "shared_cluster", dataclasses.replace(shared, personal=True))
    assert twins_agree(surveyor) == before | {other.pk}
