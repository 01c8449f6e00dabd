"""Writes of the remediation plan: tasks that close the gaps of controls (re-exported by
:mod:`zgovern.controls.services`, the app's one door for writes).

A task has an owner (a member of the organisation), a priority, a target date and a status.
A target date in the past is refused when a task is created or its date changed; a task
that passes its date while open is overdue, which is the plan's business to show. Tasks
are never deleted: one that will not be done is closed as "won't do".
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from zgovern.controls import validation as v
from zgovern.controls.lookups import email_of, get_control, get_task, member_user, to_pk
from zgovern.controls.models import (
    ControlStatus,
    Priority,
    RemediationTask,
    Severity,
    TaskStatus,
)
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError, NotFound
from zgovern.frameworks.models import Framework
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Organization

TASK_FIELDS = ("title", "description", "control", "owner", "priority", "target_date", "status")
OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
PRIORITY_FOR_SEVERITY = {
    Severity.CRITICAL: Priority.URGENT,
    Severity.HIGH: Priority.HIGH,
    Severity.MEDIUM: Priority.MEDIUM,
    Severity.LOW: Priority.LOW,
}
DAYS_FOR_PRIORITY = {Priority.URGENT: 14, Priority.HIGH: 30, Priority.MEDIUM: 60, Priority.LOW: 90}
_UNSET = object()


def _clean(org: Organization, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise DomainError(f"Unknown field {name!r}.", field=name)
    cleaners = {
        "title": lambda x: v.text(x, field="title", max_length=v.NAME_MAX, required=True),
        "description": lambda x: v.text(x, field="description", max_length=v.DESCRIPTION_MAX),
        "control": lambda x: _control_or_none(org, x),
        "owner": lambda x: member_user(org, x),
        "priority": v.priority,
        "target_date": v.target_date,
        "status": v.task_status,
    }
    return {name: cleaners[name](value) for name, value in fields.items()}


def _control_or_none(org: Organization, control_id: Any):
    if control_id is None or control_id == "":
        return None
    try:
        return get_control(org, control_id)
    except NotFound:
        raise NotFound("No such control.", field="control") from None


def create_task(
    org: Organization,
    actor: Actor,
    *,
    title: str,
    description: str = "",
    control: Any = None,
    owner: Any = None,
    priority: Any = Priority.MEDIUM,
    target_date: Any = None,
) -> RemediationTask:
    """Create an open task (``remediation_task.created``). ``control`` and ``owner`` are
    ids in ``org``; a target date in the past answers 400."""
    fields = _clean(
        org,
        {"title": title, "description": description, "control": control, "owner": owner,
         "priority": priority, "target_date": target_date},
    )  # fmt: skip
    with transaction.atomic():
        task = RemediationTask.objects.create(organization=org, **fields)
        record(org, actor, "remediation_task.created", task, _summary(task))
    return task


def _summary(task: RemediationTask) -> dict[str, Any]:
    return {
        "title": task.title,
        "control": task.control_id,
        "owner": email_of(task.owner),
        "priority": Priority(task.priority).label,
        "target_date": task.target_date,
        "status": task.status,
    }


def update_task(org: Organization, actor: Actor, task_id: Any, **changes: Any) -> RemediationTask:
    """Change any of ``TASK_FIELDS``; only what differs is written and logged
    (``remediation_task.updated`` with before and after). The target date is checked only
    when it changes, so an overdue task can still be edited. Done sets ``completed_at``;
    any other status clears it."""
    target = changes.pop("target_date", _UNSET)
    fields = _clean(org, changes)
    with transaction.atomic():
        task = get_task(org, task_id, lock=True)
        if target is not _UNSET and target != task.target_date:
            fields["target_date"] = v.target_date(target)
        diff = _apply(task, fields)
        if diff:
            task.save(update_fields=[*diff, "completed_at"])
            record(org, actor, "remediation_task.updated", task, diff)
    return task


def _apply(task: RemediationTask, fields: dict[str, Any]) -> dict[str, list]:
    diff: dict[str, list] = {}
    for name, value in fields.items():
        if name in ("control", "owner"):
            before_id = getattr(task, f"{name}_id")
            if before_id != (value.pk if value is not None else None):
                diff[name] = [_label(getattr(task, name)), _label(value)]
                setattr(task, name, value)
        elif getattr(task, name) != value:
            diff[name] = [getattr(task, name), value]
            setattr(task, name, value)
    if "status" in diff:
        task.completed_at = timezone.now() if task.status == TaskStatus.DONE else None
    return diff


def _label(obj) -> Any:
    if obj is None:
        return None
    return getattr(obj, "email", None) or getattr(obj, "key", None) or str(obj)


def set_task_status(org: Organization, actor: Actor, task_id: Any, status: Any) -> RemediationTask:
    return update_task(org, actor, task_id, status=status)


# -- tasks from the gaps --------------------------------------------------------------


def generate_tasks_for_gaps(
    org: Organization, actor: Actor, framework_id: Any = None
) -> list[RemediationTask]:
    """Create one open task for every gap control (of ``framework_id``, or of every
    framework) that has no open task yet, worst gaps first. The title comes from the
    control's status reasons, the priority from its severity, the owner is the control's,
    and the target date is 14, 30, 60 or 90 days out by priority. Running it again creates
    nothing new while those tasks stay open."""
    from zgovern.readiness.engine import assess_organization  # readiness reads controls

    framework = _framework(org, framework_id)
    with transaction.atomic():
        # Serialise generators of one organisation, so two clicks make one set of tasks.
        Organization.objects.select_for_update().filter(pk=org.pk).first()
        assessment = assess_organization(org)
        gaps = _gap_states(assessment, framework)
        covered = set(
            RemediationTask.objects.filter(
                organization=org, control__isnull=False, status__in=OPEN_STATUSES
            ).values_list("control_id", flat=True)
        )
        created = [_task_for_gap(org, actor, s) for s in gaps if s.control.pk not in covered]
    return created


def _framework(org: Organization, framework_id: Any) -> Framework | None:
    if framework_id is None or framework_id == "":
        return None
    framework = Framework.objects.filter(organization=org, pk=to_pk(framework_id)).first()
    if framework is None:
        raise NotFound("No such framework.", field="framework_id")
    return framework


def _gap_states(assessment, framework: Framework | None) -> list:
    """Gap controls in worst-first order, each once, from one framework or all of them."""
    seen: dict[int, Any] = {}
    for readiness in assessment.frameworks:
        if framework is not None and readiness.framework.pk != framework.pk:
            continue
        for state in readiness.gaps:
            if state.verdict.status != ControlStatus.NOT_APPLICABLE:
                seen.setdefault(state.control.pk, state)
    return list(seen.values())


def _task_for_gap(org: Organization, actor: Actor, state) -> RemediationTask:
    control, verdict = state.control, state.verdict
    priority = PRIORITY_FOR_SEVERITY.get(control.severity, Priority.MEDIUM)
    days = DAYS_FOR_PRIORITY[priority]
    status_label = ControlStatus(verdict.status).label
    description = "\n".join(
        [f"Status: {status_label}.", *(f"- {reason}" for reason in verdict.reasons)]
    )
    task = RemediationTask.objects.create(
        organization=org, control=control, title=gap_title(control.name, verdict),
        description=description, owner_id=control.owner_id, priority=priority,
        target_date=timezone.localdate() + timedelta(days=days),
    )  # fmt: skip
    record(org, actor, "remediation_task.created", task, {**_summary(task), "generated": True})
    return task


# Reasons of status.py that say something is in order; the first other reason is the gap.
_MET = ("resources pass.", "approved and within its review date.", "do not count.")


def gap_title(name: str, verdict) -> str:
    """ "<control>: <first unmet reason>", cut to the title's length."""
    problem = next(
        (
            r
            for r in verdict.reasons
            if not r.endswith(_MET) and not (r.startswith("Evidence '") and ": collected " in r)
        ),
        ControlStatus(verdict.status).label + ".",
    )
    title = f"{name}: {problem}"
    return title if len(title) <= v.NAME_MAX else title[: v.NAME_MAX - 1] + "…"
