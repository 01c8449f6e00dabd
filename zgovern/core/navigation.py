"""The organisation's sections. A section whose module has not landed yet points at the
placeholder page, which says what will appear there."""

from __future__ import annotations

from dataclasses import dataclass

from zgovern.tenancy import roles


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name: str  # resolved with the organisation's slug
    capability: str = roles.READ
    upcoming: str = ""  # set while the section is a placeholder: what will appear there


SECTIONS: tuple[Section, ...] = (
    Section("dashboard", "Dashboard", "core:dashboard"),
    Section("frameworks", "Frameworks", "frameworks:index"),
    Section("tasks", "My tasks", "core:my_tasks", roles.OWN_TASKS),
    Section("controls", "Controls", "controls:index"),
    Section("plan", "Plan", "controls:plan"),
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
    Section(
        "audits",
        "Audits",
        "core:section",
        upcoming="Audit engagements, the auditor workspace, request lists and the "
        "one-click audit bundle.",
    ),
    Section("settings", "Settings", "tenancy:settings"),
)

PLACEHOLDERS = {section.key: section for section in SECTIONS if section.upcoming}


def visible_sections(membership) -> list[Section]:
    return [s for s in SECTIONS if membership is not None and membership.can(s.capability)]
