"""Cleaning of request and exception input shared by the services and the importer: text
within limits, dates, criteria references of the audit's framework, and assignees who are
members. Each refusal is a :class:`DomainError` naming the field."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from zgovern.accounts.models import User
from zgovern.core.errors import DomainError
from zgovern.frameworks.models import Criterion
from zgovern.tenancy.models import Membership, Organization
from zgovern.tenancy.roles import WRITE, Role, can

LIMITS = {"reference": 40, "title": 300, "description": 10_000, "answer": 20_000,
          "decision_note": 2_000, "response_text": 10_000, "evidence_title": 200}  # fmt: skip
_SPLIT = re.compile(r"[\s,;]+")
MAX_REFS = 50


def text(value: Any, field: str, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(f"{field} must be text.", field=field)
    value = value.strip()
    if "\x00" in value:
        raise DomainError(f"{field} must not contain NUL characters.", field=field)
    if required and not value:
        raise DomainError(f"Give the {field.replace('_', ' ')}.", field=field)
    if len(value) > LIMITS[field]:
        raise DomainError(f"{field} is longer than {LIMITS[field]} characters.", field=field)
    return value


def a_date(value: Any, field: str, *, required: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            raise DomainError(f"Give the {field.replace('_', ' ')} (YYYY-MM-DD).", field=field)
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(f"{field} must be a date (YYYY-MM-DD).", field=field) from None


def split_refs(value: Any) -> list[str]:
    """Criteria as a list, or one text separated by commas, semicolons or spaces."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        parts = _SPLIT.split(value)
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        parts = list(value)
    else:
        raise DomainError("criteria must be a list of criterion references.", field="criteria")
    refs = list(dict.fromkeys(p.strip() for p in parts if p.strip()))
    if len(refs) > MAX_REFS:
        raise DomainError(f"At most {MAX_REFS} criteria per request.", field="criteria")
    return refs


def unknown_refs(org: Organization, framework_id: int, refs: list[str]) -> list[str]:
    """The references that are not criteria of the framework (case as the framework has it
    is required: CC6.1, not cc6.1)."""
    if not refs:
        return []
    known = set(
        Criterion.objects.filter(
            organization=org, framework_id=framework_id, ref__in=refs
        ).values_list("ref", flat=True)
    )
    return [ref for ref in refs if ref not in known]


def check_refs(org: Organization, framework_id: int, refs: list[str]) -> list[str]:
    unknown = unknown_refs(org, framework_id, refs)
    if unknown:
        raise DomainError(
            f"Not criteria of the audit's framework: {', '.join(unknown)}.", field="criteria"
        )
    return refs


def assignable_users(org: Organization) -> dict[str, User]:
    """Email (lower case) -> user, for every member who may answer requests: those whose
    role can write (auditors ask rather than answer; employees see only their own tasks)."""
    answering = [role for role in Role.values if can(role, WRITE)]
    rows = Membership.objects.filter(organization=org, role__in=answering)
    return {m.user.email.lower(): m.user for m in rows.select_related("user")}


def assignee(org: Organization, email: Any) -> User | None:
    if email in (None, ""):
        return None
    if not isinstance(email, str):
        raise DomainError("assignee_email must be an email.", field="assignee_email")
    user = assignable_users(org).get(email.strip().lower())
    if user is None:
        raise DomainError(
            f"{email.strip()[:254]} is not a member of this organisation who can answer requests.",
            field="assignee_email",
        )
    return user
