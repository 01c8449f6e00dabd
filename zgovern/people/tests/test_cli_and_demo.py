"""``zgovern people import`` and the demo roster."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from zgovern.core import demo
from zgovern.people.models import BackgroundCheck, Person, TrainingCompletion
from zgovern.people.tests.conftest import GOOD_CSV, count_people, csv_bytes
from zgovern.tenancy.roles import Role


def test_cli_imports_and_reports(org_a, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(GOOD_CSV)
    call_command("people", "import", org_a.slug, str(path))
    assert "3 added, 0 updated, 0 unchanged" in capsys.readouterr().out
    call_command("people", "import", org_a.slug, str(path))
    assert "0 added, 0 updated, 3 unchanged" in capsys.readouterr().out


def test_cli_prints_every_problem_and_exits_1(org_a, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes("a@a.example,A,employee,,,2021-13-01,,"))
    with pytest.raises(CommandError) as caught:
        call_command("people", "import", org_a.slug, str(path))
    assert caught.value.returncode == 1
    assert "bad.csv: line 2, column start_date: '2021-13-01' is not a date" in (
        capsys.readouterr().err
    )
    assert count_people(org_a) == 0
    with pytest.raises(CommandError):
        call_command("people", "import", "no-such-org", str(path))
    with pytest.raises(CommandError):
        call_command("people", "import", org_a.slug, str(tmp_path / "missing.csv"))


def test_demo_roster_is_loaded_once(org_a, alice):
    demo.populate(org_a, {Role.OWNER: alice})
    with scopes_disabled():
        trainings = TrainingCompletion.objects.filter(organization=org_a).count()
    demo.populate(org_a, {Role.OWNER: alice})
    with scopes_disabled():
        people = Person.objects.filter(organization=org_a)
        assert people.count() == 12
        assert people.filter(employment_type="contractor").count() == 1
        leaver = people.get(work_email="lars@acme.example")
        assert leaver.current_status() == "terminated"
        assert BackgroundCheck.objects.filter(organization=org_a).count() == 10
        # The roster's own security training; the training module's demo adds more.
        completions = TrainingCompletion.objects.filter(organization=org_a)
        assert completions.filter(course_key="security-awareness").count() >= 10
        assert completions.count() == trainings
        assert people.get(work_email="eric@acme.example").manager.work_email == (
            "maria@acme.example"
        )
