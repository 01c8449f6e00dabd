"""Review cadence: a policy whose next review date has passed is *overdue*; each overdue
policy gets one open remediation task (kept on ``Policy.review_task``) until a new version
is published, which sets the next review date and closes the task."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from zgovern.controls.models import Control, Priority
from zgovern.core.actor import Actor
from zgovern.policies.models import Policy
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Organization

PREFERRED_CONTROL = "policies-approved"
TASK_DAYS = 30


def overdue(org: Organization, today: date) -> list[Policy]:
    rows = Policy.objects.filter(organization=org, next_review_date__lt=today)
    return list(rows.select_related("review_task").order_by("next_review_date", "id"))


def review_control(org: Organization, policy: Policy) -> Control | None:
    """The control the review task hangs on: ``policies-approved`` when the organisation
    has it, else the first of the policy's controls it has adopted."""
    keys = [PREFERRED_CONTROL, *policy.controls]
    found = {c.key: c for c in Control.objects.filter(organization=org, key__in=keys)}
    return next((found[k] for k in keys if k in found), None)


def overdue_review_tasks(org: Organization, actor: Actor, today: date) -> list:
    from zgovern.controls.services import create_task

    created = []
    for policy in overdue(org, today):
        if policy.review_task is not None and policy.review_task.is_open:
            continue
        control = review_control(org, policy)
        with transaction.atomic():
            task = create_task(
                org, actor,
                title=f"Review the {policy.title}"[:200],
                description=(
                    f"The {policy.title} was due for review on "
                    f"{policy.next_review_date.isoformat()}. Review it, approve a new version "
                    f"(or confirm the current text in one) and publish it. Controls it "
                    f"supports: {', '.join(policy.controls) or 'none listed'}."
                ),
                control=control.pk if control else None,
                owner=policy.owner_id, priority=Priority.HIGH,
                target_date=today + timedelta(days=TASK_DAYS),
            )  # fmt: skip
            Policy.objects.filter(pk=policy.pk).update(review_task=task)
            record(org, actor, "policy.review_overdue", policy, {
                "next_review_date": policy.next_review_date.isoformat(), "task": task.pk,
            })  # fmt: skip
        created.append(task)
    return created
