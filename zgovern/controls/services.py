"""The only writer of an organisation's controls: what each is and who owns it, how it is
tested (checks, evidence requirements, policies), the criteria it addresses, its manual
status override, and the evidence linked to it. The remediation plan's writes live in
:mod:`zgovern.controls.remediation` and are re-exported here, so this module is the one
door for every write of the app.

Every function validates its input before writing, looks every object up through ``org``
(another organisation's id is simply not found), and records the change with
``activity.record`` in the same transaction. Refusals raise ``DomainError`` (400),
``NotFound`` (404) or ``Conflict`` (409), naming the input at fault.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from zgovern.controls import validation as v
from zgovern.controls.lookups import email_of, get_control, member_user, to_pk
from zgovern.controls.models import (
    Control,
    ControlCheck,
    ControlCriterion,
    ControlEvidence,
    ControlPolicy,
    EvidenceRequirement,
)
from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.evidence import services as evidence_services
from zgovern.evidence.models import EvidenceItem
from zgovern.frameworks.models import Criterion
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Organization

CONTROL_FIELDS = ("key", "name", "description", "domain", "frequency", "severity", "owner")
REQUIREMENT_FIELDS = ("kind", "description", "freshness_days")


# -- controls -------------------------------------------------------------------------


def _clean_control(org: Organization, fields: dict[str, Any]) -> dict[str, Any]:
    """Validate the given control fields (any subset of ``CONTROL_FIELDS``)."""
    unknown = set(fields) - set(CONTROL_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise DomainError(f"Unknown field {name!r}.", field=name)
    cleaners = {
        "key": lambda x: v.slug(x, field="key", max_length=v.KEY_MAX),
        "name": lambda x: v.text(x, field="name", max_length=v.NAME_MAX, required=True),
        "description": lambda x: v.text(x, field="description", max_length=v.DESCRIPTION_MAX),
        "domain": lambda x: v.slug(x, field="domain", max_length=v.DOMAIN_MAX, required=False),
        "frequency": v.frequency,
        "severity": v.severity,
        "owner": lambda x: member_user(org, x),
    }
    return {name: cleaners[name](value) for name, value in fields.items()}


def create_control(
    org: Organization,
    actor: Actor,
    *,
    key: str,
    name: str,
    description: str = "",
    domain: str = "",
    frequency: str = "continuous",
    severity: str = "medium",
    owner: Any = None,
) -> Control:
    """Create a control; its key is unique in the organisation (409 otherwise)."""
    fields = _clean_control(
        org,
        {"key": key, "name": name, "description": description, "domain": domain,
         "frequency": frequency, "severity": severity, "owner": owner},
    )  # fmt: skip
    _key_free(org, fields["key"])
    try:
        with transaction.atomic():
            control = Control.objects.create(organization=org, **fields)
            changes = {k: val for k, val in fields.items() if k != "owner"}
            record(org, actor, "control.created", control,
                   {**changes, "owner": email_of(fields["owner"])})  # fmt: skip
    except IntegrityError:  # a concurrent create took the key between check and insert
        raise _key_taken(fields["key"]) from None
    return control


def _key_free(org: Organization, key: str, exclude: int | None = None) -> None:
    rows = Control.objects.filter(organization=org, key=key)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    if rows.exists():
        raise _key_taken(key)


def _key_taken(key: str) -> Conflict:
    return Conflict(f"Another control already has the key {key!r}.", field="key")


def update_control(org: Organization, actor: Actor, control_id: Any, **changes: Any) -> Control:
    """Change any of the control's fields (``CONTROL_FIELDS``); only what differs is
    written and logged (``control.updated`` with before and after)."""
    fields = _clean_control(org, changes)
    try:
        with transaction.atomic():
            control = get_control(org, control_id, lock=True)
            if "key" in fields:
                _key_free(org, fields["key"], exclude=control.pk)
            diff = _apply(control, fields)
            if diff:
                control.save(update_fields=list(diff))
                record(org, actor, "control.updated", control, diff)
    except IntegrityError:
        raise _key_taken(fields["key"]) from None
    return control


def _apply(control: Control, fields: dict[str, Any]) -> dict[str, list]:
    """Set the fields that change; return {field: [before, after]} for the log."""
    diff: dict[str, list] = {}
    for name, value in fields.items():
        before = getattr(control, name)
        if name == "owner":
            if control.owner_id != (value.pk if value is not None else None):
                diff[name] = [email_of(before), email_of(value)]
                control.owner = value
        elif before != value:
            diff[name] = [before, value]
            setattr(control, name, value)
    return diff


def set_owner(org: Organization, actor: Actor, control_id: Any, owner: Any) -> Control:
    """Give the control an owner (a member of ``org``) or none."""
    return update_control(org, actor, control_id, owner=owner)


# -- how the control is tested --------------------------------------------------------


def add_check(org: Organization, actor: Actor, control_id: Any, check_id: Any) -> ControlCheck:
    cleaned = v.check_id(check_id)
    with transaction.atomic():
        control = get_control(org, control_id, lock=True)
        rows = ControlCheck.objects.filter(organization=org, control=control, check_id=cleaned)
        if rows.exists():
            raise Conflict(f"The control already uses check {cleaned}.", field="check_id")
        check = ControlCheck.objects.create(organization=org, control=control, check_id=cleaned)
        record(org, actor, "control.check_added", control, {"check_id": cleaned})
    return check


def remove_check(org: Organization, actor: Actor, control_id: Any, check_id: Any) -> None:
    cleaned = v.text(check_id, field="check_id", max_length=v.CHECK_MAX, required=True).lower()
    with transaction.atomic():
        control = get_control(org, control_id, lock=True)
        deleted, _ = ControlCheck.objects.filter(
            organization=org, control=control, check_id=cleaned
        ).delete()
        if not deleted:
            raise NotFound(f"The control does not use check {cleaned}.", field="check_id")
        record(org, actor, "control.check_removed", control, {"check_id": cleaned})


def add_requirement(
    org: Organization,
    actor: Actor,
    control_id: Any,
    *,
    kind: Any,
    description: Any,
    freshness_days: Any,
) -> EvidenceRequirement:
    """Require evidence of ``kind`` no older than ``freshness_days`` (one per kind)."""
    fields = _clean_requirement(
        {"kind": kind, "description": description, "freshness_days": freshness_days}
    )
    with transaction.atomic():
        control = get_control(org, control_id, lock=True)
        _kind_free(org, control, fields["kind"])
        requirement = EvidenceRequirement.objects.create(
            organization=org, control=control, **fields
        )
        record(org, actor, "control.requirement_added", control, fields)
    return requirement


def _clean_requirement(fields: dict[str, Any]) -> dict[str, Any]:
    cleaners = {
        "kind": v.kind,
        "description": lambda x: v.text(
            x, field="description", max_length=v.REQUIREMENT_MAX, required=True
        ),
        "freshness_days": v.freshness,
    }
    unknown = set(fields) - set(cleaners)
    if unknown:
        name = sorted(unknown)[0]
        raise DomainError(f"Unknown field {name!r}.", field=name)
    return {name: cleaners[name](value) for name, value in fields.items()}


def _kind_free(org, control: Control, kind: str, exclude: int | None = None) -> None:
    rows = EvidenceRequirement.objects.filter(organization=org, control=control, kind=kind)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    if rows.exists():
        raise Conflict(f"The control already requires evidence of kind {kind!r}.", field="kind")


def get_requirement(org: Organization, requirement_id: Any, *, lock: bool = False):
    rows = EvidenceRequirement.objects.filter(organization=org, pk=to_pk(requirement_id))
    requirement = (rows.select_for_update() if lock else rows).select_related("control").first()
    if requirement is None:
        raise NotFound("No such evidence requirement.")
    return requirement


def update_requirement(
    org: Organization, actor: Actor, requirement_id: Any, **changes: Any
) -> EvidenceRequirement:
    """Change a requirement's kind, description or freshness (``control.requirement_updated``)."""
    fields = _clean_requirement(changes)
    with transaction.atomic():
        requirement = get_requirement(org, requirement_id, lock=True)
        # Serialise with add_requirement and sibling updates on the same control, so two
        # requirements cannot race to the same kind (the unique constraint would be a 500).
        get_control(org, requirement.control_id, lock=True)
        if "kind" in fields:
            _kind_free(org, requirement.control, fields["kind"], exclude=requirement.pk)
        diff = {
            name: [getattr(requirement, name), value]
            for name, value in fields.items()
            if getattr(requirement, name) != value
        }
        if diff:
            for name, (_, value) in diff.items():
                setattr(requirement, name, value)
            requirement.save(update_fields=list(diff))
            record(org, actor, "control.requirement_updated", requirement.control,
                   {"requirement": requirement.pk, **diff})  # fmt: skip
    return requirement


def remove_requirement(org: Organization, actor: Actor, requirement_id: Any) -> None:
    with transaction.atomic():
        requirement = get_requirement(org, requirement_id, lock=True)
        control = requirement.control
        gone = {"requirement": requirement.pk, "kind": requirement.kind}
        requirement.delete()
        record(org, actor, "control.requirement_removed", control, gone)


def add_policy(org: Organization, actor: Actor, control_id: Any, policy_key: Any) -> ControlPolicy:
    key = v.slug(policy_key, field="policy_key", max_length=v.POLICY_MAX)
    with transaction.atomic():
        control = get_control(org, control_id, lock=True)
        rows = ControlPolicy.objects.filter(organization=org, control=control, policy_key=key)
        if rows.exists():
            raise Conflict(f"The control already relies on policy {key}.", field="policy_key")
        policy = ControlPolicy.objects.create(organization=org, control=control, policy_key=key)
        record(org, actor, "control.policy_added", control, {"policy_key": key})
    return policy


def remove_policy(org: Organization, actor: Actor, control_id: Any, policy_key: Any) -> None:
    key = v.text(policy_key, field="policy_key", max_length=v.POLICY_MAX, required=True).lower()
    with transaction.atomic():
        control = get_control(org, control_id, lock=True)
        deleted, _ = ControlPolicy.objects.filter(
            organization=org, control=control, policy_key=key
        ).delete()
        if not deleted:
            raise NotFound(f"The control does not rely on policy {key}.", field="policy_key")
        record(org, actor, "control.policy_removed", control, {"policy_key": key})


def map_criteria(org: Organization, actor: Actor, control_id: Any, criterion_ids: Any) -> int:
    """Map the control to assessable criteria of ``org``'s frameworks; returns how many
    were newly mapped (already mapped ones are left as they are)."""
    wanted = v.ids(criterion_ids, field="criterion_ids")
    with transaction.atomic():
        control = get_control(org, control_id, lock=True)
        criteria = {
            c.pk: c
            for c in Criterion.objects.filter(organization=org, pk__in=wanted, assessable=True)
        }
        missing = [pk for pk in wanted if pk not in criteria]
        if missing:
            raise NotFound(
                f"No assessable criterion with id {missing[0]} in this organisation.",
                field="criterion_ids",
            )
        mapped = set(
            ControlCriterion.objects.filter(organization=org, control=control).values_list(
                "criterion_id", flat=True
            )
        )
        new = [criteria[pk] for pk in wanted if pk not in mapped]
        ControlCriterion.objects.bulk_create(
            [ControlCriterion(organization=org, control=control, criterion=c) for c in new]
        )
        if new:
            record(org, actor, "control.criteria_mapped", control,
                   {"criteria": [f"{c.framework_id}:{c.ref}" for c in new]})  # fmt: skip
    return len(new)


def unmap_criteria(org: Organization, actor: Actor, control_id: Any, criterion_ids: Any) -> int:
    """Remove the control's mappings to ``criterion_ids``; each must be mapped (404)."""
    wanted = v.ids(criterion_ids, field="criterion_ids")
    with transaction.atomic():
        control = get_control(org, control_id, lock=True)
        links = list(
            ControlCriterion.objects.filter(
                organization=org, control=control, criterion_id__in=wanted
            ).select_related("criterion")
        )
        found = {link.criterion_id for link in links}
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            raise NotFound(
                f"The control is not mapped to criterion {missing[0]}.", field="criterion_ids"
            )
        ControlCriterion.objects.filter(pk__in=[link.pk for link in links]).delete()
        refs = [f"{link.criterion.framework_id}:{link.criterion.ref}" for link in links]
        record(org, actor, "control.criteria_unmapped", control, {"criteria": refs})
    return len(links)


# -- manual status override -----------------------------------------------------------


def set_override(
    org: Organization, actor: Actor, control_id: Any, *, status: Any, justification: Any
) -> Control:
    """Set the control's status by hand. A justification is required; the change is
    logged with the status and justification before and after."""
    cleaned_status = v.control_status(status)
    reason = v.text(
        justification, field="justification", max_length=v.JUSTIFICATION_MAX, required=True
    )
    with transaction.atomic():
        control = get_control(org, control_id, lock=True)
        before = [control.override_status or None, control.override_justification or None]
        control.override_status = cleaned_status
        control.override_justification = reason
        control.override_by = actor.user if getattr(actor.user, "pk", None) else None
        control.override_at = timezone.now()
        control.save(update_fields=_OVERRIDE_FIELDS)
        record(org, actor, "control.override_set", control,
               {"status": [before[0], str(cleaned_status)],
                "justification": [before[1], reason]})  # fmt: skip
    return control


_OVERRIDE_FIELDS = ["override_status", "override_justification", "override_by", "override_at"]


def clear_override(org: Organization, actor: Actor, control_id: Any) -> Control:
    """Return the control to its derived status (409 when no override is set)."""
    with transaction.atomic():
        control = get_control(org, control_id, lock=True)
        if not control.override_status:
            raise Conflict("This control has no manual status to clear.")
        before = {"status": control.override_status,
                  "justification": control.override_justification}  # fmt: skip
        control.override_status = control.override_justification = ""
        control.override_by, control.override_at = None, None
        control.save(update_fields=_OVERRIDE_FIELDS)
        record(org, actor, "control.override_cleared", control, {"before": before})
    return control


# -- evidence -------------------------------------------------------------------------


def link_evidence(
    org: Organization, actor: Actor, control_id: Any, evidence_id: Any
) -> ControlEvidence:
    """Link an evidence item of ``org`` to the control (409 when already linked)."""
    with transaction.atomic():
        control = get_control(org, control_id, lock=True)
        item = EvidenceItem.objects.filter(organization=org, pk=to_pk(evidence_id)).first()
        if item is None:
            raise NotFound("No such evidence item.", field="evidence_id")
        rows = ControlEvidence.objects.filter(organization=org, control=control, evidence=item)
        if rows.exists():
            raise Conflict("This evidence is already linked to the control.", field="evidence_id")
        link = ControlEvidence.objects.create(organization=org, control=control, evidence=item)
        record(org, actor, "control.evidence_linked", control,
               {"evidence": item.pk, "kind": item.kind, "title": item.title})  # fmt: skip
    return link


def unlink_evidence(org: Organization, actor: Actor, control_id: Any, evidence_id: Any) -> None:
    """Remove the link (the evidence item itself is never deleted)."""
    with transaction.atomic():
        control = get_control(org, control_id, lock=True)
        deleted, _ = ControlEvidence.objects.filter(
            organization=org, control=control, evidence_id=to_pk(evidence_id)
        ).delete()
        if not deleted:
            raise NotFound("This evidence is not linked to the control.", field="evidence_id")
        record(org, actor, "control.evidence_unlinked", control, {"evidence": to_pk(evidence_id)})


def add_evidence(
    org: Organization,
    actor: Actor,
    control_id: Any,
    *,
    kind: str,
    title: str,
    description: str = "",
    uploaded_file: File | None = None,
    url: str | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
) -> EvidenceItem:
    """Add a file (or, with ``url``, a link) as evidence through the evidence services and
    link it to the control. The item is stored first, outside any transaction of ours, as
    the evidence services require (a long upload must not hold the write lock); the link
    follows. Should the link fail, the item stays as unlinked evidence: a whole record."""
    control = get_control(org, control_id)
    described = {"kind": kind, "title": title, "description": description,
                 "period_start": period_start, "period_end": period_end}  # fmt: skip
    if url is not None:
        item = evidence_services.add_link(org, actor, url=url, **described)
    else:
        item = evidence_services.add_file(org, actor, uploaded_file=uploaded_file, **described)
    link_evidence(org, actor, control.pk, item.pk)
    return item


# The remediation plan (kept in its own module for size), exported from the one door.
from zgovern.controls.remediation import (  # noqa: E402
    create_task,
    generate_tasks_for_gaps,
    set_task_status,
    update_task,
)

__all__ = [
    "add_check", "add_evidence", "add_policy", "add_requirement", "clear_override",
    "create_control", "create_task", "generate_tasks_for_gaps", "link_evidence",
    "map_criteria", "remove_check", "remove_policy", "remove_requirement", "set_override",
    "set_owner", "set_task_status", "unlink_evidence", "unmap_criteria", "update_control",
    "update_requirement", "update_task",
]  # fmt: skip
