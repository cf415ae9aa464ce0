import datetime
import os
import re
import zoneinfo

import pytest

from projects.models import OrganisationKind, Role
from tests.factories import (
    OrganisationFactory,
    ParticipationFactory,
    ProjectFactory,
    UserFactory,
)


def _database_description():
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return f"database: {db['ENGINE'].rsplit('.', 1)[-1]} ({db['NAME']})"
    import psycopg

    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"], dbname="postgres"
    ) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
    return f"database: PostgreSQL {version} on {db['HOST']}:{db['PORT']}"


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=os.environ.get("TEST_CLOCK", ""),
        help=(
            "Run the suite with the clock moved: '+365d' (days ahead of now) or a local Amsterdam time such "
            "as '2026-12-06T23:30'. The clock keeps ticking from there. Also read from TEST_CLOCK."
        ),
    )


def _clock_destination(value: str) -> datetime.datetime:
    shift = re.fullmatch(r"([+-]\d+)d", value)
    if shift:
        return datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=int(shift.group(1)))
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
    return moment


def pytest_configure(config):
    value = config.getoption("--clock")
    if value:
        import time_machine

        # Every xdist worker moves its own clock, seconds apart at most for a relative shift.
        time_machine.travel(_clock_destination(value), tick=True).start()


def pytest_report_header(config):
    header = [_database_description()]
    if config.getoption("--clock"):
        header.append(f"clock moved to {config.getoption('--clock')}")
    return header


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not hasattr(config, "workerinput"):
        terminalreporter.write_line(f"The suite ran on the {_database_description()}")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Password hashing is deliberately slow; the tests log in through force_login or a fast hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def heat_company(db):
    return OrganisationFactory(kind=OrganisationKind.HEAT_COMPANY, name="Warmtebedrijf Test")


@pytest.fixture
def lead_user(heat_company):
    return UserFactory(organisation=heat_company)


@pytest.fixture
def advised_project(heat_company):
    """A project that follows every piece of advice: the health check shows nothing."""
    project = ProjectFactory(planned_dwellings=120, private_share=30)
    ParticipationFactory(project=project, organisation=heat_company, role=Role.LEAD)
    ParticipationFactory(project=project, organisation=heat_company, role=Role.HEAT_COMPANY)
    ParticipationFactory(project=project, organisation=heat_company, role=Role.COMMUNICATING_PARTY)
    installer = OrganisationFactory(kind=OrganisationKind.INSTALLER)
    ParticipationFactory(project=project, organisation=installer, role=Role.MAIN_CONTRACTOR)
    for kind in (OrganisationKind.GRID_OPERATOR, OrganisationKind.WATER_COMPANY):
        ParticipationFactory(
            project=project,
            organisation=OrganisationFactory(kind=kind),
            role=Role.STAKEHOLDER,
            involved_on="2026-01-15",
        )
    return project


@pytest.fixture
def outsider_project(db):
    """A project of other parties only."""
    project = ProjectFactory()
    ParticipationFactory(
        project=project,
        organisation=OrganisationFactory(kind=OrganisationKind.HEAT_COMPANY),
        role=Role.LEAD,
    )
    return project


def member_of(project, kind, role):
    """A user of a new organisation of ``kind`` that takes ``role`` in ``project``."""
    organisation = OrganisationFactory(kind=kind)
    ParticipationFactory(project=project, organisation=organisation, role=role)
    return UserFactory(organisation=organisation)


def plan_visit(planner, dwelling_id, surveyor, when):
    """The survey party plans a visit, as a planner does on the dwelling page."""
    from projects.services import dwelling_transition

    return dwelling_transition(
        actor=planner,
        dwelling_id=dwelling_id,
        transition="plan_survey",
        surveyor=surveyor,
        appointment_at=when,
    )


def next_monday(weeks: int = 0) -> datetime.date:
    """The Monday after today (Amsterdam time), ``weeks`` later: a working day in the future on any day."""
    from django.utils import timezone

    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday() + 7 * weeks)
