"""Roster import: a good file, a re-import that changes nothing, and every kind of bad
file refused whole, with its problems located by line and column."""

from __future__ import annotations

from datetime import date

import pytest
from django_scopes import scopes_disabled

from zgovern.core.errors import DomainError
from zgovern.people import services
from zgovern.people.models import Person, PersonStatus
from zgovern.people.roster import RosterError
from zgovern.people.tests.conftest import (
    GOOD_CSV,
    GOOD_ROWS,
    HEADER,
    SYSTEM,
    actions,
    add_person,
    count_people,
    csv_bytes,
    xlsx_bytes,
)
from zgovern.tenancy.scoping import organization_scope


def run(org, data: bytes, name: str = "roster.csv"):
    with organization_scope(org):
        return services.import_roster(org, SYSTEM, name, data)


def problems(org, data: bytes, name: str = "roster.csv") -> list[str]:
    with pytest.raises(RosterError) as caught:
        run(org, data, name)
    assert count_people(org) == 0, "nothing may be imported from a bad file"
    return [str(p) for p in caught.value.problems]


def test_good_file_is_imported(org_a):
    report = run(org_a, GOOD_CSV)
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    with scopes_disabled():
        bob = Person.objects.get(organization=org_a, work_email="bob@a.example")
        cy = Person.objects.get(organization=org_a, work_email="cy@a.example")
    assert bob.manager.work_email == "ada@a.example"
    assert bob.employment_type == "contractor" and bob.source == "csv"
    assert bob.start_date == date(2024, 6, 15)
    assert cy.status == PersonStatus.TERMINATED and cy.end_date == date(2023, 12, 31)
    assert actions(org_a) == ["person.created"] * 3


def test_reimporting_the_same_file_changes_nothing(org_a):
    run(org_a, GOOD_CSV)
    before = actions(org_a)
    report = run(org_a, GOOD_CSV)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert actions(org_a) == before


def test_changed_rows_are_updated_and_logged(org_a):
    run(org_a, GOOD_CSV)
    changed = GOOD_ROWS[1].replace("Engineering", "Design").replace("ada@a.example", "")
    report = run(org_a, csv_bytes(GOOD_ROWS[0], changed, GOOD_ROWS[2]))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert actions(org_a)[-1] == "person.updated"
    with scopes_disabled():
        bob = Person.objects.get(organization=org_a, work_email="bob@a.example")
    assert bob.department == "Design" and bob.manager is None


def test_xlsx_with_date_cells_is_imported(org_a):
    data = xlsx_bytes([
        HEADER.split(","),
        ["ada@a.example", "Ada", "Employee", "Eng", None, date(2021, 3, 1), None, 100],
    ])  # fmt: skip
    report = run(org_a, data, "roster.xlsx")
    assert report.created == 1
    with scopes_disabled():
        ada = Person.objects.get(organization=org_a)
    assert ada.start_date == date(2021, 3, 1) and ada.external_id == "100"


def test_xlsx_formula_is_refused_naming_the_cell(org_a):
    data = xlsx_bytes([
        HEADER.split(","),
        ["ada@a.example", "Ada", "employee", "Eng", None, "2021-03-01", None, "=1+1"],
    ])  # fmt: skip
    assert problems(org_a, data, "roster.xlsx") == [
        "line 2: cell H2 holds a formula (=1+1); upload values only"
    ]


def test_damaged_xlsx_is_refused(org_a):
    assert problems(org_a, b"PK\x03\x04 not really", "roster.xlsx") == [
        "file: not a readable XLSX workbook"
    ]


def test_every_bad_row_is_reported_and_nothing_imported(org_a):
    data = csv_bytes(
        "ada@a.example,Ada,employee,Eng,,2021-03-01,,",
        "ADA@a.example,Ada Again,employee,Eng,,2021-03-01,,",
        "eve@a.example,Eve,employee,Eng,,2022-05-01,2022-04-30,",
        "fay@a.example,Fay,freelancer,Eng,,2022-05-01,,",
        "gus@a.example,Gus,employee,Eng,,01/05/2022,,",
        "hal@a.example,,employee,Eng,,2022-05-01,,",
        "ivy@a.example,Ivy,employee,Eng,nobody@a.example,2022-05-01,,",
        "not-an-email,Jo,employee,Eng,,2022-05-01,,",
    )
    assert problems(org_a, data) == [
        "line 3, column work_email: duplicate of line 2",
        "line 4, column end_date: 2022-04-30 is before the start date 2022-05-01",
        "line 5, column employment_type: unknown employment type 'freelancer' "
        "(use employee, contractor, intern, temporary)",
        "line 6, column start_date: '01/05/2022' is not a date in the form YYYY-MM-DD",
        "line 7, column full_name: a value is required",
        "line 9, column work_email: 'not-an-email' is not an email",
    ]


def test_unknown_manager_is_reported_once_rows_are_clean(org_a):
    data = csv_bytes("ivy@a.example,Ivy,employee,Eng,nobody@a.example,2022-05-01,,")
    assert problems(org_a, data) == [
        "line 2, column manager_email: nobody@a.example is not in this file or the roster"
    ]


def test_manager_already_on_the_roster_is_accepted(org_a):
    add_person(org_a, "boss@a.example")
    report = run(org_a, csv_bytes("ivy@a.example,Ivy,employee,Eng,BOSS@a.example,2022-05-01,,"))
    assert report.created == 1


def test_missing_and_unknown_columns(org_a):
    data = csv_bytes("ada@a.example,Ada,2021-03-01", header="work_email,name,start_date")
    assert problems(org_a, data) == [
        "line 1, column name: unknown column (known: work_email, full_name, employment_type, "
        "department, manager_email, start_date, end_date, external_id)",
        "line 1, column full_name: missing required column",
        "line 1, column employment_type: missing required column",
    ]


def test_non_utf8_csv_reports_the_byte_offset(org_a):
    data = csv_bytes("ada@a.example,Ad\xe9,employee,,,2021-03-01,,").replace(b"\xc3\xa9", b"\xe9")
    offset = data.index(b"\xe9")
    assert problems(org_a, data) == [
        f"line 2: not UTF-8 text: byte 0xe9 at byte offset {offset}; save the file as CSV UTF-8"
    ]


def test_utf8_bom_is_accepted(org_a):
    assert run(org_a, b"\xef\xbb\xbf" + GOOD_CSV).created == 3


def test_file_over_the_size_limit_is_refused(org_a, settings):
    settings.ROSTER_MAX_BYTES = 100
    assert problems(org_a, GOOD_CSV) == ["file: the file is larger than the limit of 100 bytes"]


def test_too_many_rows_are_refused(org_a, settings):
    settings.ROSTER_MAX_ROWS = 2
    assert problems(org_a, GOOD_CSV) == ["file: too many rows: more than 2 people in one file"]


def test_empty_file_and_missing_file(org_a):
    assert problems(org_a, b"") == ["line 1: the file is empty: it needs a header row"]
    assert problems(org_a, csv_bytes()) == ["line 2: the file has a header but no people"]
    with pytest.raises(DomainError) as caught, organization_scope(org_a):
        services.import_roster(org_a, SYSTEM, "x.csv", None)
    assert caught.value.field == "file"


def test_import_keeps_a_person_on_leave(org_a):
    run(org_a, GOOD_CSV)
    with scopes_disabled():
        ada = Person.objects.get(organization=org_a, work_email="ada@a.example")
    with organization_scope(org_a):
        services.update_person(org_a, SYSTEM, ada.pk, status="on_leave")
    assert run(org_a, GOOD_CSV).unchanged == 3
    ada.refresh_from_db()
    assert ada.status == PersonStatus.ON_LEAVE
