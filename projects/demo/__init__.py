"""Realistic demo data: two projects that differ, a login per kind of work, their homes with a history,
and the connection plans of those homes.

Idempotent: organisations and users are found by slug and e-mail, projects by slug; a project that
exists already keeps its register, plans that exist are not made again, so a second run adds nothing.

- ``parties``: organisations, people with their work roles, and the two projects with their governance;
- ``neighbourhoods``, ``layout``, ``residents``: the streets, homes and people the demo fills them with;
- ``history``: each home's way so far, played on the unsaved model by the people whose work each move is;
- ``dwellings``: writing the homes and their histories in batches (``demo --dwellings N``);
- ``today``: what the planner does through the services today (the surveyor's visits and slots);
- ``plans``: the connection plans (PDF) of the homes whose plan was approved;
- ``loading``: all of it in turn (``manage.py demo``).
"""

from projects.demo.dwellings import FillResult, dwellings_fill, register_sample
from projects.demo.loading import DemoResult, load_demo
from projects.demo.neighbourhoods import NEIGHBOURHOODS
from projects.demo.parties import (
    DEMO_PASSWORD,
    LINDEWIJK,
    TUINDORP,
    USERS,
    DemoError,
    demo_area_project,
)
from projects.demo.plans import PlanResult, plans_make
from projects.demo.today import subcontractor_work, surveyor_with_visits_today

__all__ = [
    "DEMO_PASSWORD",
    "LINDEWIJK",
    "NEIGHBOURHOODS",
    "TUINDORP",
    "USERS",
    "DemoError",
    "DemoResult",
    "FillResult",
    "PlanResult",
    "demo_area_project",
    "dwellings_fill",
    "load_demo",
    "plans_make",
    "register_sample",
    "subcontractor_work",
    "surveyor_with_visits_today",
]
