"""Lookups the controls services share: a control, a task, and a member who may own work,
each found through the organisation so that another organisation's id is not found."""

from __future__ import annotations

from typing import Any

from zgovern.controls import validation as v
from zgovern.controls.models import Control, RemediationTask
from zgovern.core.errors import DomainError, NotFound
from zgovern.tenancy.models import Membership, Organization
from zgovern.tenancy.roles import Role


def to_pk(value: Any) -> int:
    """``value`` as a primary key; 0 (which matches nothing) when it is not one, so a
    malformed id is answered like an unknown one."""
    try:
        return v.object_id(value, field="id")
    except DomainError:
        return 0


def get_control(org: Organization, control_id: Any, *, lock: bool = False) -> Control:
    rows = Control.objects.filter(organization=org, pk=to_pk(control_id))
    control = (rows.select_for_update() if lock else rows).first()
    if control is None:
        raise NotFound("No such control.")
    return control


def get_task(org: Organization, task_id: Any, *, lock: bool = False) -> RemediationTask:
    rows = RemediationTask.objects.filter(organization=org, pk=to_pk(task_id))
    task = (rows.select_for_update() if lock else rows).first()
    if task is None:
        raise NotFound("No such remediation task.")
    return task


def member_user(org: Organization, user_id: Any, *, field: str = "owner"):
    """The user ``user_id`` when they are a member of ``org`` who may own work, else
    ``DomainError(field=field)``. The membership is queried through ``org``, so the id of
    someone in another organisation is refused like an unknown one. None stays None."""
    if user_id is None or user_id == "":
        return None
    pk = to_pk(user_id)
    membership = (
        Membership.objects.filter(organization=org, user_id=pk).select_related("user").first()
    )
    if membership is None or not membership.user.is_active:
        raise DomainError("The owner is not a member of this organisation.", field=field)
    if membership.role == Role.AUDITOR:
        # Auditors judge the controls; owning one would have them audit their own work.
        raise DomainError("An auditor cannot own controls or tasks.", field=field)
    return membership.user


def email_of(user) -> str | None:
    return user.email if user is not None else None
