"""Each dashboard takes the same number of queries for 100 dwellings as for 2,000 (the issue's 10,000
is measured by ``make bench``; the count does not depend on it)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.progress import data

pytestmark = pytest.mark.django_db


def counted(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url)
    assert answer.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "who, name, args",
    [
        ("lead", "scope", ["programme"]),
        ("municipality", "scope", ["municipality"]),
        ("lead", "project", ["lindehof"]),
        ("municipality", "project", ["lindehof"]),
    ],
)
def test_a_dashboard_costs_the_same_queries_for_few_and_many_dwellings(client, programme, who, name, args):
    url = reverse(f"progress:{name}", args=args)
    few = counted(client, programme[who], url)
    for project in programme["projects"]:
        data.build(
            project, 1000, installer=programme["installer_org"], surveyor=programme["surveyor"], seed=5
        )
    many = counted(client, programme[who], url)
    assert few == many, (few, many)
