"""The policy library's domain operations: the only code that writes policies and versions.
Each runs in one transaction with its activity-log row(s).

Lifecycle of a version: draft → in_review (``submit_for_review``) → approved (``approve``)
→ published (``publish``) → retired (``retire``, or when a newer version is published).
``return_to_draft`` sends a version under review back to its author. Only a draft's text
changes (``edit_version``); any change to a policy in force is a new version
(``new_version``), and a policy has at most one version in progress at a time.

Acknowledgements (``acknowledge``, ``record_paper_acknowledgement``) are in
:mod:`zgovern.policies.acknowledgements` and re-exported here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone

from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.policies import signals, templates
from zgovern.policies.acknowledgements import acknowledge, record_paper_acknowledgement
from zgovern.policies.audience import audience
from zgovern.policies.models import (
    Approval,
    Audience,
    Policy,
    PolicyVersion,
    VersionStatus,
)
from zgovern.policies.validation import clean_policy_fields, clean_version_fields, member
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Organization

__all__ = [
    "acknowledge",
    "adopt_template",
    "approve",
    "create_policy",
    "edit_version",
    "new_version",
    "publish",
    "record_paper_acknowledgement",
    "retire",
    "return_to_draft",
    "submit_for_review",
    "update_policy",
]

IN_PROGRESS = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW, VersionStatus.APPROVED)


# -- policies -------------------------------------------------------------------------


def adopt_template(
    org: Organization,
    actor: Actor,
    *,
    template_key: str,
    owner: Any = None,
    company_name: str = "",
    review_cadence_months: int | None = None,
    audience: str | None = None,
    departments: list[str] | None = None,
) -> Policy:
    """Adopt a library template as a new policy with a draft version 1 whose placeholders
    ({{ company_name }}, {{ owner }}, {{ review_cadence }}) are filled in. The policy keeps
    the template's key, controls and criteria. A key already adopted is a ``Conflict``."""
    template = templates.get(template_key)
    if template is None:
        raise DomainError(f"No template {template_key!r}.", field="template_key")
    fields = clean_policy_fields(org, {
        "title": template.title, "owner": owner,
        "audience": audience or template.audience, "departments": departments or [],
        "review_cadence_months": review_cadence_months or template.review_cadence_months,
    })  # fmt: skip
    owner_user = fields["owner"]
    body = templates.fill(
        template.body,
        company_name=str(company_name or "").strip()[:200] or org.name,
        owner=(owner_user.full_name or owner_user.email) if owner_user else "the policy owner",
        cadence_months=fields["review_cadence_months"],
    )
    body = clean_version_fields({"body": body})["body"]
    extra = {"controls": list(template.controls), "criteria": list(template.criteria)}
    return _create(org, actor, template.key, fields, body, template.key, extra)


def create_policy(org: Organization, actor: Actor, *, key: str, body: str, **fields: Any) -> Policy:
    """Write a policy from scratch with a draft version 1. ``key`` is a slug unique in the
    organisation; ``fields`` as :func:`update_policy`, ``title`` required."""
    key = str(key or "").strip().lower()
    if not key or len(key) > 80 or not all(c.isascii() and (c.isalnum() or c == "-") for c in key):
        raise DomainError("Use lowercase letters, digits and '-' (at most 80).", field="key")
    clean = clean_policy_fields(org, {"audience": Audience.EVERYONE, **fields})
    if not clean.get("title"):
        raise DomainError("A title is required.", field="title")
    body = clean_version_fields({"body": body})["body"]
    return _create(org, actor, key, clean, body, "", {})


def _create(org, actor, key, fields, body, template_key, extra) -> Policy:
    if Policy.objects.filter(organization=org, key=key).exists():
        raise Conflict(f"A policy {key!r} already exists.", field="key")
    try:
        with transaction.atomic():
            policy = Policy.objects.create(
                organization=org, key=key, template_key=template_key, **fields, **extra
            )
            version = PolicyVersion.objects.create(
                organization=org, policy=policy, number=1, body=body,
                change_summary="First version", material=True, **_author(actor),
            )  # fmt: skip
            record(org, actor, "policy.created", policy, {
                "key": key, "template": template_key, "title": policy.title,
                "version": version.number,
            })  # fmt: skip
    except IntegrityError:
        raise Conflict(f"A policy {key!r} already exists.", field="key") from None
    return policy


def update_policy(org: Organization, actor: Actor, policy_id: Any, **fields: Any) -> Policy:
    """Change a policy's title, owner, audience, departments, review cadence or
    acknowledgement window. A new cadence moves the next review date from the last
    publication. Records nothing when nothing changes."""
    clean = clean_policy_fields(org, fields)
    with transaction.atomic():
        policy = _policy(org, policy_id, lock=True)
        changes = {}
        for name, value in clean.items():
            old = getattr(policy, name)
            if old != value:
                changes[name] = [_plain(old), _plain(value)]
                setattr(policy, name, value)
        if not changes:
            return policy
        if "review_cadence_months" in changes and (current := policy.current_version()):
            policy.next_review_date = _next_review(policy, current.published_at.date())
        policy.save()
        record(org, actor, "policy.updated", policy, changes)
    return policy


# -- versions -------------------------------------------------------------------------


def new_version(
    org: Organization,
    actor: Actor,
    policy_id: Any,
    *,
    body: str | None = None,
    change_summary: str = "",
    material: bool = True,
) -> PolicyVersion:
    """Start the next version as a draft (its text defaults to the latest version's).
    Refused while another version is in progress."""
    with transaction.atomic():
        policy = _policy(org, policy_id, lock=True)
        busy = policy.versions.filter(status__in=IN_PROGRESS).first()
        if busy is not None:
            raise Conflict(
                f"Version {busy.number} is still {busy.get_status_display().lower()}; "
                "finish or edit it first.",
                field="policy",
            )
        latest = policy.latest_version()
        clean = clean_version_fields({
            "body": body if body is not None else (latest.body if latest else ""),
            "change_summary": change_summary, "material": material,
        })  # fmt: skip
        version = PolicyVersion.objects.create(
            organization=org, policy=policy, number=(latest.number if latest else 0) + 1,
            **clean, **_author(actor),
        )  # fmt: skip
        record(org, actor, "policy.version_created", policy, {"version": version.number})
    return version


def edit_version(org: Organization, actor: Actor, version_id: Any, **fields: Any) -> PolicyVersion:
    """Change a draft's body, change summary or material flag; anything past draft is
    refused (a published text is never edited: make a new version)."""
    clean = clean_version_fields(fields)
    with transaction.atomic():
        version = _version(org, version_id, lock=True)
        if version.status != VersionStatus.DRAFT:
            raise Conflict(
                f"Version {version.number} is {version.get_status_display().lower()} and can "
                "no longer be edited; start a new version instead.",
                field="version",
            )
        changed = [name for name, value in clean.items() if getattr(version, name) != value]
        if not changed:
            return version
        for name in changed:
            setattr(version, name, clean[name])
        version.updated_at = timezone.now()
        version.save()
        record(org, actor, "policy.version_edited", version.policy, {
            "version": version.number, "fields": changed,
        })  # fmt: skip
    return version


def submit_for_review(org: Organization, actor: Actor, version_id: Any) -> PolicyVersion:
    """draft → in_review."""
    return _move(org, actor, version_id, VersionStatus.DRAFT, VersionStatus.IN_REVIEW,
                 "policy.submitted", stamp="submitted_at")  # fmt: skip


def return_to_draft(org: Organization, actor: Actor, version_id: Any) -> PolicyVersion:
    """in_review → draft, dropping nothing (the reviewer asks for changes)."""
    return _move(org, actor, version_id, VersionStatus.IN_REVIEW, VersionStatus.DRAFT,
                 "policy.returned")  # fmt: skip


def approve(org: Organization, actor: Actor, version_id: Any) -> PolicyVersion:
    """in_review → approved, recording the approver and the date. Needs a person (a user
    or a user's token) as the approver, not the system."""
    if actor.user is None and actor.kind != "system":
        raise DomainError("An approval needs a signed-in approver.", field="approver")
    with transaction.atomic():
        version = _move(org, actor, version_id, VersionStatus.IN_REVIEW, VersionStatus.APPROVED,
                        "policy.approved", stamp="approved_at")  # fmt: skip
        Approval.objects.create(
            organization=org, version=version, approver=actor.user,
            approver_label=actor.label[:254], approved_at=version.approved_at,
        )  # fmt: skip
    return version


def publish(
    org: Organization, actor: Actor, version_id: Any, *, effective_date: date | None = None
) -> PolicyVersion:
    """approved → published: the previous published version is retired as superseded, the
    next review date is set from the cadence, the open review task (if any) is closed, and
    the audience is counted from the roster. Who must acknowledge follows from the material
    flag (see :mod:`zgovern.policies.audience`)."""
    today = timezone.localdate()
    effective = effective_date or today
    with transaction.atomic():
        version = _move(org, actor, version_id, VersionStatus.APPROVED, VersionStatus.PUBLISHED,
                        "policy.published", stamp="published_at", save=False)  # fmt: skip
        policy = Policy.objects.select_for_update().get(pk=version.policy_id)
        previous = policy.versions.filter(status=VersionStatus.PUBLISHED).first()
        if previous is not None:
            previous.status, previous.retired_at = VersionStatus.RETIRED, version.published_at
            previous.superseded_by = version
            previous.save()
        version.effective_date = effective
        version.audience_size = audience(policy, today).count()
        version.save()
        policy.next_review_date = _next_review(policy, today)
        policy.save(update_fields=["next_review_date"])
        _close_review_task(org, actor, policy)
        record(org, actor, "policy.distributed", policy, {
            "version": version.number, "material": version.material,
            "audience": policy.audience, "audience_size": version.audience_size,
            "supersedes": previous.number if previous else None,
            "effective_date": effective.isoformat(),
        })  # fmt: skip
        transaction.on_commit(
            lambda: signals.version_published.send_robust(
                PolicyVersion, organization=org, version=version
            )
        )
    return version


def retire(org: Organization, actor: Actor, version_id: Any) -> PolicyVersion:
    """published → retired: the policy is withdrawn; nobody is asked to acknowledge it."""
    return _move(org, actor, version_id, VersionStatus.PUBLISHED, VersionStatus.RETIRED,
                 "policy.retired", stamp="retired_at")  # fmt: skip


def _move(org, actor, version_id, source, target, action, *, stamp=None, save=True):
    with transaction.atomic():
        version = _version(org, version_id, lock=True)
        if version.status != source:
            raise Conflict(
                f"Version {version.number} is {version.get_status_display().lower()}; only a "
                f"{VersionStatus(source).label.lower()} version can become "
                f"{VersionStatus(target).label.lower()}.",
                field="status",
            )
        version.status = target
        if stamp:
            setattr(version, stamp, timezone.now())
        version.updated_at = timezone.now()
        if save:
            version.save()
        record(org, actor, action, version.policy, {"version": version.number, "status": target})
    return version


# -- review cadence -------------------------------------------------------------------


def _next_review(policy: Policy, since: date) -> date:
    return since + relativedelta(months=policy.review_cadence_months)


def _close_review_task(org: Organization, actor: Actor, policy: Policy) -> None:
    task = policy.review_task
    if task is not None and task.is_open:
        from zgovern.controls.services import set_task_status

        set_task_status(org, actor, task.pk, "done")


def flag_overdue_reviews(org: Organization, actor: Actor, today: date | None = None) -> list:
    """For each policy past its review date without an open review task, create one
    (linked to the first of the policy's controls adopted in the organisation, preferring
    ``policies-approved``). Returns the tasks created; running it again creates none."""
    from zgovern.policies.reviews import overdue_review_tasks

    return overdue_review_tasks(org, actor, today or timezone.localdate())


# -- checks ---------------------------------------------------------------------------

CHECKS_NAME = "Policy programme"


def ensure_policy_checks(org: Organization, actor: Actor):
    """The organisation's built-in ``policy_program`` integration, added (daily) when
    missing, and each of its checks attached to the adopted controls it evidences
    (policies-approved, policies-acknowledged, code-of-conduct-acknowledged), so each run's
    evidence reaches them. Idempotent: a second call changes nothing."""
    from zgovern.controls import services as controls
    from zgovern.controls.models import Control
    from zgovern.integrations import services as integrations
    from zgovern.integrations.models import Integration
    from zgovern.integrations.policy_program.provider import PROVIDER
    from zgovern.monitoring import registry

    integration = Integration.objects.filter(organization=org, provider=PROVIDER.key).first()
    if integration is None:
        name = CHECKS_NAME
        if Integration.objects.filter(organization=org, name=name).exists():
            name = f"{CHECKS_NAME} (built in)"
        integration = integrations.create_integration(
            org, actor, provider=PROVIDER.key, name=name, config={}, interval_hours=24
        )
    for spec in registry.provider_checks(PROVIDER):
        for key in spec.controls:
            control = Control.objects.filter(organization=org, key=key).first()
            if control is not None and not control.checks.filter(check_id=spec.id).exists():
                controls.add_check(org, actor, control.pk, spec.id)
    return integration


# -- lookups --------------------------------------------------------------------------


def _policy(org: Organization, policy_id: Any, *, lock: bool = False) -> Policy:
    rows = Policy.objects.filter(organization=org, pk=_pk(policy_id, "policy"))
    policy = (rows.select_for_update() if lock else rows).first()
    if policy is None:
        raise NotFound("No such policy.")
    return policy


def _version(org: Organization, version_id: Any, *, lock: bool = False) -> PolicyVersion:
    rows = PolicyVersion.objects.filter(organization=org, pk=_pk(version_id, "version"))
    version = (rows.select_for_update(of=("self",)) if lock else rows).select_related("policy")
    version = version.first()
    if version is None:
        raise NotFound("No such policy version.")
    return version


def _pk(value: Any, name: str) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise NotFound(f"No such {name}.") from None
    if pk < 1 or pk > 2**63 - 1:
        raise NotFound(f"No such {name}.")
    return pk


def _author(actor: Actor) -> dict:
    return {"author": actor.user, "author_label": actor.label[:254]}


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "email", value)


__all__ += ["ensure_policy_checks", "flag_overdue_reviews", "member"]
