"""The survey schema's proposal of works: what a home needs from its dwelling scan, and who does it
by the project's responsibility boundary (building block 2.1)."""

import pytest

from surveys.schema import SECTIONS_BY_NAME, WORKS, proposed_works

GAS_HOME = {
    "boiler_type": "combi_boiler",
    "cooking": "gas",
    "low_temperature": "ready",
    "meter_cupboard_room": "room",
    "building_work": "",
}


def proposal(boundary="delivery_set", ownership="owner_occupied", **scan):
    return {
        row["work"]: row["responsible"]
        for row in proposed_works(boundary=boundary, ownership=ownership, scan={**GAS_HOME, **scan})
    }


def test_a_gas_home_needs_the_boiler_out_the_gas_capped_and_a_cooking_group():
    assert list(proposal()) == ["delivery_set", "indoor_pipes", "remove_boiler", "cap_gas", "cooking_group"]


def test_a_home_on_collective_heating_with_electric_cooking_needs_only_the_set_and_its_pipes():
    assert list(proposal(boiler_type="collective", cooking="electric")) == ["delivery_set", "indoor_pipes"]


@pytest.mark.parametrize(
    "readiness, radiators", [("ready", False), ("unknown", False), ("partly", True), ("not_ready", True)]
)
def test_radiators_when_the_home_is_not_ready_for_lower_temperatures(readiness, radiators):
    assert ("radiators" in proposal(low_temperature=readiness)) is radiators


def test_a_full_meter_cupboard_is_building_work():
    assert "building_work" not in proposal(meter_cupboard_room="tight")
    assert "building_work" in proposal(meter_cupboard_room="full")
    assert "building_work" in proposal(building_work="Sparing in de keukenvloer")


def test_up_to_the_facade_the_owner_does_everything_inside():
    assert set(proposal(boundary="facade").values()) == {"owner"}


def test_up_to_and_including_the_delivery_set_the_heat_company_places_set_and_pipes():
    responsible = proposal(boundary="delivery_set")
    assert responsible["delivery_set"] == responsible["indoor_pipes"] == "heat_company"
    assert responsible["remove_boiler"] == responsible["cooking_group"] == "owner"


def test_a_full_connection_is_all_the_heat_companys_work():
    assert set(proposal(boundary="full_connection", low_temperature="not_ready").values()) == {"heat_company"}


def test_for_a_rental_of_a_housing_association_the_association_does_the_owners_part():
    responsible = proposal(boundary="delivery_set", ownership="housing_association")
    assert responsible["remove_boiler"] == "housing_association"
    assert responsible["delivery_set"] == "heat_company"


def test_no_governance_choice_yet_proposes_the_owner_for_everything():
    assert set(proposal(boundary="").values()) == {"owner"}


def test_every_work_proposed_is_a_known_work_and_every_choice_answer_has_a_label():
    assert set(
        proposal(boundary="full_connection", low_temperature="partly", meter_cupboard_room="full")
    ) <= {code for code, _label in WORKS}
    scan = SECTIONS_BY_NAME["dwelling_scan"]
    for name in ("meter_cupboard_room", "low_temperature"):
        assert scan.field(name).required and scan.field(name).kind == "choice"


@pytest.mark.django_db
def test_a_home_on_collective_heating_is_not_asked_where_its_boiler_is(advised_project):
    from surveys.models import Survey
    from tests.factories import DwellingFactory, survey_answers

    answers = survey_answers()
    del answers["dwelling_scan.boiler_place"]
    answers["dwelling_scan.boiler_type"] = {"value": "collective", "by": "surveyor"}
    survey = Survey(dwelling=DwellingFactory(project=advised_project), answers=answers, works=[{"work": "x"}])
    missing = survey.missing(photo_counts={"delivery_set.photos": 1}, sign_off=False)
    assert ("dwelling_scan", "boiler_place") not in missing
    answers["dwelling_scan.boiler_type"] = {"value": "combi_boiler", "by": "surveyor"}
    assert ("dwelling_scan", "boiler_place") in survey.missing(
        photo_counts={"delivery_set.photos": 1}, sign_off=False
    )
