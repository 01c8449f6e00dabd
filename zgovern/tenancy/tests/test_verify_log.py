"""``zgovern verify-log``: an intact chain passes; an altered or removed row is reported
with its sequence number and the command exits 1."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django_scopes import scopes_disabled

from zgovern.cli import main as cli_main
from zgovern.tenancy import services
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import SYSTEM

DROP_TRIGGER = {
    "sqlite": "DROP TRIGGER tenancy_activitylog_no_update",
    "postgresql": "DROP TRIGGER tenancy_activitylog_no_update ON tenancy_activitylog",
}


@pytest.fixture
def busy_org(org_a):
    """Org A with a few more rows than its creation."""
    with organization_scope(org_a):
        for n in range(3):
            services.update_settings(org_a, SYSTEM, name=f"Org A v{n}", require_mfa=n % 2 == 0)
    return org_a


def _run(slug: str) -> str:
    out = StringIO()
    call_command("verify_log", slug, stdout=out)
    return out.getvalue()


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _row(org, seq: int) -> ActivityLog:
    with scopes_disabled():
        return ActivityLog.objects.get(organization=org, seq=seq)


def test_intact_chain_is_ok(busy_org, org_b):
    assert "OK: 5 rows checked" in _run(busy_org.slug)
    assert "OK: 2 rows checked" in _run(org_b.slug)


def test_database_refuses_updates_to_the_log(busy_org):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        _raw(
            "UPDATE tenancy_activitylog SET action = %s WHERE id = %s", ["x", _row(busy_org, 1).pk]
        )


def test_altered_row_is_reported(busy_org, org_b):
    # Tampering needs the append-only trigger gone; the test transaction rolls it back.
    with connection.cursor() as cursor:
        cursor.execute(DROP_TRIGGER[connection.vendor])
    target = _row(busy_org, 3)
    _raw(
        "UPDATE tenancy_activitylog SET changes = %s WHERE id = %s",
        ['{"name": ["Org A", "Mallory"]}', target.pk],
    )
    with pytest.raises(CommandError) as exc:
        _run(busy_org.slug)
    assert exc.value.returncode == 1
    assert "row #3" in str(exc.value) and "content does not match" in str(exc.value)
    assert "OK" in _run(org_b.slug)  # the other organisation's chain is untouched


def test_rehashed_row_breaks_the_next_link(busy_org):
    with connection.cursor() as cursor:
        cursor.execute(DROP_TRIGGER[connection.vendor])
    _raw("UPDATE tenancy_activitylog SET hash = %s WHERE id = %s", ["f" * 64, _row(busy_org, 2).pk])
    with pytest.raises(CommandError) as exc:
        _run(busy_org.slug)
    assert "row #2" in str(exc.value)


def test_deleted_last_row_is_reported(busy_org):
    _raw("DELETE FROM tenancy_activitylog WHERE id = %s", [_row(busy_org, 5).pk])
    with pytest.raises(CommandError) as exc:
        _run(busy_org.slug)
    assert exc.value.returncode == 1
    assert "row #5" in str(exc.value)


def test_deleted_middle_row_is_reported(busy_org):
    _raw("DELETE FROM tenancy_activitylog WHERE id = %s", [_row(busy_org, 2).pk])
    with pytest.raises(CommandError) as exc:
        _run(busy_org.slug)
    assert "row #2 is missing" in str(exc.value)


def test_unknown_organisation(db):
    with pytest.raises(CommandError) as exc:
        _run("no-such-org")
    assert "no-such-org" in str(exc.value) and exc.value.returncode == 2


def test_cli_hyphenated_name_and_exit_codes(busy_org, capsys, monkeypatch):
    # A command run from the command line closes every connection when it ends, which
    # would end the test's transaction on PostgreSQL.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    cli_main(["zgovern", "verify-log", busy_org.slug])  # returns normally: exit status 0
    assert "OK: 5 rows checked" in capsys.readouterr().out
    _raw("DELETE FROM tenancy_activitylog WHERE id = %s", [_row(busy_org, 5).pk])
    with pytest.raises(SystemExit) as broken:
        cli_main(["zgovern", "verify-log", busy_org.slug])
    assert broken.value.code == 1
    err = capsys.readouterr().err
    assert "BROKEN at row #5" in err
