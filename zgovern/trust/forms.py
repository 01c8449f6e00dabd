"""Reading the admin's Trust Center form into the keyword arguments of
:func:`zgovern.trust.services.update_settings`.

The form lists every framework, control and policy of the organisation with a checkbox
(``framework_<id>``, ``control_<id>``, ``policy_<id>``), a public text per control
(``control_text_<id>``) and a "show the body" box per policy (``policy_body_<id>``).
Ids that are not the organisation's are ignored here and refused by the service anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.http import QueryDict

from zgovern.controls.models import Control
from zgovern.core.errors import DomainError
from zgovern.frameworks.models import Framework
from zgovern.policies.models import Policy
from zgovern.trust.models import TrustCenter

TEXT_FIELDS = ("headline", "description", "contact_email", "nda_text")
NUMBER_FIELDS = ("link_days", "download_limit")
DATE_FIELDS = ("report_period_start", "report_period_end")


@dataclass(frozen=True)
class Option:
    pk: int
    label: str
    chosen: bool
    text: str = ""
    show_body: bool = False


def settings_from_post(org, post: QueryDict) -> dict[str, Any]:
    """The service's arguments from the submitted form (every setting, always)."""
    values: dict[str, Any] = {name: post.get(name, "") for name in TEXT_FIELDS + DATE_FIELDS}
    for name in NUMBER_FIELDS:
        values[name] = _number(post.get(name, ""), name)
    values["enabled"] = post.get("enabled") == "on"
    values["show_subprocessors"] = post.get("show_subprocessors") == "on"
    values["framework_ids"] = [
        pk for pk in _ids(Framework, org) if post.get(f"framework_{pk}") == "on"
    ]
    values["controls"] = [
        {"id": pk, "description": post.get(f"control_text_{pk}", "")}
        for pk in _ids(Control, org)
        if post.get(f"control_{pk}") == "on"
    ]
    values["policies"] = [
        {"id": pk, "show_body": post.get(f"policy_body_{pk}") == "on"}
        for pk in _ids(Policy, org)
        if post.get(f"policy_{pk}") == "on"
    ]
    return values


def _ids(model, org) -> list[int]:
    return list(model.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True))


def _number(raw: str, name: str) -> int:
    try:
        return int(raw.strip())
    except (ValueError, AttributeError):
        raise DomainError(f"{name.replace('_', ' ')} must be a whole number.", field=name) from None


def options(org, center) -> dict[str, list[Option]]:
    """Every framework, control and policy, marked with the choices of ``center`` (the
    settings, or :func:`form_values` / :func:`posted_values`)."""
    frameworks = set(center.framework_ids)
    chosen_controls = {e["id"] for e in center.controls}
    controls = {**getattr(center, "control_texts", {})}
    controls.update({e["id"]: e.get("description", "") for e in center.controls})
    policies = {e["id"]: bool(e.get("show_body")) for e in center.policies}
    return {
        "frameworks": [
            Option(f.pk, f"{f.name} {f.version}".strip(), f.pk in frameworks)
            for f in Framework.objects.filter(organization=org).order_by("name")
        ],
        "controls": [
            Option(c.pk, c.name, c.pk in chosen_controls, controls.get(c.pk, ""))
            for c in Control.objects.filter(organization=org).order_by("name", "pk")
        ],
        "policies": [
            Option(p.pk, p.title, p.pk in policies, show_body=policies.get(p.pk, False))
            for p in Policy.objects.filter(organization=org).order_by("title", "pk")
        ],
    }


def form_values(center: TrustCenter) -> SimpleNamespace:
    """What the settings form shows for the saved (or default) settings."""
    values = {name: getattr(center, name) for name in TEXT_FIELDS + NUMBER_FIELDS}
    for name in DATE_FIELDS:
        day = getattr(center, name)
        values[name] = day.isoformat() if day else ""
    return SimpleNamespace(
        enabled=center.enabled, show_subprocessors=center.show_subprocessors,
        framework_ids=list(center.framework_ids), controls=list(center.controls),
        policies=list(center.policies), **values,
    )  # fmt: skip


def posted_values(org, post: QueryDict) -> SimpleNamespace:
    """The form as submitted, so a refused form is shown again as the admin left it."""
    values = {name: post.get(name, "") for name in TEXT_FIELDS + NUMBER_FIELDS + DATE_FIELDS}
    return SimpleNamespace(
        enabled=post.get("enabled") == "on",
        show_subprocessors=post.get("show_subprocessors") == "on",
        framework_ids=[pk for pk in _ids(Framework, org) if post.get(f"framework_{pk}") == "on"],
        controls=[
            {"id": pk, "description": post.get(f"control_text_{pk}", "")}
            for pk in _ids(Control, org)
            if post.get(f"control_{pk}") == "on"
        ],
        control_texts={pk: post.get(f"control_text_{pk}", "") for pk in _ids(Control, org)},
        policies=[
            {"id": pk, "show_body": post.get(f"policy_body_{pk}") == "on"}
            for pk in _ids(Policy, org)
            if post.get(f"policy_{pk}") == "on"
        ],
        **values,
    )
