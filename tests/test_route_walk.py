"""A walk of every route as someone to whom the objects do not belong.

Every URL pattern of the resolver (the admin's too) is filled in with the ids of a full world
(``tests.world``: a project with dwellings in every state, their people, a survey with a photo,
visits, plans, slots, jobs of every kind, a sub-team, a sample, an audit trail) and requested with
GET, POST, PUT, PATCH and DELETE by:

- nobody (anonymous);
- a person of each kind of organisation whose organisation takes part in another project only, with
  every work role and the admin of the domain's apps (``OUTSIDERS``);
- a field worker of the project's survey party, for whom none of the walked homes is planned;
- a read-only colleague of the project's lead party.

What each may get is written down below (``judge``): outsiders and anonymous a login redirect,
401/403/404/405, or a page without a trace of the walked world (``World.secrets``); a field worker
404 for every home that is not theirs, 403/404 for project-wide work, and only the pages listed in
``FIELD_WORKER_OPENS``; the read-only colleague a refusal of every unsafe method. Nobody writes: after
each request a fingerprint of the main tables (every row, on PostgreSQL) is compared with the one
before, and the request's changes are rolled back (a savepoint), so that one cell cannot hide
another.

Two controls keep the walk honest. A platform superuser opens every filled-in route (no 404: the
ids are real), and a person allowed to make each change of ``WRITES`` sends its payload (the database
changes: the same request refused to anyone else means something). And the API schema's operations
must all be among the walked routes.

A route that the tables cannot fill in fails the walk by name: a new URL needs a rule in
``ROUTE_FILLS`` or ``KWARG_FILLS`` (and, where it answers 200 to someone, a line in an allow-list).
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import itertools
import json
import os
import re
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.regex_helper import normalize

from projects.models import OrganisationKind
from projects.views.tokens import new_form_id
from tests.conftest import next_monday, plan_visit
from tests.factories import ContactFactory, DwellingFactory, UserFactory
from tests.world import World, build_outsider, build_world, png

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Django's admin writes only on POST (ModelAdmin's and AdminSite's views); PUT, PATCH and DELETE
# render there as GET does, so the admin's routes are walked with GET and POST.
ADMIN_METHODS = ("GET", "POST")

# --- The routes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full route string (unique), its namespaced name, keywords and view."""

    route: str
    name: str | None
    regex: str
    kwargs: tuple[str, ...]
    callback: Callable

    @property
    def key(self) -> str:
        """How the tables below name the route: its name, or its route string when it has none."""
        return self.name or self.route

    @property
    def is_api(self) -> bool:
        from rest_framework.views import APIView

        view_class = getattr(self.callback, "cls", None)
        return isinstance(view_class, type) and issubclass(view_class, APIView)

    @property
    def admin_model(self) -> str | None:
        """The model label (``app.model``) of an admin page of one model."""
        for model in admin.site._registry:
            prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
            if self.route.startswith(prefix):
                return model._meta.label_lower
        return None


def _join(route: str, part: str) -> str:
    # As django.urls.resolvers.URLResolver._join_route: the ResolverMatch.route of a request.
    return route + part.removeprefix("^") if route else part


def _walk(patterns, route="", regex="", names=()):
    for pattern in patterns:
        part = pattern.pattern.regex.pattern
        joined = regex + (part.removeprefix("^") if regex else part)
        if isinstance(pattern, URLResolver):
            namespace = (*names, pattern.namespace) if pattern.namespace else names
            yield from _walk(pattern.url_patterns, _join(route, str(pattern.pattern)), joined, namespace)
        elif isinstance(pattern, URLPattern):
            name = ":".join((*names, pattern.name)) if pattern.name else None
            kwargs = tuple(sorted(re.compile(joined).groupindex))
            yield Route(_join(route, str(pattern.pattern)), name, joined, kwargs, pattern.callback)


def all_routes(urlconf=None) -> list[Route]:
    return list(_walk(get_resolver(urlconf).url_patterns))


# --- Filling in a route -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Fill:
    """How one keyword is filled in. ``scoped``: the value is an object of the walked world, which an
    outsider must not reach; ``home``: it is (or belongs to) a home not planned for the field worker."""

    value: Callable[[World], Any]
    scoped: bool = True
    home: bool = False


# The resident portal's pages under /r/<code>/.
PORTAL_CODE_ROUTES = [
    f"portal:{name}"
    for name in (
        "home",
        "visit",
        "visit-cancel",
        "visit-calendar",
        "plan",
        "plan-file",
        "questions",
        "aftercare",
        "preferences",
        "renew",
        "installation",
        "installation-calendar",
        "meetings",
        "meeting-reply",
        "sounding-board",
        "agreement",
        "agreement-code",
        "agreement-accept",
        "agreement-file",
    )
]


def _tampered(code: str) -> str:
    from portal import tokens

    return tokens.written(code[:-1] + ("A" if code[-1] != "A" else "B"))


def dwelling(state: str) -> Fill:
    return Fill(lambda w: w.dwellings[state].pk, home=True)


def job(kind: str) -> Fill:
    return Fill(lambda w: w.jobs[kind].pk)


PROJECT = Fill(lambda w: w.project.slug)
PHOTO = Fill(lambda w: w.objects["photo"].pk, home=True)
SLOT = Fill(lambda w: w.objects["slots"]["published"].pk)
COORDINATOR = Fill(lambda w: w.people["coordinator"].pk)
COLLEAGUE = Fill(lambda w: w.people["colleague"].pk)
PACKAGE = Fill(lambda w: w.objects["package"].number)
PACKAGE_ID = Fill(lambda w: w.objects["package"].pk)

# Per route (its name, or its route string when unnamed) and keyword. A route's keyword is looked up
# here first, then in KWARG_FILLS; the admin's object ids come from ADMIN_OBJECTS.
ROUTE_FILLS: dict[tuple[str, str], Fill] = {
    ("projects:participation-remove", "pk"): Fill(lambda w: w.objects["participation"].pk),
    ("projects:subteam-edit", "pk"): Fill(lambda w: w.objects["subteam"].pk),
    ("projects:subteam-delete", "pk"): Fill(lambda w: w.objects["subteam"].pk),
    ("projects:dwelling", "pk"): dwelling("informed"),
    ("projects:dwelling-edit", "pk"): dwelling("informed"),
    ("projects:dwelling-history", "pk"): dwelling("informed"),
    ("projects:contact-history", "pk"): dwelling("informed"),
    ("projects:dwelling-agreement", "pk"): dwelling("agreed"),
    # The move "inform" of a registered home: it would succeed for the lead party's communication.
    ("projects:dwelling-move", "pk"): dwelling("registered"),
    ("projects:job", "job_id"): job("bulk_transition"),
    ("progress:export-job", "job_id"): job("dwelling_export"),
    ("progress:export-job-status", "job_id"): job("dwelling_export"),
    ("progress:export-download", "job_id"): job("dwelling_export"),
    ("progress:report-file", "pk"): Fill(lambda w: w.objects["monthly_report"].pk),
    # A dashboard across projects: someone else's is their own (not scoped); both kinds are walked.
    ("progress:scope-csv", "scope"): Fill(lambda w: "municipality", scoped=False),
    ("progress:scope-xlsx", "scope"): Fill(lambda w: "programme", scoped=False),
    ("progress:scope-reports", "scope"): Fill(lambda w: "municipality", scoped=False),
    ("progress:scope-report-make", "scope"): Fill(lambda w: "programme", scoped=False),
    ("progress:scope", "scope"): Fill(lambda w: "programme", scoped=False),
    ("progress_api:scope", "scope"): Fill(lambda w: "municipality", scoped=False),
    ("projects:job-status", "job_id"): job("bulk_transition"),
    ("projects:imports:job", "job_id"): job("import"),
    ("projects:imports:job-status", "job_id"): job("import"),
    ("projects:imports:rejects", "job_id"): job("import"),
    ("projects:imports:changes", "job_id"): job("import"),
    ("plans:job", "job_id"): job("plan_batch"),
    ("plans:job-status", "job_id"): job("plan_batch"),
    ("planning:job", "job_id"): job("area_planning"),
    ("planning:job-status", "job_id"): job("area_planning"),
    # The survey of the home whose visit is planned (for a colleague of the field worker).
    ("surveys:form", "pk"): dwelling("survey_planned"),
    ("surveys:finish", "pk"): dwelling("survey_planned"),
    ("surveys:photo", "pk"): PHOTO,
    ("survey_api:survey", "pk"): dwelling("survey_planned"),
    ("survey_api:answers", "pk"): dwelling("survey_planned"),
    ("survey_api:works", "pk"): dwelling("survey_planned"),
    ("survey_api:photos", "pk"): dwelling("survey_planned"),
    ("survey_api:photo", "pk"): dwelling("survey_planned"),
    ("survey_api:visits", "pk"): dwelling("survey_planned"),
    ("plans:file", "pk"): Fill(lambda w: w.objects["plans"]["full"].pk, home=True),
    ("plans:make", "pk"): dwelling("plan_ready"),
    ("plans_api:dwelling-plans", "pk"): dwelling("plan_ready"),
    ("plans_api:render", "pk"): dwelling("plan_ready"),
    ("plans_api:file", "pk"): Fill(lambda w: w.objects["plans"]["installer"].pk, home=True),
    ("planning_api:slot-detail", "pk"): SLOT,
    ("planning_api:slot-book", "pk"): SLOT,
    ("organisation-detail", "pk"): Fill(lambda w: w.organisations["water"].pk),
    ("dwelling-detail", "pk"): dwelling("informed"),
    ("dwelling-history", "pk"): dwelling("informed"),
    ("dwelling-timeline", "pk"): dwelling("surveyed"),
    ("dwelling-transitions", "pk"): dwelling("registered"),
    ("people:edit", "pk"): COLLEAGUE,
    # The coordinator's API token: nobody else's to see or revoke.
    ("tokens:revoke", "pk"): Fill(lambda w: w.objects["token"].pk),
    **{
        (f"packages_api:package-{name}", "pk"): PACKAGE_ID
        for name in ("detail", "offer", "withdraw", "accept", "decline", "move")
    },
    **{
        (f"packages:{name}", "number"): PACKAGE
        for name in (
            "detail",
            "offer",
            "withdraw",
            "accept",
            "decline",
            "hand",
            "move",
        )
    },
    **{
        (f"packages:{name}", "number"): Fill(lambda w: w.objects["accepted_package"].number)
        for name in ("days", "day-withdraw")
    },
    ("people:unlock", "pk"): COLLEAGUE,
    **{
        (f"tenders:{name}", "pk"): Fill(lambda w: w.objects["tender"].pk)
        for name in ("detail", "bid", "award")
    },
    **{
        (f"tenders_api:tender-{name}", "pk"): Fill(lambda w: w.objects["tender"].pk)
        for name in ("detail", "bid", "award")
    },
    ("agreements:edit", "pk"): Fill(lambda w: w.objects["agreement"].pk),
    ("agreements:pool-edit", "pk"): Fill(lambda w: w.objects["pool"].pk),
    **{
        (f"communication:{name}", "pk"): Fill(lambda w: w.objects["campaign"].pk)
        for name in ("campaign", "campaign-status", "campaign-send", "campaign-cancel", "campaign-retry")
    },
    ("communication:template-approve", "pk"): Fill(lambda w: w.objects["template"].pk),
    # The resident portal: the personal link is the key, so the walk sends another one than the world's
    # (its last character changed): 404 for everyone, and nothing changes. tests/portal opens the pages
    # with real links, another person's link, swapped ids and stale forms.
    **{
        (key, "code"): Fill(lambda w: _tampered(w.objects["portal_code"]), home=True)
        for key in PORTAL_CODE_ROUTES
    },
    ("inbox:question", "pk"): Fill(lambda w: w.objects["question"].pk, home=True),
    ("portal:meeting-reply", "pk"): Fill(lambda w: w.objects["meeting"].pk),
    **{
        (f"meetings:{name}", "pk"): Fill(lambda w: w.objects["meeting"].pk)
        for name in ("detail", "edit", "notes", "invite")
    },
    ("inbox:photo", "pk"): Fill(lambda w: w.objects["question"].pk, home=True),
    ("inbox:new-link", "pk"): Fill(lambda w: w.contacts["informed"].pk, home=True),
    ("communication_api:message-detail", "pk"): Fill(lambda w: w.objects["message"].pk, home=True),
    ("communication_api:campaign-detail", "pk"): Fill(lambda w: w.objects["campaign"].pk),
    ("communication:letters", "pk"): Fill(lambda w: w.objects["letter_batch"].pk),
    ("communication:request", "pk"): Fill(lambda w: w.objects["message_request"].pk),
    ("communication:person", "pk"): Fill(lambda w: w.contacts["informed"].pk, home=True),
    ("communication:template", "key"): Fill(lambda w: "survey_invitation", scoped=False),
    ("communication:template", "language"): Fill(lambda w: "nl", scoped=False),
    ("installations:photo", "pk"): Fill(lambda w: w.objects["completion_photo"].pk, home=True),
    ("installations:completion", "pk"): dwelling("installed"),
    ("installations:review", "pk"): dwelling("installed"),
    ("installations:extra-work", "pk"): dwelling("installed"),
    **{
        (f"installations_api:{name}", "pk"): dwelling("installation_planned")
        for name in ("completion", "answers", "photos", "photo", "report")
    },
    ("installations_api:review", "pk"): dwelling("installed"),
    ("installations_api:photo", "client_id"): Fill(lambda w: w.objects["completion_photo"].client_id),
    ("delivery_sets_api:delivery-set-detail", "pk"): Fill(lambda w: w.objects["delivery_set"].pk),
    ("admin:view_on_site", "content_type_id"): Fill(
        lambda w: ContentType.objects.get_for_model(w.project).pk, scoped=False
    ),
    ("admin:view_on_site", "object_id"): Fill(lambda w: w.project.pk),
}

# Per keyword, for every route that has no rule of its own above. ``pk`` has no default: it is a
# dwelling on one route, a person, a plan or a slot on others, and a wrong default would walk a new
# page with an id it never finds (404 for everyone, which proves nothing).
KWARG_FILLS: dict[str, Fill] = {
    "slug": PROJECT,
    "dwelling_id": dwelling("informed"),
    "contact_pk": Fill(lambda w: w.contacts["informed"].pk, home=True),
    "client_id": Fill(lambda w: w.objects["photo"].client_id, home=True),
    "transition": Fill(lambda w: "inform", scoped=False),
    # DRF's format suffix: the same view, answering JSON.
    "format": Fill(lambda w: "json", scoped=False),
    # The password pages with a link that is not valid (a real person's id, a made-up token).
    "uidb64": Fill(lambda w: urlsafe_base64_encode(force_bytes(w.people["coordinator"].pk)), scoped=False),
    "token": Fill(lambda w: "cv3k2a-0123456789abcdef0123456789abcdef", scoped=False),
    # The admin's catch-all: a page that does not exist.
    "url": Fill(lambda w: "no-such-page/", scoped=False),
}
# The admin's index of one app: the domain's.
ROUTE_FILLS[("admin:app_list", "app_label")] = Fill(lambda w: "projects", scoped=False)
# The converter of DRF's root view takes the suffix with its dot.
ROUTE_FILLS[("api-root", "format")] = Fill(lambda w: ".json", scoped=False)

# The object of each model registered in the admin: one of the walked world's, or (for the platform's
# own models) an object that points at its people. ``scoped`` as in Fill.
ADMIN_OBJECTS: dict[str, Fill] = {
    "projects.organisation": Fill(lambda w: w.organisations["survey"].pk),
    "projects.user": COORDINATOR,
    "projects.project": Fill(lambda w: w.project.pk),
    "projects.participation": Fill(lambda w: w.objects["participation"].pk),
    "projects.subteam": Fill(lambda w: w.objects["subteam"].pk),
    "projects.governance": Fill(lambda w: w.objects["governance"].pk),
    "projects.dwelling": dwelling("informed"),
    "projects.dwellingtransition": Fill(lambda w: w.objects["transition"].pk, home=True),
    "projects.job": job("import"),
    "auditlog.logentry": Fill(lambda w: w.objects["log_entry"].pk),
    "surveys.visit": Fill(lambda w: w.objects["visit"].pk, home=True),
    "surveys.survey": Fill(lambda w: w.objects["survey"].pk, home=True),
    "procurement.frameworkagreement": Fill(lambda w: w.objects["agreement"].pk),
    "procurement.unitrate": Fill(lambda w: w.objects["rate"].pk),
    "procurement.pool": Fill(lambda w: w.objects["pool"].pk),
    "procurement.projectprocurement": Fill(lambda w: w.objects["procurement"].pk),
    "procurement.installerprofile": Fill(lambda w: w.objects["installer_profile"].pk),
    "procurement.certificate": Fill(lambda w: w.objects["certificate"].pk),
    "procurement.workpackage": Fill(lambda w: w.objects["package"].pk),
    "procurement.deliveryset": Fill(lambda w: w.objects["delivery_set"].pk),
    "procurement.installationreview": Fill(lambda w: w.objects["review"].pk),
    "procurement.completion": Fill(lambda w: w.objects["completion"].pk),
    "procurement.tender": Fill(lambda w: w.objects["tender"].pk),
    "communication.message": Fill(lambda w: w.objects["message"].pk, home=True),
    "communication.campaign": Fill(lambda w: w.objects["campaign"].pk),
    "communication.template": Fill(lambda w: w.objects["template"].pk),
    "communication.messagerequest": Fill(lambda w: w.objects["message_request"].pk),
    "communication.letterbatch": Fill(lambda w: w.objects["letter_batch"].pk),
    "portal.question": Fill(lambda w: w.objects["question"].pk, home=True),
    "portal.portallink": Fill(lambda w: w.objects["portal_link"].pk, home=True),
    "portal.acceptance": Fill(lambda w: w.objects["acceptance"].pk, home=True),
    "portal.meeting": Fill(lambda w: w.objects["meeting"].pk),
    "portal.meetingreply": Fill(lambda w: w.objects["meeting_reply"].pk, home=True),
    "portal.soundingboardmember": Fill(lambda w: w.objects["board_member"].pk, home=True),
    "projects.apitoken": Fill(lambda w: w.objects["token"].pk),  # a project person's API token
    "axes.accessattempt": Fill(lambda w: w.objects["access_attempt"].pk),  # their failed logins
    "axes.accesslog": Fill(lambda w: w.objects["access_log"].pk),
    "axes.accessfailurelog": Fill(lambda w: w.objects["access_failure"].pk),
    "auth.group": Fill(lambda w: w.objects["group"].pk, scoped=False),
    "django_celery_beat.periodictask": Fill(lambda w: w.objects["periodic_task"].pk, scoped=False),
    "django_celery_beat.intervalschedule": Fill(lambda w: w.objects["interval"].pk, scoped=False),
    "django_celery_beat.crontabschedule": Fill(lambda w: w.objects["crontab"].pk, scoped=False),
    "django_celery_beat.solarschedule": Fill(lambda w: w.objects["solar"].pk, scoped=False),
    "django_celery_beat.clockedschedule": Fill(lambda w: w.objects["clocked"].pk, scoped=False),
}

# A query string for list routes, so that a filter by the walked project (and by a resident's name)
# is walked too.
QUERIES: dict[str, Callable[[World], str]] = {
    "projects:dwellings": lambda w: f"q={w.contacts['informed'].name}",
    "dwelling-list": lambda w: f"project={w.project.slug}&q={w.contacts['informed'].name}",
    "planning_api:slot-list": lambda w: f"project={w.project.slug}",
    "packages_api:package-list": lambda w: f"project={w.project.slug}",
    "communication_api:message-list": lambda w: f"project={w.project.slug}",
    "communication_api:campaign-list": lambda w: f"project={w.project.slug}",
    # One stratum of the sample: a dwelling type in a cluster (the page answers 404 without one).
    "sampling:stratum": lambda w: f"type=mid_terrace&cluster={w.dwellings['informed'].cluster}",
}


class CannotFill(Exception):
    pass


def fill_rule(route: Route, kwarg: str) -> Fill | None:
    if kwarg in ("object_id", "id") and route.admin_model:
        return ADMIN_OBJECTS.get(route.admin_model)
    return ROUTE_FILLS.get((route.key, kwarg)) or KWARG_FILLS.get(kwarg)


def unfillable(route: Route) -> list[str]:
    """The keywords of a route that no table fills in."""
    return [kwarg for kwarg in route.kwargs if fill_rule(route, kwarg) is None]


@dataclass
class Filled:
    url: str
    scoped: bool  # one of its values is an object of the walked world
    home: bool  # one of its values is a home not planned for the field worker (or belongs to one)


def fill(route: Route, world: World, overrides: dict[str, Any] | None = None) -> Filled:
    """The route's URL with its keywords filled in; CannotFill names what is missing."""
    missing = unfillable(route)
    if missing:
        raise CannotFill(
            f"{route.key} ({route.route}): no rule fills in {', '.join(missing)}; add one to ROUTE_FILLS "
            "or KWARG_FILLS in tests/test_route_walk.py"
        )
    values, scoped, home = {}, False, False
    for kwarg in route.kwargs:
        rule = fill_rule(route, kwarg)
        if overrides and kwarg in overrides:
            values[kwarg] = str(overrides[kwarg])
        else:
            values[kwarg] = str(rule.value(world))
            scoped, home = scoped or rule.scoped, home or rule.home
    for template, params in normalize(route.regex):
        if set(params) == set(route.kwargs):
            url = "/" + template % values
            break
    else:
        raise CannotFill(f"{route.key} ({route.route}): the pattern cannot be reversed")
    try:
        match = resolve(url)
    except Resolver404:
        raise CannotFill(f"{route.key} ({route.route}): {url} does not resolve") from None
    if match.route != route.route:
        raise CannotFill(f"{route.key} ({route.route}): {url} resolves to {match.route}")
    query = QUERIES.get(route.key)
    if query and not overrides:
        url += "?" + query(world)
    return Filled(url, scoped, home)


# --- What may be sent -------------------------------------------------------------------------------

# Payloads that would write for someone allowed to (the superuser's control checks that the ones in
# WRITES do). Django pages also get what their own form holds for a superuser (``form_data``).


def _photo_upload(w):
    return {
        "field": "delivery_set.photos",
        "client_id": str(uuid.uuid4()),
        "image": SimpleUploadedFile("foto.png", png(), content_type="image/png"),
    }


PAYLOADS: dict[str, Callable[[World], dict]] = {
    "meetings:create": lambda w: {
        "kind": "information_evening",
        "title": "Inbraakavond",
        "starts_at": (timezone.localtime() + datetime.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Inbraakhuis",
    },
    "projects:create": lambda w: {
        "name": "Warmtenet Inbraak",
        "slug": "warmtenet-inbraak",
        "municipality": "Inbraakstad",
        "neighbourhood": "Inbraakwijk",
        "connection_approach": "area",
        "heat_company_kind": "regional",
        "planned_dwellings": "10",
        "signup_threshold": "70",
        "private_share": "30",
        "start_date": "2026-01-01",
    },
    "projects:dwelling-add": lambda w: {
        "postcode": "9999 ZZ",
        "house_number": "1",
        "street": "Inbraakstraat",
        "city": "Inbraakstad",
        "ownership": "owner_occupied",
        "dwelling_type": "mid_terrace",
        "owner_preferred_channel": "email",
        "resident_preferred_channel": "email",
        "owner_name": "Inge Inbraak",
    },
    "projects:dwelling-edit": lambda w: {
        "street": "Inbraakstraat",
        "owner_preferred_channel": "email",
        "resident_preferred_channel": "email",
    },
    "projects:participation-add": lambda w: {
        "organisation": w.organisations["survey"].pk,
        "role": "subcontractor",
    },
    "projects:subteam-add": lambda w: {"name": "Team Inbraak"},
    "projects:subteam-edit": lambda w: {"name": "Team Inbraak"},
    "projects:governance": lambda w: {"lead_model": "varying", "version": w.objects["governance"].version},
    "projects:dwelling-move": lambda w: {"inform-expected_state": "registered", "inform-reason": "walk"},
    "projects:dwelling-bulk": lambda w: {"transition": "inform", "state": "registered", "confirm_count": "1"},
    "projects:imports:upload": lambda w: {
        "file": SimpleUploadedFile(
            "register.csv",
            b"postcode;huisnummer;straat;plaats;eigendom;woningtype\n9999 ZZ;1;Inbraakstraat;Inbraakstad;"
            b"koop;tussenwoning\n",
            content_type="text/csv",
        )
    },
    "people:add": lambda w: {
        "first_name": "Inge",
        "last_name": "Inbraak",
        "email": "inge@inbraak.test",
        "work_roles": ["administrator"],
        "is_active": "on",
    },
    "people:edit": lambda w: {
        "first_name": "Inge",
        "last_name": "Inbraak",
        "email": w.people["colleague"].email,
        "work_roles": ["read_only"],
        "is_active": "on",
    },
    "surveys:finish": lambda w: {
        "outcome": "not_home",
        "client_id": str(uuid.uuid4()),
        "second_visit_reason": "x",
    },
    "planning:slots": lambda w: {
        "action": "create",
        "surveyors": [w.people["surveyor"].pk],
        "first_day": next_monday(3).isoformat(),
        "last_day": next_monday(3).isoformat(),
        "start_time": "09:00",
        "end_time": "10:00",
        "visit_minutes": "60",
        "weekdays": ["0"],
    },
    "sampling:stratum": lambda w: {"dwelling": [w.dwellings["informed"].pk, w.dwellings["registered"].pk]},
    "sampling:propose": lambda w: {"dwelling": [w.dwellings["informed"].pk]},
    "packages:withdraw": lambda w: {"version": w.objects["package"].version, "reason": "Inbraak"},
    "packages_api:package-withdraw": lambda w: {"version": w.objects["package"].version, "reason": "Inbraak"},
    # The API.
    "dwelling-transitions": lambda w: {"transition": "inform", "expected_state": "registered"},
    "project-governance": lambda w: {"version": w.objects["governance"].version, "lead_model": "varying"},
    "planning_api:slot-book": lambda w: {"dwelling": w.dwellings["informed"].pk},
    "survey_api:answers": lambda w: {
        "answers": {"kitchen_table.present": {"value": "Inbraak", "by": "surveyor"}}
    },
    "survey_api:works": lambda w: {"works": [{"work": "delivery_set", "responsible": "owner"}]},
    "survey_api:visits": lambda w: {
        "outcome": "not_home",
        "client_id": str(uuid.uuid4()),
        "second_visit_reason": "Walk",
    },
    "survey_api:photos": _photo_upload,
    "plans_api:render": lambda w: {},
    # A new API token, with the form id of the coordinator's page: it makes a token for the coordinator
    # only, and anyone else sending it is refused.
    "tokens:list": lambda w: {"name": "Inbraak", "form_id": new_form_id(w.people["coordinator"])},
}

# The requests whose payload changes the database for a person allowed to send them (a person of the
# world, or the platform's superuser): the control shows it, so that the refusal of the same request
# to anyone else means something. Route -> (method, who).
WRITES: dict[str, tuple[str, str]] = {
    "projects:create": ("POST", "coordinator"),
    "meetings:create": ("POST", "coordinator"),
    "projects:dwelling-add": ("POST", "coordinator"),
    "projects:dwelling-edit": ("POST", "coordinator"),
    "projects:participation-add": ("POST", "coordinator"),
    "projects:participation-remove": ("POST", "coordinator"),
    "projects:subteam-add": ("POST", "coordinator"),
    "projects:subteam-edit": ("POST", "coordinator"),
    "projects:subteam-delete": ("POST", "coordinator"),
    "projects:governance": ("POST", "coordinator"),
    "projects:dwelling-move": ("POST", "coordinator"),
    "people:add": ("POST", "coordinator"),
    "people:edit": ("POST", "coordinator"),
    "sampling:stratum": ("POST", "coordinator"),
    "sampling:propose": ("POST", "coordinator"),
    "packages:withdraw": ("POST", "coordinator"),
    "packages_api:package-withdraw": ("POST", "coordinator"),
    "dwelling-transitions": ("POST", "coordinator"),
    "project-governance": ("PATCH", "coordinator"),
    "planning_api:slot-book": ("POST", "planner"),
    "surveys:finish": ("POST", "surveyor"),
    "survey_api:answers": ("PATCH", "surveyor"),
    "survey_api:works": ("PUT", "surveyor"),
    "survey_api:visits": ("POST", "surveyor"),
    "survey_api:photos": ("POST", "surveyor"),
    "survey_api:photo": ("DELETE", "surveyor"),
    "admin:projects_dwelling_delete": ("POST", "superuser"),
    "tokens:list": ("POST", "coordinator"),
    "tokens:revoke": ("POST", "coordinator"),
}
ADMIN_DELETE = {"post": "yes"}


def _plain(value) -> Any:
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set)) or (
        hasattr(value, "__iter__") and not isinstance(value, (str, bytes))
    ):
        return [_plain(item) for item in value]
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    return str(value)


def form_data(response) -> dict:
    """What the page's form holds (its initial values), as the browser would send it back."""
    context = getattr(response, "context", None)
    form = context.get("form") if context is not None else None
    if form is None or not hasattr(form, "fields"):
        return {}
    data = {}
    for name in form.fields:
        try:
            value = _plain(form[name].value())
        except Exception:  # noqa: BLE001 - a field whose value cannot be read is left out
            continue
        if value is not None:
            data[form.add_prefix(name)] = value
    return data


# --- Who may see what -------------------------------------------------------------------------------

# Routes that answer anybody, logged in or not, with a reason.
PUBLIC = {
    "": "the site's root sends to the project list, which asks for a login",
    "healthz": "the load balancer's check: database and broker state, nothing else",
    "login": "logging in happens before one is logged in",
    "logout": "logging out ends one's own session only",
    "password_reset": "choosing a password happens before one is logged in",
    "password_reset_done": "choosing a password happens before one is logged in",
    "password_reset_confirm": "choosing a password: with a link that is not valid it says so",
    "password_reset_complete": "choosing a password happens before one is logged in",
    "set_language": "the NL/EN switch works before logging in too (a cookie, nothing stored)",
    "admin:logout": "sends someone who is not logged in to the admin to its index, which asks for a login",
    "surveys:service-worker": "static code the browser loads before login, so that pages open offline",
    "installations:service-worker": "the checklist's twin of the survey's service worker: static code",
    "admin:login": "the admin's login form",
    "communication:sms-status": "the SMS provider's delivery report: refused (403) without its signature",
    "communication:postmark-tracking": "the e-mail provider's delivery events: refused without its secret",
    "portal:open": "typing the code from a letter: a resident has no account",
    "portal:accessibility": "the portal's accessibility statement, for anyone",
    **dict.fromkeys(
        PORTAL_CODE_ROUTES, "a resident's page: the personal link is the key (the walk's link is not valid)"
    ),
}

# The pages a field worker opens, with the reason. Everything else answers them 403 or 404 (or sends
# them to log in to the admin). Their walk fills in homes that are not theirs: none of these points at
# one; ``FIELD_WORKER_OWN_HOME`` lists what they open of their own home.
FIELD_WORKER_OPENS = {
    "surveys:my-day": "their visits of the day, in route order",
    "projects:list": "the projects they work in",
    "projects:detail": "the project they work in: governance choices and progress in aggregate, no home",
    "projects:dwellings": "the dwelling list, showing only the homes planned for them",
    "project-list": "the API's twin of the project list",
    "project-detail": "the API's twin of the project page",
    "project-governance": "the governance choices, which the project page shows (changing them: 403)",
    "project-advisories": "the governance health check, which the project page shows",
    "dwelling-list": "the API's dwelling list, showing only the homes planned for them",
    "organisation-list": "their own organisation and those that share a project with it",
    "organisation-detail": "an organisation that shares a project with theirs",
    "planning_api:slot-list": "the slots of the day planned for them (none of the walked world's)",
    "packages_api:package-list": "a list of work packages, empty for someone in the field",
    "installations:my-week": "the installations planned for them as technician, in route order",
    "tenders:list": "the tenders list, empty for someone in the field",
    "communication:index": "the communication overview, empty for someone in the field",
    "inbox:list": "the inbox of residents' questions, empty for someone in the field",
    "tenders_api:tender-list": "the API's twin of the tenders list, empty for someone in the field",
    "installations:register": "the delivery set register, empty for someone in the field",
    "delivery_sets_api:delivery-set-list": "the API's twin of the register, empty for someone in the field",
    "communication_api:message-list": "the API list of messages to residents, empty in the field",
    "communication_api:campaign-list": "the API's list of campaigns, empty for someone in the field",
    "api-root": "the API's index of links",
    "api-schema": "the API's description, for any logged-in person",
    "api-docs": "the API's documentation page, for any logged-in person",
    "tokens:list": "their own API tokens, which act only as far as they may themselves",
    "progress:index": "sends them on to their project list: no dashboard for someone in the field",
}
# Routes that name a home but are refused to a field worker for the work before the home is looked up
# (403 tells nothing about the home); every other route about a home answers them 404.
FIELD_WORKER_REFUSED_WORK = {
    "projects:dwelling-edit": "editing the register is not their work",
}
FIELD_WORKER_OWN_HOME = {
    "projects:dwelling": "their own planned home's page",
    "surveys:form": "the survey of their own planned home",
    "survey_api:survey": "the survey of their own planned home, as the tablet reads it",
    "dwelling-detail": "their own planned home, as the tablet reads it",
}

# Organisation names may show where one chooses an organisation: every organisation of a kind is offered.
ORGANISATION_PICKERS = {
    "projects:participation-add": "any organisation on the platform can be invited into a project",
    "admin:projects_participation_add": "any organisation on the platform can be invited into a project",
    "projects:dwelling-add": "the owner of a housing association's home: every housing association",
    "admin:projects_dwelling_add": "the owner of a housing association's home: every housing association",
    "admin:procurement_frameworkagreement_add": "a contracting party may contract any installer",
}


@dataclass(frozen=True)
class KnownIssue:
    """Cells the walk finds wrong that only the application's code can put right. The walk reports them
    each time, and fails when one no longer occurs, so that the list cannot go stale."""

    what: str
    actors: tuple[str, ...]
    applies: Callable[[Route, str], bool]  # (route, method)


KNOWN_ISSUES: list[KnownIssue] = []

OUTSIDERS = {
    "heat_company": OrganisationKind.HEAT_COMPANY,
    "municipality": OrganisationKind.MUNICIPALITY,
    "installer": OrganisationKind.INSTALLER,
    "housing_association": OrganisationKind.HOUSING_ASSOCIATION,
    "heat_cooperative": OrganisationKind.HEAT_COOPERATIVE,
    "grid_operator": OrganisationKind.GRID_OPERATOR,
    "water_company": OrganisationKind.WATER_COMPANY,
}
ACTORS = ["anonymous", *OUTSIDERS, "field_worker", "read_only"]
SIGNED_IN = (*OUTSIDERS, "field_worker", "read_only")

REFUSED = {401, 403, 404, 405}


# --- The fingerprint --------------------------------------------------------------------------------


def _fingerprint_models():
    from auditlog.models import LogEntry
    from django.contrib.auth.models import Group
    from django_celery_beat.models import PeriodicTask

    from projects import models as p
    from surveys import models as s

    tables = [
        p.Project,
        p.Governance,
        p.Organisation,
        p.Participation,
        p.SubTeam,
        p.SubTeam.members.through,
        p.User,
        p.User.groups.through,
        p.User.user_permissions.through,
        p.Dwelling,
        p.DwellingTransition,
        p.Contact,
        p.Job,
        LogEntry,
        s.Survey,
        s.Photo,
        s.Visit,
        s.ConnectionPlan,
        s.SurveySlot,
        p.ApiToken,
        Group,
        PeriodicTask,
        *_later_apps_models(),
    ]
    return tables


def _later_apps_models():
    """The tables of communication, the portal and the installation days: what a resident's link or
    a message could change."""
    from communication import models as c
    from portal import models as r
    from procurement.models import InstallationDay

    return [
        c.Message,
        c.Campaign,
        c.Template,
        c.MessageRequest,
        r.PortalLink,
        r.OneTimeCode,
        r.Question,
        r.Reply,
        r.Acceptance,
        r.Meeting,
        r.MeetingReply,
        r.SoundingBoardMember,
        InstallationDay,
        # Not progress's monthly reports: an outsider making the report of their own programme writes
        # one legitimately (an empty POST); one of the walked world's project is refused by status.
    ]


def write_attempts() -> int | None:
    """How many rows of the main tables this transaction has inserted, updated or deleted so far, rolled
    back or not (PostgreSQL's own counters; None elsewhere). Cheap: when it has not moved, nothing changed
    and the fingerprint need not be read."""
    if connection.vendor != "postgresql":
        return None
    tables = [model._meta.db_table for model in _fingerprint_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables "
            "WHERE relname = ANY(%s)",
            [tables],
        )
        return int(cursor.fetchone()[0])


def fingerprint() -> dict[str, str]:
    """Per main table, a digest of every row (PostgreSQL) or its count and highest key: one query."""
    parts = []
    for model in _fingerprint_models():
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        if connection.vendor == "postgresql":
            parts.append(
                f"SELECT '{model._meta.db_table}', count(*)::text || ':' || "
                f"coalesce(md5(string_agg(t::text, '|' ORDER BY t.{pk}::text)), '') FROM {table} t"
            )
        else:
            parts.append(
                f"SELECT '{model._meta.db_table}', count(*) || ':' || coalesce(max({pk}), '') FROM {table}"
            )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        prints = dict(cursor.fetchall())
    if connection.vendor != "postgresql":
        from projects.models import Dwelling

        states = Dwelling.objects.order_by("pk").values_list("pk", "state", "updated_at")
        prints["dwelling states"] = hashlib.sha1(repr(list(states)).encode()).hexdigest()
    return prints


# --- Walking ----------------------------------------------------------------------------------------


@dataclass
class Cell:
    route: Route
    actor: str
    method: str
    url: str
    status: int | None = None
    location: str = ""
    wrote: list[str] = field(default_factory=list)  # the tables that changed
    leaked: list[str] = field(default_factory=list)
    error: str = ""
    detail: str = ""  # a refused form's errors, or the start of an answer, to tell why

    def __str__(self):
        where = f"{self.method} {self.url} [{self.route.key}] as {self.actor}"
        answer = f"{self.status}" + (f" -> {self.location}" if self.location else "")
        return f"{where}: {answer}"


def _body(response) -> str:
    # Reading a streamed answer to its end closes it, as the test client arranges (closing it again
    # would fire request_finished, which drops the test's database connection).
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def _is_login(location: str) -> bool:
    path = location.split("?", 1)[0]
    return path in (settings.LOGIN_URL, "/login/", "/admin/login/") or path.endswith("/login/")


class Walker:
    """Sends requests as one actor, one savepoint each, and records what came back."""

    def __init__(self, client: Client, world: World, actor: str, secrets: list[str], organisations=()):
        self.client, self.world, self.actor = client, world, actor
        self.secrets = secrets
        self.organisations = list(organisations)  # names that a picker of organisations may show
        self.cookies = copy.deepcopy(client.cookies)
        self.baseline = fingerprint()
        self.times = {}  # CPU seconds per kind of route

    def send(self, route: Route, method: str, url: str, payload: dict | None) -> Cell:
        cell = Cell(route, self.actor, method, url)
        sent = url
        try:
            attempts = write_attempts()
            with transaction.atomic():
                response = self._request(route, method, url, payload)
                if attempts is None or write_attempts() != attempts:
                    after = fingerprint()
                    cell.wrote = sorted(
                        name for name, value in after.items() if self.baseline.get(name) != value
                    )
                transaction.set_rollback(True)
        except Exception as exc:  # noqa: BLE001 - the walk reports every failing cell, not just the first
            cell.error = f"{type(exc).__name__}: {exc}"[:300]
            return cell
        finally:
            self.client.cookies = copy.deepcopy(self.cookies)
        cell.status = response.status_code
        cell.location = response.get("Location", "") if 300 <= response.status_code < 400 else ""
        body = _body(response)
        text = body + "\n" + cell.location
        form = response.context.get("form") if getattr(response, "context", None) is not None else None
        errors = getattr(form, "errors", None)
        cell.detail = errors.as_text()[:300] if errors else body[:300] if route.is_api else ""
        if payload:
            sent += json.dumps(payload, default=str)
        lower_text, lower_sent = text.lower(), sent.lower()
        secrets = self.secrets
        if route.key not in ORGANISATION_PICKERS:
            secrets = [*secrets, *self.organisations]
        cell.leaked = [s for s in secrets if s.lower() in lower_text and s.lower() not in lower_sent]
        return cell

    def _request(self, route, method, url, payload):
        payload = payload or {}
        if route.is_api:
            if any(isinstance(value, SimpleUploadedFile) for value in payload.values()):
                for value in payload.values():
                    if isinstance(value, SimpleUploadedFile):
                        value.seek(0)
                if method == "POST":
                    return self.client.post(url, payload)
                payload = {k: v for k, v in payload.items() if not isinstance(v, SimpleUploadedFile)}
            return self.client.generic(
                method, url, json.dumps(payload, default=str), content_type="application/json"
            )
        if method == "GET":
            return self.client.get(url)
        if method == "POST":
            for value in payload.values():
                if isinstance(value, SimpleUploadedFile):
                    value.seek(0)
            return self.client.post(url, payload)
        from urllib.parse import urlencode

        plain = {k: v for k, v in payload.items() if not isinstance(v, SimpleUploadedFile)}
        return self.client.generic(
            method, url, urlencode(plain, doseq=True), content_type="application/x-www-form-urlencoded"
        )


def judge(cell: Cell, filled: Filled) -> str | None:
    """What is wrong with the answer to one cell, or None."""
    if cell.error:
        return f"raised {cell.error}"
    if cell.status >= 500:
        return "server error"
    if cell.wrote:
        return f"the database changed ({', '.join(cell.wrote)})"
    if cell.leaked:
        return f"shows {', '.join(repr(s) for s in cell.leaked[:4])}"
    key = cell.route.key
    refused = cell.status in REFUSED or (cell.status in (301, 302) and _is_login(cell.location))
    if cell.actor == "read_only":
        if cell.method == "GET" or refused:
            return None
        if cell.route.is_api:
            return None if cell.status == 400 else f"an API write answers {cell.status}"
        # A page may show its form again, or send back to where one came from, having changed nothing.
        return None if cell.status in (200, 204, 301, 302, 303, 400) else f"answers {cell.status}"
    if cell.actor == "field_worker":
        if filled.home and key not in PUBLIC:
            expected = (403, 404, 405) if key in FIELD_WORKER_REFUSED_WORK else (404, 405)
            ok = cell.status in expected or (cell.status in (301, 302) and _is_login(cell.location))
            return None if ok else f"a home not planned for them answers {cell.status}, not 404"
        if refused or key in PUBLIC or key in FIELD_WORKER_OPENS:
            return None
        return f"answers {cell.status}: not their work (add to FIELD_WORKER_OPENS with a reason if it is)"
    if refused:
        return None
    if cell.actor == "anonymous":
        return None if key in PUBLIC else f"answers {cell.status} to anonymous (not in PUBLIC)"
    # An outsider: an object of the walked world is refused (a redirect that shows nothing of it, such
    # as the admin's from an object's address to its change page, is harmless); other pages (their own
    # lists and forms) may answer as they do.
    if filled.scoped and key not in PUBLIC and not 300 <= cell.status < 400:
        return f"another project's object answers {cell.status}"
    return None


def walk_routes(walker: Walker, routes: list[Route], payloads: dict[str, dict]) -> tuple[list[str], int]:
    problems, cells, seen = [], 0, {}
    for route in routes:
        try:
            filled = fill(route, walker.world)
        except CannotFill as exc:
            problems.append(str(exc))
            continue
        bucket = "admin" if route.route.startswith("admin/") else "api" if route.is_api else "pages"
        began = time.process_time()
        for method in ADMIN_METHODS if route.route.startswith("admin/") else METHODS:
            payload = None if method == "GET" else payloads.get(route.key)
            if walker.actor in OUTSIDERS and not filled.scoped:
                # Their own organisation's people and their own new project are theirs to make.
                payload = None
            if method == "POST" and route.admin_model and route.route.endswith("/delete/"):
                payload = ADMIN_DELETE
            cell = walker.send(route, method, filled.url, payload)
            cells += 1
            log_cell(cell)
            problem = judge(cell, filled)
            known = next(
                (k for k in KNOWN_ISSUES if walker.actor in k.actors and k.applies(route, method)), None
            )
            if problem and known:
                seen.setdefault(known, []).append(f"{cell}: {problem}")
            elif problem:
                problems.append(f"{cell}: {problem}")
        walker.times[bucket] = walker.times.get(bucket, 0) + time.process_time() - began
    report(f"{walker.actor}: " + ", ".join(f"{k} {v:.1f}s" for k, v in walker.times.items()))
    for issue in KNOWN_ISSUES:
        if walker.actor not in issue.actors:
            continue
        if issue in seen:
            report(f"known issue ({len(seen[issue])} cells as {walker.actor}): {issue.what}")
            for line in seen[issue]:
                report(f"    {line}")
        else:
            problems.append(f"the known issue {issue.what!r} no longer occurs: remove it from KNOWN_ISSUES")
    return problems, cells


def walk_own_project(walker: Walker, routes: list[Route], slug: str) -> tuple[list[str], int]:
    """An outsider's own project's pages (the routes that take only a project): nothing of the walked
    world shows there either, in a list, a choice or a count."""
    problems, cells = [], 0
    for route in routes:
        if route.kwargs != ("slug",):
            continue
        filled = fill(route, walker.world, overrides={"slug": slug})
        cell = walker.send(route, "GET", filled.url, None)
        cells += 1
        log_cell(cell)
        if cell.error or cell.status >= 500 or cell.wrote or cell.leaked:
            problems.append(f"{cell} (their own project): {judge(cell, filled)}")
    return problems, cells


def report(line: str) -> None:
    sys.stderr.write(f"[route walk] {line}\n")


def log_cell(cell: Cell) -> None:
    """With ROUTE_WALK_LOG=<file>, every cell is appended to it (tab-separated), to read what came back."""
    path = os.environ.get("ROUTE_WALK_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            answer = cell.error or f"{cell.status} {cell.location}".strip()
            log.write(f"{cell.actor}\t{cell.method}\t{cell.route.key}\t{cell.url}\t{answer}\n")


# --- The world and its actors ----------------------------------------------------------------------


def make_superuser():
    return UserFactory(organisation=None, is_superuser=True, is_staff=True)


def payloads_for(world: World, routes: list[Route], *, capture: bool) -> dict[str, dict]:
    """The body sent with each unsafe request: what the superuser's form holds, then PAYLOADS."""
    found = {}
    client = Client()
    if capture:
        client.force_login(make_superuser())
    for route in routes:
        data = {}
        if capture and not route.is_api and not route.admin_model and route.name and not unfillable(route):
            url = fill(route, world).url
            try:
                with transaction.atomic():
                    response = client.get(url)
                    transaction.set_rollback(True)
            except Exception:  # noqa: BLE001 - the walk itself reports the route's error
                response = None
            if response is not None:
                data = form_data(response)
                _body(response)
        if route.key in PAYLOADS:
            data.update(PAYLOADS[route.key](world))
        if data:
            found[route.key] = data
    return found


def own_home(world: World, walker) -> object:
    """A home planned for the walking field worker, on a street of its own."""
    home = DwellingFactory(project=world.project, state="informed", street="Eigenhaardlaan", house_number=1)
    ContactFactory(
        dwelling=home, role="owner", name="Olga Eigenaar", email="olga@eigen.test", phone="06-9999 0000"
    )
    plan_visit(
        world.people["planner"],
        home.pk,
        walker,
        datetime.datetime.combine(next_monday(1), datetime.time(9), tzinfo=datetime.UTC),
    )
    return home


def actor_user(actor: str, world: World):
    if actor == "anonymous":
        return None
    if actor in OUTSIDERS:
        return build_outsider(OUTSIDERS[actor])
    if actor == "field_worker":
        walker = UserFactory(
            organisation=world.organisations["survey"], field_worker=True, email="veld@schouw.test"
        )
        walker.own_home = own_home(world, walker)
        return walker
    if actor == "read_only":
        return UserFactory(organisation=world.organisations["lead"], read_only=True, email="lezer@lead.test")
    raise ValueError(actor)


def secrets_for(actor: str, world: World, user) -> list[str]:
    if actor == "read_only":
        return []  # a colleague of the lead party sees the whole project
    if actor == "field_worker":
        token, key = world.objects["token"], world.objects["token_key"]
        return [*world.secrets_of_homes(except_ids={user.own_home.pk}), key, token.name]
    return world.secrets


@pytest.fixture
def world(settings) -> World:
    # A task a request starts runs in the request's savepoint, so the fingerprint sees what it wrote.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # The walk sends the portal's pages a link that does not work, many times from one address.
    settings.PORTAL_GUESS_RATE = "1000000/h"
    # And the API hundreds of requests as one person, or as nobody from one address: no rate limit.
    settings.API_RATE_USER = settings.API_RATE_ANON = ""
    return build_world()


def _summary(actor: str, routes: int, cells: int, seconds: float) -> str:
    return f"{actor}: {routes} routes, {cells} cells (route x method), {seconds:.1f}s"


# --- The tests --------------------------------------------------------------------------------------


def test_every_route_can_be_filled_in():
    """A new URL needs a rule: a route whose keywords no table fills in fails here by name."""
    routes = all_routes()
    missing = [f"{r.key} ({r.route}): {', '.join(unfillable(r))}" for r in routes if unfillable(r)]
    unregistered = [
        model._meta.label_lower
        for model in admin.site._registry
        if model._meta.label_lower not in ADMIN_OBJECTS
    ]
    assert not missing, "routes the walk cannot fill in:\n" + "\n".join(missing)
    assert not unregistered, f"admin models without an object in ADMIN_OBJECTS: {unregistered}"
    assert len({r.route for r in routes}) == len(routes)
    # A misspelt name in an allow-list or a control would quietly drop its rule.
    keys = {r.key for r in routes}
    tables = {
        "PUBLIC": PUBLIC,
        "FIELD_WORKER_OPENS": FIELD_WORKER_OPENS,
        "FIELD_WORKER_OWN_HOME": FIELD_WORKER_OWN_HOME,
        "FIELD_WORKER_REFUSED_WORK": FIELD_WORKER_REFUSED_WORK,
        "ORGANISATION_PICKERS": ORGANISATION_PICKERS,
        "PAYLOADS": PAYLOADS,
        "WRITES": WRITES,
        "QUERIES": QUERIES,
    }
    unknown = [f"{table}: {key}" for table, rules in tables.items() for key in rules if key not in keys]
    assert not unknown, "rules for routes that do not exist:\n" + "\n".join(unknown)


class NewRoutes:
    """A URLconf with routes the tables do not know, as a developer might add them."""

    urlpatterns = [
        path("projects/<slug:slug>/people/<int:pk>/history/", lambda request: None, name="person-history"),
        path("widgets/<int:widget_id>/", lambda request: None),
    ]


def test_a_new_route_fails_by_name():
    """The tables refuse to guess: a new keyword, or a ``pk`` without a rule of its route, is named."""
    routes = {route.route: route for route in all_routes(NewRoutes)}
    history = routes["projects/<slug:slug>/people/<int:pk>/history/"]
    widget = routes["widgets/<int:widget_id>/"]
    assert unfillable(history) == ["pk"]  # the slug has a rule; a pk is a different model on every page
    assert unfillable(widget) == ["widget_id"]
    with pytest.raises(CannotFill, match=r"widgets/<int:widget_id>/.*widget_id"):
        fill(widget, world=None)


def test_every_api_operation_is_walked():
    """Every path and method of the API schema is one of the walked routes (and methods)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    walked = {route.route for route in all_routes()}
    dummies = ["1", str(uuid.uuid4()), "x1"]  # an integer, a UUID, a slug
    missing = []
    operations = 0
    for api_path, operations_of_path in schema["paths"].items():
        for method in operations_of_path:
            operations += 1
            if method.upper() not in METHODS:
                missing.append(f"{method.upper()} {api_path}: the walk does not send {method.upper()}")
        matched = None
        placeholders = re.findall(r"\{[^}]+\}", api_path)
        for values in itertools.product(dummies, repeat=len(placeholders)):
            candidate = api_path
            for placeholder, value in zip(placeholders, values, strict=True):
                candidate = candidate.replace(placeholder, value, 1)
            try:
                matched = resolve(candidate)
                break
            except Resolver404:
                continue
        if matched is None or matched.route not in walked:
            missing.append(f"{api_path}: not among the walked routes")
    report(
        f"API schema: {operations} operations on {len(schema['paths'])} paths, all among the walked routes"
    )
    assert operations > 10
    assert not missing, "\n".join(missing)


def test_the_fills_reach_real_objects_and_the_payloads_write(client, world):
    """The control: a platform superuser opens every filled-in route (no 404: the ids are real, so a 404
    for anyone else is their scope), and each payload of WRITES changes the database when a person who
    may make that change sends it (so that its refusal to anyone else means something)."""
    started = time.process_time()
    routes = all_routes()
    client.force_login(make_superuser())
    walker = Walker(client, world, "superuser", secrets=[])
    payloads = payloads_for(world, routes, capture=True)
    problems, cells, known = [], 0, []
    # The catch-all of the admin answers 404 for a page that does not exist: that is its job.
    expects_404 = {"admin/(?P<url>.*)$"}
    filled = {}
    for route in routes:
        try:
            filled[route] = fill(route, world)
        except CannotFill as exc:
            problems.append(str(exc))
            continue
        cell = walker.send(route, "GET", filled[route].url, None)
        cells += 1
        if any("superuser" in k.actors and k.applies(route, "GET") for k in KNOWN_ISSUES):
            known.append(str(cell))
        elif cell.error or cell.status >= 500:
            problems.append(f"{cell}: {cell.error or 'server error'}")
        elif cell.status == 404 and route.route not in expects_404 and route.key not in PORTAL_CODE_ROUTES:
            problems.append(f"{cell}: the superuser does not find it; the fill is wrong")
    for who in sorted({who for _method, who in WRITES.values()}):
        client.logout()
        client.force_login(make_superuser() if who == "superuser" else world.people[who])
        walker = Walker(client, world, who, secrets=[])
        for route in routes:
            method, writer = WRITES.get(route.key, (None, None))
            if writer != who or "format" in route.kwargs or route not in filled:
                continue
            payload = ADMIN_DELETE if route.admin_model else payloads.get(route.key)
            cell = walker.send(route, method, filled[route].url, payload)
            cells += 1
            if not cell.wrote:
                problems.append(
                    f"{cell}: the payload of WRITES changes nothing ({cell.detail or cell.error})"
                )
    report(_summary("control (superuser, writers)", len(routes), cells, time.process_time() - started))
    for line in known:
        report(f"    known issue: {line}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("actor", ACTORS)
def test_walk(client, world, actor):
    """Every route, every method, as one actor: refused or harmless, and nothing changes."""
    started = time.process_time()
    routes = all_routes()
    user = actor_user(actor, world)
    payloads = payloads_for(world, routes, capture=True)
    if user is not None:
        client.force_login(user)
    organisations = world.organisation_names if actor in OUTSIDERS or actor == "anonymous" else []
    walker = Walker(client, world, actor, secrets_for(actor, world, user), organisations)
    problems, cells = walk_routes(walker, routes, payloads)
    if actor in OUTSIDERS:
        own = user.organisation.participations.first().project
        more_problems, more_cells = walk_own_project(walker, routes, own.slug)
        problems, cells = problems + more_problems, cells + more_cells
    report(_summary(actor, len(routes), cells, time.process_time() - started))
    assert not problems, f"{len(problems)} wrong answers:\n" + "\n".join(problems)


def test_a_field_worker_opens_their_own_home(client, world):
    """The pages a field worker legitimately opens of their own home answer 200 and show no other home."""
    user = actor_user("field_worker", world)
    client.force_login(user)
    secrets = secrets_for("field_worker", world, user)
    routes = {route.key: route for route in all_routes()}
    problems = []
    for key in FIELD_WORKER_OWN_HOME:
        route = routes[key]
        url = fill(route, world, overrides={"pk": user.own_home.pk}).url
        response = client.get(url)
        text = _body(response)
        if response.status_code != 200:
            problems.append(f"{key} {url}: {response.status_code}")
        leaked = [s for s in secrets if s in text]
        if leaked:
            problems.append(f"{key} {url}: shows {leaked[:4]}")
        if key == "projects:dwelling" and "Eigenhaardlaan" not in text:
            problems.append(f"{key} {url}: does not show their home")
    listing = client.get(
        fill(routes["projects:dwellings"], world, overrides={"slug": world.project.slug}).url
    )
    assert "Eigenhaardlaan" in listing.text
    assert not [s for s in secrets if s in listing.text]
    assert not problems, "\n".join(problems)
