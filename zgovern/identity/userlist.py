"""Reading an uploaded user list (CSV or XLSX) of any system into account records, without
touching the database.

The whole file is checked first: :func:`read_user_list` returns every row or raises
:class:`UserListError` listing every problem by line (line 1 is the header) and column. The
file reading itself (encoding, NUL bytes, formulas, row limits) is :mod:`zgovern.core.uploads`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from django.utils.dateparse import parse_datetime

from zgovern.core import uploads
from zgovern.core.uploads import Column, Problem
from zgovern.identity.models import AccountStatus, MfaState
from zgovern.identity.records import AccountRecord

MAX_ROWS = 100_000

COLUMNS: tuple[Column, ...] = (
    Column("system", True, 60, "The system's key, e.g. jira or salesforce (lower-case letters, "
           "digits, - and _). Systems synced by an integration cannot be uploaded."),
    Column("external_id", False, 255, "The user's stable id in that system; when empty, the "
           "username is used. One of the two is required."),
    Column("username", False, 255, "The user's login name."),
    Column("email", False, 254, "The user's email; links the account to the person with that "
           "work email or alias."),
    Column("display_name", False, 200, "The name the system shows."),
    Column("status", False, 16, "active (the default) or suspended; disabled, deactivated, "
           "inactive and locked also mean suspended."),
    Column("mfa", False, 16, "enabled / disabled (or yes / no, true / false); empty means "
           "unknown."),
    Column("privileged", False, 5, "yes / no (or true / false, 1 / 0): an administrator."),
    Column("last_login_at", False, 40, "Last sign-in, as YYYY-MM-DD or an ISO 8601 date-time "
           "(UTC when no offset is given)."),
)  # fmt: skip
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
_BY_NAME = {c.name: c for c in COLUMNS}
_TRUE, _FALSE = {"yes", "true", "1", "y"}, {"no", "false", "0", "n"}
_SUSPENDED = {"suspended", "disabled", "deactivated", "inactive", "locked"}
_MFA = {"enabled": MfaState.ENABLED, "disabled": MfaState.DISABLED, "unknown": MfaState.UNKNOWN}


class UserListError(uploads.UploadError):
    """The user list cannot be imported; ``problems`` says every reason. Nothing was
    written."""

    subject = "user list"


@dataclass(frozen=True)
class UserRow:
    line: int
    system: str
    record: AccountRecord


def read_user_list(name: str, data: bytes) -> list[UserRow]:
    """Parse and validate ``data`` (CSV unless ``name`` ends in .xlsx)."""
    too_many = f"too many rows: more than {MAX_ROWS} users in one file"
    return uploads.read_rows(name, data, _LAYOUT, _row, max_rows=MAX_ROWS, too_many=too_many)


def _account_key(values: dict[str, str]) -> tuple[str, str] | None:
    """An account is its system and its external_id (else username)."""
    key = (
        values.get("system", "").lower(),
        values.get("external_id") or values.get("username", ""),
    )
    return key if all(key) else None


def _needs_an_id(line: int, columns: dict[str, int]) -> list[Problem]:
    if "external_id" in columns or "username" in columns:
        return []
    return [Problem(line, "external_id", "needs an external_id or username column")]


_LAYOUT = uploads.Layout(
    known=COLUMN_NAMES,
    required=("system",),
    noun="users",
    key=_account_key,
    key_column="external_id",
    error=UserListError,
    header_check=_needs_an_id,
)


def _row(line: int, values: dict[str, str], cells: list[Any], columns: dict[str, int]):
    problems: list[Problem] = []
    for name, value in values.items():
        if len(value) > _BY_NAME[name].max_length:
            problems.append(
                Problem(line, name, f"longer than {_BY_NAME[name].max_length} characters")
            )
    system = values.get("system", "").lower()
    if not system:
        problems.append(Problem(line, "system", "a value is required"))
    elif not _is_system(system):
        problems.append(
            Problem(line, "system", f"{system[:60]!r} is not a system key (use a-z, 0-9, - and _)")
        )
    ident = values.get("external_id") or values.get("username", "")
    if not ident:
        problems.append(Problem(line, "external_id", "an external_id or username is required"))
    status = _choice(line, "status", values.get("status", "").lower() or "active", problems)
    mfa = _mfa(line, values.get("mfa", "").lower(), problems)
    privileged = _flag(line, values.get("privileged", "").lower(), problems)
    last_login = _moment(line, cells, columns, problems)
    if problems:
        return None, problems
    record = AccountRecord(
        external_id=ident, username=values.get("username") or ident,
        email=values.get("email", "").lower(), display_name=values.get("display_name", ""),
        status=status, mfa=mfa, privileged=privileged, last_login_at=last_login,
        attributes={"source": "upload"},
    )  # fmt: skip
    return UserRow(line, system, record), []


def _is_system(value: str) -> bool:
    return value[0].isalnum() and all(c.isascii() and (c.isalnum() or c in "-_") for c in value)


def _choice(line: int, name: str, value: str, problems: list[Problem]) -> str:
    if value == AccountStatus.ACTIVE:
        return AccountStatus.ACTIVE
    if value in _SUSPENDED:
        return AccountStatus.SUSPENDED
    problems.append(Problem(line, name, f"unknown status {value[:40]!r} (use active or suspended)"))
    return ""


def _mfa(line: int, value: str, problems: list[Problem]) -> str:
    if not value:
        return MfaState.UNKNOWN
    if value in _MFA:
        return _MFA[value]
    if value in _TRUE | _FALSE:
        return MfaState.ENABLED if value in _TRUE else MfaState.DISABLED
    problems.append(Problem(line, "mfa", f"{value[:40]!r} is not enabled, disabled or empty"))
    return ""


def _flag(line: int, value: str, problems: list[Problem]) -> bool:
    if not value or value in _FALSE:
        return False
    if value in _TRUE:
        return True
    problems.append(Problem(line, "privileged", f"{value[:40]!r} is not yes or no"))
    return False


def _moment(line: int, cells: list[Any], columns: dict[str, int], problems: list[Problem]):
    raw = uploads.cell(cells, columns, "last_login_at")
    if isinstance(raw, datetime):  # an XLSX date-time cell: naive, taken as UTC
        return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    text = uploads.cell_text(raw)
    if not text:
        return None
    try:
        moment = (
            datetime.combine(date.fromisoformat(text), time(), UTC)
            if len(text) == 10
            else parse_datetime(text)
        )
    except ValueError:
        moment = None
    if moment is None:
        problems.append(
            Problem(line, "last_login_at", f"{text[:40]!r} is not a date or ISO date-time")
        )
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
