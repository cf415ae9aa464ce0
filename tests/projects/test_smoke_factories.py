import pytest

from projects.advisories import advise


@pytest.mark.django_db
def test_advised_project_has_no_advisories(advised_project):
    assert advise(advised_project) == []
