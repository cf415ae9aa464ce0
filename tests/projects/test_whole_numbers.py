"""Whole numbers in the project and register forms: "1.000" is refused, not saved as 1."""

import pytest
from django.utils import translation

from projects.forms import DwellingForm, ProjectForm

pytestmark = pytest.mark.django_db

PROJECT = {
    "name": "Warmtenet Zuid",
    "slug": "warmtenet-zuid",
    "municipality": "Amstelhoven",
    "neighbourhood": "Zuid",
    "connection_approach": "area",
    "heat_company_kind": "regional",
    "signup_threshold": "70",
    "private_share": "40",
    "start_date": "2026-04-01",
}


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("typed", ["1.000", "1,000", "1000.0"])
def test_a_thousand_with_a_separator_is_refused_not_taken_for_one(language, typed):
    with translation.override(language):
        form = ProjectForm({**PROJECT, "planned_dwellings": typed})
        assert not form.is_valid()
        assert "planned_dwellings" in form.errors
        assert "1000" in form.errors["planned_dwellings"][0]


def test_a_whole_number_is_taken():
    form = ProjectForm({**PROJECT, "planned_dwellings": "1000"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["planned_dwellings"] == 1000


def test_a_floor_area_with_a_decimal_comma_is_refused(advised_project):
    form = DwellingForm(
        {
            "postcode": "1187 AB",
            "house_number": "12",
            "street": "Kastanjelaan",
            "city": "Amstelhoven",
            "ownership": "owner_occupied",
            "dwelling_type": "detached",
            "floor_area": "85,5",
            "owner_preferred_channel": "email",
            "resident_preferred_channel": "email",
        },
        project=advised_project,
    )
    assert not form.is_valid()
    assert "floor_area" in form.errors
