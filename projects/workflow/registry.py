"""The extension points of the workflow: the base owns the lists, other apps fill them in their
``AppConfig.ready()``, as Django's admin collects ``ModelAdmin``s.

Nothing here knows another app. Registering the same function twice registers it once, so a
``ready()`` that runs again (tests) does no harm.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    """A button on the project page: ``where`` says on which pages ("project", "dwellings")."""

    label: str
    url: str
    id: str
    primary: bool = False
    where: tuple[str, ...] = ("project",)


@dataclass(frozen=True)
class Scope:
    """A way of seeing a dwelling that another app knows of (an installer through a work package).

    ``holds(user, dwelling) -> bool`` is the predicate, ``condition(user) -> Q`` over ``Dwelling`` its
    queryset twin: the dwellings for which ``holds`` is true, no more and no fewer. ``personal``: it
    also counts for someone who only works in the field (the homes planned for them in person). A scope
    opens dwellings in the projects where the organisation works with single homes
    (``projects.permissions.works_with_dwellings``); the others see progress in aggregate only."""

    relation: str
    holds: Callable
    condition: Callable
    personal: bool = False


# Per move: (attempt) -> None, raising ValidationError. Inside the row lock, before the model method.
_validators: dict[str, list[Callable]] = {}
# The validators that read only their own dwelling and what the moves of a chunk do not write: a bulk
# move may check a whole chunk before it writes any of it.
_bulk_safe: set[Callable] = set()
# Per move: (user, dwelling) -> bool: another app lets someone make the move (besides the base's rule).
_grants: dict[str, list[Callable]] = {}
# Per move: (attempt) -> None. Same transaction, after the dwelling is saved and the move logged.
_writers: dict[str, list[Callable]] = {}
# (event) -> None, after commit: enqueue work, nothing else.
_moved_subscribers: list[Callable] = []
# ([event, ...]) -> None, after commit: the moves of one transaction at once (a bulk chunk).
_moved_many_subscribers: list[Callable] = []
_register_subscribers: list[Callable] = []
# By relation: the scopes other apps contribute to ``projects.permissions``.
_scopes: dict[str, Scope] = {}
# Per (move, parameter): (dwelling) -> Suggestion | None: what a move's form starts from that another
# app knows (the tenant's support given in the resident portal).
_suggesters: dict[tuple[str, str], list[Callable]] = {}
# (request, dwelling) -> str | None: a section of the dwelling page (rendered HTML), in this order.
_dwelling_panels: list[Callable] = []
# (user, project) -> list[Link]: buttons on the project page (and its dwelling list) to what another
# app offers.
_project_links: list[Callable] = []
# (request, project) -> str | None: a section of the project page's progress card (rendered HTML).
_project_panels: list[Callable] = []


def _add(items: list, function: Callable) -> Callable:
    if function not in items:
        items.append(function)
    return function


def validator(*moves: str, bulk_safe: bool = False) -> Callable:
    """Decorator: check ``moves`` before they are made. ``bulk_safe``: the check reads only its own
    dwelling and data that the moves do not write, so a bulk move may check a whole chunk first and
    write it at once; otherwise a bulk move goes one dwelling at a time."""

    def register(function: Callable) -> Callable:
        for name in moves:
            _add(_validators.setdefault(name, []), function)
        if bulk_safe:
            _bulk_safe.add(function)
        return function

    return register


def grant(*moves: str) -> Callable:
    """Decorator on ``(user, dwelling) -> bool``: let someone make ``moves`` besides whom the base's rule
    allows (procurement: the installer that accepts its package takes the work). Asked once per dwelling
    and move, so it should read a value cached on the user, not run a query per call."""

    def register(function: Callable) -> Callable:
        for name in moves:
            _add(_grants.setdefault(name, []), function)
        return function

    return register


def writer(*moves: str) -> Callable:
    """Decorator: record what else ``moves`` mean, in their transaction."""

    def register(function: Callable) -> Callable:
        for name in moves:
            _add(_writers.setdefault(name, []), function)
        return function

    return register


def on_moved(function: Callable) -> Callable:
    """Subscribe to *a dwelling moved* (``events.DwellingMoved``), after commit."""
    return _add(_moved_subscribers, function)


def on_moved_many(function: Callable) -> Callable:
    """Subscribe to *a dwelling moved* with the moves of one transaction in one call (a list of
    ``events.DwellingMoved``): for work that goes in chunks, such as a task per ten dwellings."""
    return _add(_moved_many_subscribers, function)


def on_register_changed(function: Callable) -> Callable:
    """Subscribe to *register data changed* (``events.RegisterChanged``), after commit."""
    return _add(_register_subscribers, function)


def dwelling_panel(function: Callable) -> Callable:
    """A section of the dwelling page: ``(request, dwelling) -> HTML or None``."""
    return _add(_dwelling_panels, function)


def project_link(function: Callable) -> Callable:
    """Buttons on the project page: ``(user, project) -> [Link, ...]``."""
    return _add(_project_links, function)


def project_panel(function: Callable) -> Callable:
    """A section of the project page: ``(request, project) -> HTML or None``."""
    return _add(_project_panels, function)


def scope(relation: str, *, condition: Callable, personal: bool = False) -> Callable:
    """Decorator on the predicate ``(user, dwelling) -> bool``: who stands in ``relation`` to a dwelling
    sees it, in pages, the API, exports and documents alike. ``condition(user)`` returns the ``Q`` that
    selects the same dwellings; the predicate is asked for one dwelling at a time, so it should read
    the dwelling's own fields or a value cached on the user, not run a query per call."""

    def register(holds: Callable) -> Callable:
        _scopes[relation] = Scope(relation, holds, condition, personal)
        return holds

    return register


@dataclass(frozen=True)
class Suggestion:
    """The value a move's form field starts from, and where it comes from (shown beside the field)."""

    value: object
    note: str


def suggestion(move: str, param: str) -> Callable:
    """Decorator on ``(dwelling) -> Suggestion | None``: the initial value of ``param`` in the form of
    ``move`` on the dwelling page. Only a start: the person making the move still chooses, and the
    move's own checks decide."""

    def register(function: Callable) -> Callable:
        _add(_suggesters.setdefault((move, param), []), function)
        return function

    return register


def suggest(move: str, param: str, dwelling) -> Suggestion | None:
    """The first suggestion for ``param`` of ``move`` on this dwelling, if any app has one."""
    for suggester in _suggesters.get((move, param), ()):
        found = suggester(dwelling)
        if found is not None:
            return found
    return None


def validators(move: str) -> list[Callable]:
    return list(_validators.get(move, ()))


def writers(move: str) -> list[Callable]:
    return list(_writers.get(move, ()))


def one_at_a_time(move: str) -> bool:
    """Whether a bulk move must make ``move`` dwelling by dwelling: a writer, or a validator that may
    read what the move before it wrote."""
    return bool(writers(move)) or any(check not in _bulk_safe for check in validators(move))


def grants(move: str) -> list[Callable]:
    return list(_grants.get(move, ()))


def scopes() -> list[Scope]:
    return list(_scopes.values())


def moved_subscribers() -> list[Callable]:
    return list(_moved_subscribers)


def moved_many_subscribers() -> list[Callable]:
    return list(_moved_many_subscribers)


def register_subscribers() -> list[Callable]:
    return list(_register_subscribers)


def dwelling_panels() -> list[Callable]:
    return list(_dwelling_panels)


def project_links() -> list[Callable]:
    return list(_project_links)


def project_panels() -> list[Callable]:
    return list(_project_panels)


def links_on(where: str, user, project) -> list[Link]:
    """The buttons other apps offer on a page of the project ("project" or "dwellings"), in order."""
    return [link for source in _project_links for link in source(user, project) if where in link.where]


def dwelling_sections(request, dwelling) -> list[str]:
    return [html for section in _dwelling_panels if (html := section(request, dwelling))]


def project_sections(request, project) -> list[str]:
    return [html for section in _project_panels if (html := section(request, project))]
