"""Importing a learning platform's completions: validated whole first, nothing written
until the file is clean, and idempotent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.core.errors import DomainError
from zgovern.identity.models import PersonAlias
from zgovern.people.models import TrainingCompletion
from zgovern.tenancy.scoping import organization_scope
from zgovern.training import services
from zgovern.training.importer import ImportProblems
from zgovern.training.tests.conftest import SYSTEM, add_person, adopt


def _import(org, text: str):
    with organization_scope(org):
        return services.import_completions(org, SYSTEM, text.encode())


def _count(org) -> int:
    with scopes_disabled():
        return TrainingCompletion.objects.filter(organization=org).count()


@pytest.fixture
def roster(org_a):
    adopt(org_a, "security-awareness")
    adopt(org_a, "secure-development")
    ada = add_person(org_a, "ada@a.example", full_name="Ada")
    bo = add_person(org_a, "bo@a.example", full_name="Bo")
    with scopes_disabled():
        PersonAlias.objects.create(organization=org_a, person=bo, alias="bo.old@a.example")
    return ada, bo


def test_a_clean_file_imports_by_email_alias_key_or_title_and_twice_adds_nothing(org_a, roster):
    text = (
        "Email,Course Title,Completed At\n"
        "ADA@a.example,security-awareness,2026-03-01\n"
        "bo.old@a.example,Secure development training,2026-03-04T09:12:00Z\n"
        "ada@a.example,security-awareness,2026-03-01\n"  # repeated in the file
    )
    report = _import(org_a, text)
    assert (report.imported, report.already_recorded) == (2, 1)
    with scopes_disabled():
        rows = TrainingCompletion.objects.filter(organization=org_a).order_by("person__full_name")
        assert [(r.person.full_name, r.course_key, r.source) for r in rows] == [
            ("Ada", "security-awareness", "csv"),
            ("Bo", "secure-development", "csv"),
        ]
    again = _import(org_a, text)
    assert (again.imported, again.already_recorded) == (0, 3)
    assert _count(org_a) == 2


def test_bad_rows_are_all_named_by_line_and_nothing_is_imported(org_a, roster):
    tomorrow = timezone.localdate() + timedelta(days=1)
    text = (
        "email,course,completed_on\n"
        "ada@a.example,security-awareness,2026-03-01\n"  # fine, but not imported
        "nobody@a.example,security-awareness,2026-03-01\n"
        "ada@a.example,underwater-basket-weaving,2026-03-01\n"
        f"ada@a.example,security-awareness,{tomorrow}\n"
        "ada@a.example,security-awareness,01/03/2026\n"
        ",,\n"  # a blank line is skipped
        "ada@a.example,,2026-03-01\n"
    )
    with pytest.raises(ImportProblems) as caught:
        _import(org_a, text)
    found = [(p.line, p.column) for p in caught.value.problems]
    assert found == [
        (3, "email"),
        (4, "course"),
        (5, "completed_on"),
        (6, "completed_on"),
        (8, "course"),
    ]
    assert "'nobody@a.example' is not on the roster" in caught.value.problems[0].message
    assert caught.value.message == "The file has 5 problems; nothing was imported."
    assert _count(org_a) == 0


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "the file is empty"),
        (b"email,course\nada@a.example,x\n", "missing required column"),
        (b"email,course,completed_on,colour\n", "unknown column"),
        (b"email,course,completed_on\n", "header but no completions"),
        (b"email,course,completed_on\n\xff\xfe,x,y\n", "not UTF-8"),
        (b"email,course,completed_on\nada@a.example,\x00,2026-01-01\n", "NUL"),
    ],
)
def test_unreadable_files_are_refused(org_a, roster, data, expected):
    with organization_scope(org_a), pytest.raises(ImportProblems) as caught:
        services.import_completions(org_a, SYSTEM, data)
    assert expected in str(caught.value.problems[0])
    assert _count(org_a) == 0


def test_no_file_is_a_400_naming_the_file(org_a):
    with organization_scope(org_a), pytest.raises(DomainError) as caught:
        services.import_completions(org_a, SYSTEM, None)
    assert caught.value.field == "file"


def test_a_completion_on_the_same_day_by_hand_counts_as_recorded(org_a, roster):
    ada, _ = roster
    with organization_scope(org_a):
        services.complete_course(
            org_a, SYSTEM, person=ada,
            course_id=services.Course.objects.get(key="security-awareness").pk,
            completed_on=date(2026, 3, 1),
        )  # fmt: skip
    report = _import(
        org_a, "email,course,completed_on\nada@a.example,security-awareness,2026-03-01\n"
    )
    assert (report.imported, report.already_recorded) == (0, 1)
