"""Storing scans: one finding per key, tasks made once, findings that go away resolved,
a scan claimed once, bad periods refused with nothing written; and the CLI."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zgovern.controls.models import RemediationTask
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.findings import queries, services
from zgovern.findings.models import Finding, FindingsScan, FindingStatus, Kind, ScanStatus
from zgovern.findings.tests.conftest import account, at, person

SYSTEM = Actor.system("tests")
PERIOD = {"period_start": "2026-01-01", "period_end": "2026-06-30"}


def _scan(org) -> FindingsScan:
    scan = services.request_scan(org, SYSTEM, enqueue=False, **PERIOD)
    return services.run_scan(scan.pk, "test")


def _leaver(org):
    ann = person(org, "Ann Leaver", end="2026-03-05")
    return account(org, ann, "github", "ann", status="removed", deactivated_at=at("2026-03-12"))


def test_scan_stores_summary_and_exceptions_with_one_task(org):
    late = _leaver(org)
    scan = _scan(org)
    assert scan.status == ScanStatus.DONE and scan.counts["offboarding"] == 1
    rows = {f.key: f for f in Finding.objects.filter(organization=org, category="offboarding")}
    summary, item = rows["offboarding:summary"], rows[f"offboarding:account:{late.pk}"]
    assert summary.kind == Kind.SUMMARY and item.kind == Kind.EXCEPTION
    assert summary.wording.startswith("1 of 1 terminated user in the period retained access")
    assert item.task_id == summary.task_id is not None
    assert item.controls == ["offboarding-within-sla"]
    assert item.criteria == ["soc2:CC6.2", "soc2:CC6.3"]
    assert item.duration_seconds == 5 * 86400
    assert queries.summary(org).by_category[0][2] >= 1


def test_rescan_keeps_tasks_and_resolves_what_went_away(org):
    late = _leaver(org)
    _scan(org)
    tasks = RemediationTask.objects.filter(organization=org).count()
    first = Finding.objects.get(organization=org, key=f"offboarding:account:{late.pk}")
    second = _scan(org)
    assert RemediationTask.objects.filter(organization=org).count() == tasks
    again = Finding.objects.get(pk=first.pk)
    assert again.last_scan_id == second.pk and again.task_id == first.task_id
    assert second.opened == 0

    late.deactivated_at = at("2026-03-06", 9)
    late.save()
    third = _scan(org)
    gone = Finding.objects.get(pk=first.pk)
    assert gone.status == FindingStatus.RESOLVED and gone.resolved_at is not None
    assert Finding.objects.get(organization=org, key="offboarding:summary").status == "resolved"
    assert third.resolved >= 2


def test_a_scan_is_claimed_once(org):
    scan = services.request_scan(org, SYSTEM, enqueue=False, **PERIOD)
    assert services.claim(scan.pk, "one") is True
    assert services.claim(scan.pk, "two") is False
    assert services.run_scan(scan.pk, "three") is None


def test_default_period_is_the_last_six_months(org):
    scan = services.request_scan(org, SYSTEM, enqueue=False)
    assert (scan.period_end - scan.period_start).days in range(180, 185)


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2026-06-30", "2026-01-01", "period_start"),
        ("June", "2026-01-01", "period_start"),
        ("2020-01-01", "2026-01-01", "period_end"),
    ],
)
def test_bad_periods_are_refused_and_nothing_is_written(org, start, end, field):
    with pytest.raises(DomainError) as caught:
        services.request_scan(org, SYSTEM, enqueue=False, period_start=start, period_end=end)
    assert caught.value.field == field
    assert FindingsScan.objects.filter(organization=org).count() == 0


def test_settings_are_validated(org):
    services.update_settings(org, SYSTEM, review_cadence_months=6)
    with pytest.raises(DomainError):
        services.update_settings(org, SYSTEM, review_cadence_months=0)
    from zgovern.findings.scan.base import windows_for

    assert windows_for(org).review_cadence_months == 6


def test_cli_runs_inline_and_prints_json(org_a):
    from zgovern.tenancy.scoping import organization_scope

    with organization_scope(org_a):
        _leaver(org_a)
    out = StringIO()
    call_command("findings", org_a.slug, "--period", "2026-01-01:2026-06-30", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["scan"]["status"] == "done"
    assert any(
        f["category"] == "offboarding" and f["kind"] == "exception" for f in data["findings"]
    )
    text = StringIO()
    call_command("findings", org_a.slug, "--period", "2026-01-01:2026-06-30", stdout=text)
    assert "retained github access (ann) for 6 days" in text.getvalue()
    with pytest.raises(CommandError):
        call_command("findings", org_a.slug, "--period", "2026-01-01")
    with pytest.raises(CommandError):
        call_command("findings", "no-such-org")


def test_period_dates_are_days(org):
    scan = services.request_scan(org, SYSTEM, enqueue=False, **PERIOD)
    assert scan.period_start == date(2026, 1, 1)


def test_adopted_controls_give_the_criteria_and_the_task_its_control(org):
    from zgovern.controls.models import Control
    from zgovern.frameworks import services as frameworks

    frameworks.adopt_framework(org, SYSTEM, frameworks.builtin("soc2"))
    frameworks.adopt_default_controls(org, SYSTEM)
    late = _leaver(org)
    _scan(org)
    item = Finding.objects.get(organization=org, key=f"offboarding:account:{late.pk}")
    expected = services.criteria_map(org, None)["offboarding-within-sla"]
    assert item.criteria == expected and all(c.startswith("soc2:") for c in expected)
    control = Control.objects.get(organization=org, key="offboarding-within-sla")
    assert item.task.control_id == control.pk
