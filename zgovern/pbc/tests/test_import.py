"""Importing the auditor's request list: checked whole first (every bad row reported with
its line, nothing imported), matched by reference (a second import changes nothing)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook

from zgovern.pbc import services
from zgovern.pbc.importer import ImportError_
from zgovern.pbc.models import AuditRequest
from zgovern.pbc.tests.conftest import SYSTEM, csv_bytes
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.scoping import organization_scope

LATER = (timezone.localdate() + timedelta(days=10)).isoformat()
GOOD = (
    f"PBC-001,Access reviews,The quarterly reviews,CC6.2; CC6.3,{LATER},alice@a.example",
    "PBC-002,Incident log,,CC7.3,,",
)


def _import(world, data: bytes, name: str = "list.csv"):
    with organization_scope(world["org"]):
        return services.import_requests(world["org"], SYSTEM, world["audit"].pk, name, data)


def test_import_then_reimport_changes_nothing(world):
    report = _import(world, csv_bytes(*GOOD))
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    with organization_scope(world["org"]):
        logged = ActivityLog.objects.count()
        imported = ActivityLog.objects.get(action="pbc.requests_imported")
        assert imported.changes["created"] == ["PBC-001", "PBC-002"]
        first = AuditRequest.objects.get(reference="PBC-001")
        assert first.criteria_refs == ["CC6.2", "CC6.3"] and first.origin == "auditor"
    report = _import(world, csv_bytes(*GOOD))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    with organization_scope(world["org"]):
        assert ActivityLog.objects.count() == logged
        assert AuditRequest.objects.get(reference="PBC-001").target_at == first.target_at


def test_changed_rows_update_by_reference(world):
    _import(world, csv_bytes(*GOOD))
    report = _import(world, csv_bytes(GOOD[0], "PBC-002,Incident register,,CC7.3,,"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)


def test_every_bad_row_is_reported_and_nothing_imported(world):
    rows = (
        GOOD[0],
        "PBC-002,,,CC7.3,,",  # line 3: no title
        "PBC-003,Logs,,ZZ9.9,,",  # line 4: unknown criterion
        "PBC-004,Logs,,,2001-01-01,",  # line 5: due before today
        "PBC-005,Logs,,,,charlie@b.example",  # line 6: not a member
        "PBC-006,Logs,,,31/12/2026,not-an-email",  # line 7: two problems
        "PBC-001,Again,,,,",  # line 8: duplicate
    )
    with pytest.raises(ImportError_) as caught:
        _import(world, csv_bytes(*rows))
    problems = [(p.line, p.column) for p in caught.value.problems]
    assert (3, "title") in problems
    assert (7, "due_date") in problems and (7, "assignee_email") in problems
    assert (8, "reference") in problems
    with organization_scope(world["org"]):
        assert AuditRequest.objects.count() == 0
    # The rows that only the database can judge are reported once the others are fixed.
    with pytest.raises(ImportError_) as caught:
        _import(world, csv_bytes(*rows[:1], *rows[2:5]))
    found = {(p.line, p.column): p.message for p in caught.value.problems}
    assert "ZZ9.9" in found[(3, "criteria")]
    assert "before" in found[(4, "due_date")]
    assert "not a member" in found[(5, "assignee_email")]
    with organization_scope(world["org"]):
        assert AuditRequest.objects.count() == 0


def test_header_problems(world):
    with pytest.raises(ImportError_) as caught:
        _import(world, csv_bytes("x,y", header="reference,colour"))
    messages = [str(p) for p in caught.value.problems]
    assert any("unknown column" in m for m in messages)
    assert any("title" in m and "missing" in m for m in messages)


def test_xlsx_with_aliases_and_date_cells(world):
    book = Workbook()
    sheet = book.active
    sheet.append(["Ref", "Title", "Criteria", "Due", "Assignee"])
    sheet.append(
        [
            "PBC-9",
            "Backups",
            "CC7.3",
            timezone.now().replace(tzinfo=None) + timedelta(days=3),
            "alice@a.example",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    report = _import(world, buffer.getvalue(), "list.xlsx")
    assert report.created == 1


def test_not_utf8_and_missing_file(world):
    with pytest.raises(ImportError_, match="problem"):
        _import(world, "reference,title\nPBC-1,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(Exception, match="Choose"):
        _import(world, None)
