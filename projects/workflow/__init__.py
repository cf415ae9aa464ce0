"""The way of a dwelling from survey to connection: every move, declared once, and the points where
other apps plug in.

The way
-------
A dwelling enters the register *registered*. The lead or the communicating party **informs** its
residents. The survey party **plans the survey**: an appointment and the surveyor who comes. The
surveyor **records the survey** after one visit that gathers what every party needs, or records that
the **visit failed** (nobody home, no access, refused, a second visit needed), which sends the home
back to *informed*; every visit is counted. The lead party **approves the connection plan**. The lead
or the communicating party **records the agreement** of the right signatory. The lead party
**assigns** the home to an installer of the project, whose planner **plans the installation** (and its
technician); the installer **reports it installed**. The heat company **confirms the connection** when
it takes the delivery set into its management, or **rejects the installation** with a reason, which
sends it back to *installation planned*.

Side exits: the owner **declines** (from informed up to agreed; **reopen** brings the home back to
informed), the lead party puts an active home **on hold** with a reason (**resume** returns it to the
state it was held in), or **withdraws** it (demolition, out of scope) from any state but connected.

What is declared where
----------------------
``projects/models/dwellings.py`` holds the transitions as django-fsm methods: source, target,
conditions and the permission rule. This package declares everything else of a move, once
(``moves.py``): its label as an action ("Approve the connection plan") and as what happened ("Plan
approved"), who makes it in words, whether it is a step on the main way, whether residents may read
it, whether it needs a reason, and its parameters, each with its form field and API field
(``prepare.py`` checks what a move was given and turns it into the model method's arguments). The
dwelling page's forms, the API's transition request, the "waiting for" hint, the timeline and
``docs/state-machine.md`` are derived from these declarations. ``projects.services.dwelling_transition``
makes a move; nothing else does.

Extension points (``registry.py``), filled by other apps in their ``AppConfig.ready()``:

- ``validator(move)``: runs inside the row lock, after the base has prepared the move's parameters and
  before the model method; raises a translated ``ValidationError`` and nothing is saved (the
  surveyor's capacity, a complete survey).
- ``grant(move)``: lets someone make a move besides whom the base's rule allows (the installer that
  accepts its work package takes the work: ``assign``).
- ``writer(move)``: runs in the same transaction after the move is saved and logged (the visit row,
  the slot a visit takes).
- ``on_moved(subscriber)`` and ``on_register_changed(subscriber)``: events published once the
  transaction commits (``events.py``): *a dwelling moved* and *register data changed*. A subscriber only
  enqueues work (a Celery task); one that fails is logged and does not undo anything.
- ``scope(relation, condition=...)``: a way of seeing a dwelling that the base does not know (an
  installer through its work packages): a predicate with its queryset twin, which
  ``projects.permissions`` adds to ``dwelling_relations`` and ``dwellings_visible_to``.
- ``suggestion(move, param)``: a value another app knows that a move's form starts from (the tenant's
  support given in the resident portal), shown with where it comes from; only the form's start.
- ``dwelling_panel``, ``project_panel`` and ``project_link``: what the dwelling page and the project
  page show of another app (its sections, and buttons to its pages).
"""

from .events import (
    DwellingMoved,
    RegisterChanged,
    publish_moved,
    publish_moved_many,
    publish_register_changed,
)
from .moves import CONDITIONS, MOVES, Move, Param, move
from .registry import (
    Link,
    Scope,
    Suggestion,
    dwelling_panel,
    dwelling_panels,
    dwelling_sections,
    grant,
    grants,
    links_on,
    on_moved,
    on_moved_many,
    on_register_changed,
    one_at_a_time,
    project_link,
    project_links,
    project_panel,
    project_panels,
    project_sections,
    scope,
    scopes,
    suggest,
    suggestion,
    validator,
    validators,
    writer,
    writers,
)

__all__ = [
    "CONDITIONS",
    "MOVES",
    "DwellingMoved",
    "Link",
    "Move",
    "Param",
    "RegisterChanged",
    "Scope",
    "Suggestion",
    "dwelling_panel",
    "dwelling_panels",
    "dwelling_sections",
    "grant",
    "grants",
    "links_on",
    "move",
    "on_moved",
    "on_moved_many",
    "on_register_changed",
    "one_at_a_time",
    "project_link",
    "project_links",
    "project_panel",
    "project_panels",
    "project_sections",
    "publish_moved",
    "publish_moved_many",
    "publish_register_changed",
    "scope",
    "scopes",
    "suggest",
    "suggestion",
    "validator",
    "validators",
    "writer",
    "writers",
]
