"""Roles and what each may do. A view or endpoint asks for a capability, never a role."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"
    EMPLOYEE = "employee", "Employee"
    AUDITOR = "auditor", "Auditor"


READ = "read"  # see the organisation's compliance data
WRITE = "write"  # change it
MANAGE_MEMBERS = "manage_members"  # invite, change roles, remove
MANAGE_OWNERS = "manage_owners"  # grant or take away the owner role
MANAGE_SETTINGS = "manage_settings"  # organisation-wide settings such as required MFA
OWN_TASKS = "own_tasks"  # see one's own tasks (every role)

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset({READ, WRITE, MANAGE_MEMBERS, MANAGE_OWNERS, MANAGE_SETTINGS, OWN_TASKS}),
    Role.ADMIN: frozenset({READ, WRITE, MANAGE_MEMBERS, MANAGE_SETTINGS, OWN_TASKS}),
    Role.MEMBER: frozenset({READ, WRITE, OWN_TASKS}),
    Role.AUDITOR: frozenset({READ, OWN_TASKS}),
    Role.EMPLOYEE: frozenset({OWN_TASKS}),
}


def can(role: str, capability: str) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())
