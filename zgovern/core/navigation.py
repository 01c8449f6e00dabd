"""The organisation's sections, in the order the navigation shows them, with the capability
each needs."""

from __future__ import annotations

from dataclasses import dataclass

from zgovern.tenancy import roles


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name: str  # resolved with the organisation's slug
    capability: str = roles.READ


SECTIONS: tuple[Section, ...] = (
    Section("dashboard", "Dashboard", "core:dashboard"),
    Section("frameworks", "Frameworks", "frameworks:index"),
    Section("tasks", "My tasks", "core:my_tasks", roles.OWN_TASKS),
    Section("controls", "Controls", "controls:index"),
    Section("plan", "Plan", "controls:plan"),
    Section("findings", "Findings", "findings:index"),
    Section("monitoring", "Monitoring", "monitoring:index"),
    Section("changes", "Changes", "changes:index"),
    Section("evidence", "Evidence", "evidence:index"),
    Section("people", "People", "people:index"),
    Section("accounts", "Accounts", "identity:index"),
    Section("training", "Training", "training:index"),
    Section("policies", "Policies", "policies:index"),
    Section("reviews", "Access reviews", "reviews:index"),
    Section("risks", "Risks", "risks:index"),
    Section("incidents", "Incidents", "incidents:index"),
    Section("vendors", "Vendors", "vendors:index"),
    Section("audits", "Audits", "audits:index"),
    Section("trust", "Trust Center", "trust_center:index", roles.MANAGE_SETTINGS),
    Section("settings", "Settings", "tenancy:settings"),
)


def visible_sections(membership) -> list[Section]:
    return [s for s in SECTIONS if membership is not None and membership.can(s.capability)]
