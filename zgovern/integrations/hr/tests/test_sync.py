"""BambooHR collection and checks against the recorded company: the report read whole,
throttling, refusals, and records with fields missing."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from zgovern.integrations.hr import checks, sync
from zgovern.integrations.hr.client import ACCESS
from zgovern.integrations.hr.schemas import BambooConfig, BambooCredentials
from zgovern.integrations.hr.tests.replay import CONFIG, CREDENTIALS, BambooWorld


def collect(world: BambooWorld):
    return sync.collect(
        BambooConfig(**CONFIG), BambooCredentials(**CREDENTIALS), options=world.options()
    )


def by_id(inventory) -> dict[str, dict]:
    return {e["id"]: e for e in inventory.data["employees"]}


def verdicts(check_id: str, inventory) -> dict[str, tuple[str, str]]:
    return {f.resource.name: (f.status, f.reason) for f in checks.EVALUATORS[check_id](inventory)}


@pytest.fixture(scope="module")
def inventory():
    return collect(BambooWorld())


def test_every_employee_current_and_past_is_read(inventory):
    employees = by_id(inventory)
    assert len(employees) == 8 and inventory.failures == {}
    ann, ben, carl = employees["101"], employees["102"], employees["103"]
    assert (ann["work_email"], ann["name"], ann["hire_date"]) == (
        "ann@acme.example", "Ann Archer", date(2021, 3, 1),
    )  # fmt: skip
    assert ann["termination_date"] is None  # 0000-00-00
    assert (ben["employment_type"], ben["manager_email"]) == ("contractor", "ann@acme.example")
    assert carl["inactive"] and carl["termination_date"] == date(2026, 9, 1)
    assert carl["employment_type"] == ""  # "Terminated" says nothing of the contract
    assert employees["106"]["employment_type"] == "intern"
    assert ann["problems"] == [] and carl["problems"] == []


def test_a_record_with_fields_missing_is_described_not_crashed_on(inventory):
    gus = by_id(inventory)["105"]
    assert gus["problems"] == ["no work email", "no hire date"]
    assert gus["name"] == "Gus" and gus["department"] == ""
    jo = by_id(inventory)["107"]
    assert jo["problems"] == ["termination date 2024-01-01 is before the hire date 2025-05-05"]


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_waits_as_long_as_retry_after(status):
    world = BambooWorld()
    world.queue(httpx.Response(status, headers={"Retry-After": "6"}))
    inventory = collect(world)
    assert world.waits == [6.0] and len(inventory.data["employees"]) == 8


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_is_a_permanent_error_naming_the_access_needed(status):
    world = BambooWorld()
    world.deny(status)
    failure = collect(world).failures["employees"]
    assert failure.permanent and failure.permission == ACCESS
    assert f"HTTP {status}" in failure.message and ACCESS in failure.message


def test_an_answer_without_an_employee_list_fails_the_service():
    world = BambooWorld()
    world.queue(httpx.Response(200, json={"title": "zGovern roster", "fields": []}))
    inventory = collect(world)
    assert "no employee list" in inventory.failures["employees"].message
    assert "employees" not in inventory.data


def test_records_the_roster_cannot_take_fail_naming_what_is_missing(inventory):
    found = verdicts("hr.employees.roster_complete", inventory)
    shared = [f for f in checks.roster_complete(inventory) if f.resource.external_id == "108"]
    assert [(f.status, f.reason) for f in shared] == [(
        "fail", "ann@acme.example cannot be on the roster: work email ann@acme.example is "
        "also HR id 101's",
    )]  # fmt: skip
    assert found["Gus"] == ("fail", "Gus cannot be on the roster: no work email; no hire date")
    assert found["ben@acme.example"] == ("pass", "ben@acme.example is on the roster")
    assert found["jo@acme.example"][0] == "fail"


def test_leavers_need_a_termination_date(inventory, monkeypatch):
    monkeypatch.setattr(checks, "today", lambda: date(2026, 11, 28))
    found = verdicts("hr.employees.terminations_dated", inventory)
    assert found == {
        "carl@acme.example": ("pass", "carl@acme.example left on 2026-09-01"),
        "dora@acme.example": (
            "fail", "dora@acme.example is inactive in BambooHR without a termination date"
        ),
        "jo@acme.example": (
            "fail", "jo@acme.example is still active in BambooHR after their termination "
            "date 2024-01-01",
        ),
    }  # fmt: skip
