"""The incident log's domain operations: the only code that writes incidents, their
timelines and the severity table. Each validates everything first, runs in one
transaction and logs what it changed (``incident.*`` actions).

Rules:

- times are in order: started ≤ detected ≤ reported, detected ≤ contained ≤ resolved, a
  customer notice no earlier than detection, and none in the future; a breach of the
  order is a 400 that names both fields (on the later one);
- moving to ``contained`` fills ``contained_at`` (now) when missing; to ``resolved`` or
  ``closed`` fills ``resolved_at`` (now), and ``contained_at`` with it when missing; a
  status before a recorded time (``open`` with a resolution time, say) is refused;
- closing records the incident, its timeline and figures as an evidence item
  (``incident_record``) linked to the controls ``incident-tracking`` and
  ``post-incident-review``, and ``breach-notification`` when customers were notified;
  a closed incident is final: changes and timeline entries are refused (409);
- the timeline is append-only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zgovern.controls.models import Control
from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.incidents import severities
from zgovern.incidents.models import Incident, IncidentStatus, Severity, TimelineEntry
from zgovern.risks.models import Risk, owner_email
from zgovern.risks.owners import resolve_owner
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Organization

TEXT_LIMITS = {
    "title": 200, "description": 20_000, "affected_systems": 5_000, "affected_data": 5_000,
    "root_cause": 20_000, "lessons_learned": 20_000,
}  # fmt: skip
TIMES = ("started_at", "detected_at", "reported_at", "contained_at", "resolved_at",
         "customers_notified_at")  # fmt: skip
EDITABLE = (*TEXT_LIMITS, *TIMES, "status", "customers_notified")
# (earlier, later, words): later may not come before earlier.
ORDER = (
    ("started_at", "detected_at", "detection", "start"),
    ("detected_at", "reported_at", "report", "detection"),
    ("detected_at", "resolved_at", "resolution", "detection"),
    ("detected_at", "contained_at", "containment", "detection"),
    ("contained_at", "resolved_at", "resolution", "containment"),
    ("detected_at", "customers_notified_at", "customer notice", "detection"),
)
STATUS_ORDER = [s.value for s in IncidentStatus]
CLOCK_SKEW = timedelta(minutes=5)
CLOSING_CONTROLS = ("incident-tracking", "post-incident-review")
NOTICE_CONTROL = "breach-notification"
MAX_LINKS = 200


# -- the severity table ---------------------------------------------------------------


def ensure_severities(org: Organization, actor: Actor) -> list[Severity]:
    """The organisation's severities; the defaults are copied in (and logged) the first
    time an organisation needs them."""
    rows = list(Severity.objects.filter(organization=org))
    if rows:
        return rows
    with transaction.atomic():
        # Two first incidents at once: the second waits here, then finds the copy.
        Organization.objects.select_for_update().filter(pk=org.pk).first()
        rows = list(Severity.objects.filter(organization=org))
        if rows:
            return rows
        rows = Severity.objects.bulk_create(
            Severity(organization=org, name=d.name, rank=d.rank, description=d.description,
                     response_target_hours=d.response_target_hours)
            for d in severities.defaults()
        )  # fmt: skip
        record(org, actor, "incident.severities_installed", None,
               {"severities": [s.name for s in rows]})  # fmt: skip
    return rows


def define_severity(
    org: Organization,
    actor: Actor,
    *,
    name: str,
    description: str,
    response_target_hours: int,
    rank: int | None = None,
) -> Severity:
    """Add a severity or change one (found by name, any case). A changed target moves the
    due time of every incident of that severity."""
    name = _text(name, "name", 20)
    if not severities.NAME.fullmatch(name):
        raise DomainError("Use letters, digits, space, _ . and - (20 at most).", field="name")
    description = _text(description, "description", 1000)
    if not description:
        raise DomainError("A description is required.", field="description")
    hours = _whole(response_target_hours, "response_target_hours", 1, severities.MAX_TARGET_HOURS)
    rank = _whole(rank, "rank", 1, 99) if rank is not None else None
    ensure_severities(org, actor)
    with transaction.atomic():
        row = Severity.objects.filter(organization=org, name__iexact=name).first()
        before = _severity_data(row) if row else None
        if row is None:
            last = Severity.objects.filter(organization=org).order_by("-rank").first()
            row = Severity(organization=org, name=name, rank=rank or (last.rank + 1 if last else 1))
        row.description, row.response_target_hours = description, hours
        row.rank = rank or row.rank
        row.save()
        if before and before["response_target_hours"] != hours:
            Incident.objects.filter(organization=org, severity=row).update(
                due_at=F("detected_at") + timedelta(hours=hours)
            )
        record(org, actor, "incident.severity_defined", row,
               {"before": before, "after": _severity_data(row)})  # fmt: skip
    return row


def _severity_data(row: Severity) -> dict[str, Any]:
    return {"name": row.name, "rank": row.rank, "description": row.description,
            "response_target_hours": row.response_target_hours}  # fmt: skip


def _severity(org: Organization, actor: Actor, name: Any) -> Severity:
    ensure_severities(org, actor)
    text = str(name or "").strip()
    row = Severity.objects.filter(organization=org, name__iexact=text).first() if text else None
    if row is None:
        known = ", ".join(Severity.objects.filter(organization=org).values_list("name", flat=True))
        what = f"Unknown severity {text!r}" if text else "A severity is required"
        raise DomainError(f"{what}; choose one of: {known}.", field="severity")
    return row


# -- incidents ------------------------------------------------------------------------


def create_incident(
    org: Organization,
    actor: Actor,
    *,
    severity: str,
    owner_email: str = "",
    risk_ids: list[int] | None = None,
    control_ids: list[int] | None = None,
    **fields: Any,
) -> Incident:
    """Log an incident. Required: title, severity (a name of the table), detected_at.
    Created as ``closed``, it is closed at once (with its evidence)."""
    _unknown(fields)
    values = {name: None for name in TIMES} | {name: "" for name in TEXT_LIMITS}
    values.update(status=IncidentStatus.OPEN, customers_notified=False)
    values.update(fields)
    clean = _clean(values, previous_status=None)
    sev = _severity(org, actor, severity)
    owner_user, owner_person = resolve_owner(org, owner_email)
    risks, controls = _risks(org, risk_ids or []), _controls(org, control_ids or [])
    with transaction.atomic():
        incident = Incident(
            organization=org, severity=sev, owner_user=owner_user, owner_person=owner_person,
            due_at=_due(clean["detected_at"], sev), **clean,
        )  # fmt: skip
        incident.save()
        incident.risks.set(risks)
        incident.controls.set(controls)
        record(org, actor, "incident.created", incident, snapshot(incident))
        if incident.status == IncidentStatus.CLOSED:
            _close(org, actor, incident)
    return incident


def update_incident(org: Organization, actor: Actor, incident_id: Any, **fields: Any) -> Incident:
    """Change the given fields (also ``severity``, ``owner_email``, ``risk_ids`` and
    ``control_ids``); logs each changed value's before and after. Moving to ``closed``
    closes it (see the module's rules)."""
    _unknown(fields, extra=("severity", "owner_email", "risk_ids", "control_ids"))
    with transaction.atomic():
        incident = get_incident(org, incident_id, lock=True)
        if incident.status == IncidentStatus.CLOSED:
            raise Conflict("A closed incident cannot be changed.", field="status")
        values = {name: getattr(incident, name) for name in EDITABLE}
        values.update({k: v for k, v in fields.items() if k in EDITABLE})
        clean = _clean(values, previous_status=incident.status)
        changes = _apply(incident, clean)
        if "severity" in fields:
            sev = _severity(org, actor, fields["severity"])
            if sev.pk != incident.severity_id:
                changes["severity"] = [incident.severity.name, sev.name]
                incident.severity = sev
        if "owner_email" in fields:
            _change_owner(org, incident, fields["owner_email"], changes)
        if "risk_ids" in fields:
            _change_links(incident.risks, _risks(org, fields["risk_ids"] or []), "risks", changes)
        if "control_ids" in fields:
            controls = _controls(org, fields["control_ids"] or [])
            _change_links(incident.controls, controls, "controls", changes)
        if not changes:
            return incident
        incident.due_at = _due(incident.detected_at, incident.severity)
        incident.updated_at = timezone.now()
        incident.save()
        record(org, actor, "incident.updated", incident, changes)
        if incident.status == IncidentStatus.CLOSED:
            _close(org, actor, incident)
    return incident


def add_timeline_entry(
    org: Organization,
    actor: Actor,
    incident_id: Any,
    *,
    action: str,
    at: datetime | None = None,
    by: str = "",
) -> TimelineEntry:
    """Append a response action: what was done (``action``), when (default now, never in
    the future nor before the incident began) and by whom (default the actor)."""
    action = _text(action, "action", 5_000)
    if not action:
        raise DomainError("Say what was done.", field="action")
    by = _text(by, "by", 300) or actor.label
    at = _time(at, "at") or timezone.now()
    with transaction.atomic():
        incident = get_incident(org, incident_id, lock=True)
        if incident.status == IncidentStatus.CLOSED:
            raise Conflict("A closed incident's timeline is final.", field="status")
        start = incident.started_at or incident.detected_at
        if at < start:
            raise DomainError("The action is before the incident began.", field="at")
        entry = TimelineEntry.objects.create(
            organization=org, incident=incident, at=at, action=action, by_label=by,
            by_user=actor.user if not _by_given(by, actor) else None, recorded_by=actor.label,
        )  # fmt: skip
        incident.updated_at = timezone.now()
        incident.save(update_fields=["updated_at"])
        record(org, actor, "incident.timeline_added", incident,
               {"at": at.isoformat(), "by": by, "action": action})  # fmt: skip
    return entry


def _by_given(by: str, actor: Actor) -> bool:
    return by != actor.label


def get_incident(org: Organization, incident_id: Any, *, lock: bool = False) -> Incident:
    rows = Incident.objects.filter(organization=org, pk=_pk(incident_id))
    rows = rows.select_for_update(of=("self",)) if lock else rows
    incident = rows.select_related("severity", "owner_user", "owner_person").first()
    if incident is None:
        raise NotFound("No such incident.")
    return incident


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return 0
    return pk if 0 < pk < 2**63 else 0


def _unknown(fields: dict, extra: tuple[str, ...] = ()) -> None:
    for name in fields:
        if name not in EDITABLE and name not in extra:
            raise DomainError("Unknown field.", field=name)


def _clean(values: dict[str, Any], previous_status: str | None) -> dict[str, Any]:
    """Validate an incident's full set of editable fields; return them normalised."""
    for name, limit in TEXT_LIMITS.items():
        values[name] = _text(values.get(name), name, limit)
    if not values["title"]:
        raise DomainError("A title is required.", field="title")
    for name in TIMES:
        values[name] = _time(values.get(name), name)
    if values["detected_at"] is None:
        raise DomainError("When was the incident detected?", field="detected_at")
    _status_times(values)
    _in_order(values)
    _notice(values)
    return {name: values[name] for name in EDITABLE}


def _status_times(values: dict[str, Any]) -> None:
    status = values.get("status") or IncidentStatus.OPEN
    if status not in STATUS_ORDER:
        raise DomainError(f"Choose one of: {', '.join(STATUS_ORDER)}.", field="status")
    now = timezone.now()
    reached = STATUS_ORDER.index(status)
    if reached >= STATUS_ORDER.index(IncidentStatus.RESOLVED):
        values["resolved_at"] = values["resolved_at"] or max(now, values["detected_at"])
        values["contained_at"] = values["contained_at"] or values["resolved_at"]
    elif values["resolved_at"] is not None:
        raise DomainError("An incident with a resolution time is resolved or closed; clear "
                          "resolved_at to reopen it.", field="status")  # fmt: skip
    if status == IncidentStatus.CONTAINED:
        values["contained_at"] = values["contained_at"] or max(now, values["detected_at"])
    elif status == IncidentStatus.OPEN and values["contained_at"] is not None:
        raise DomainError("An incident with a containment time is contained or further; "
                          "clear contained_at to reopen it.", field="status")  # fmt: skip
    values["status"] = status


def _in_order(values: dict[str, Any]) -> None:
    for earlier, later, later_words, earlier_words in ORDER:
        first, second = values[earlier], values[later]
        if first is not None and second is not None and second < first:
            raise DomainError(
                f"The {later_words} ({later}) is before the {earlier_words} ({earlier}).",
                field=later,
            )


def _notice(values: dict[str, Any]) -> None:
    notified = values.get("customers_notified")
    if not isinstance(notified, bool):
        raise DomainError("Answer true or false.", field="customers_notified")
    if notified and values["customers_notified_at"] is None:
        raise DomainError("When were customers notified?", field="customers_notified_at")
    if not notified and values["customers_notified_at"] is not None:
        raise DomainError("Customers were not notified, so there is no notice time.",
                          field="customers_notified_at")  # fmt: skip


def _time(value: Any, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, datetime):
        raise DomainError("Give a date and time (ISO 8601).", field=name)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    if value > timezone.now() + CLOCK_SKEW:
        raise DomainError("The time is in the future.", field=name)
    return value


def _text(value: Any, name: str, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise DomainError(f"At most {limit} characters.", field=name)
    if "\x00" in text:
        raise DomainError("The text contains a NUL character.", field=name)
    return text


def _whole(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(f"A whole number from {low} to {high}.", field=name)
    return value


def _due(detected_at: datetime, severity: Severity) -> datetime:
    return detected_at + timedelta(hours=severity.response_target_hours)


def _risks(org: Organization, ids: list[int]) -> list[Risk]:
    return _linked(Risk, org, ids, "risk_ids", "risk")


def _controls(org: Organization, ids: list[int]) -> list[Control]:
    return _linked(Control, org, ids, "control_ids", "control")


def _linked(model, org: Organization, ids: list[int], field: str, noun: str) -> list:
    if len(ids) > MAX_LINKS:
        raise DomainError(f"At most {MAX_LINKS}.", field=field)
    wanted = {_pk(i) for i in ids}
    found = list(model.objects.filter(organization=org, pk__in=wanted))
    if len(found) != len(wanted):
        missing = sorted(wanted - {row.pk for row in found})
        raise DomainError(f"No such {noun}: {missing[0]}.", field=field)
    return found


def _change_owner(org: Organization, incident: Incident, email: str | None, changes: dict):
    user, person = resolve_owner(org, email)
    if (user, person) != (incident.owner_user, incident.owner_person):
        changes["owner"] = [incident.owner_email, owner_email(user, person)]
        incident.owner_user, incident.owner_person = user, person


def _change_links(manager, rows: list, name: str, changes: dict) -> None:
    before = sorted(manager.values_list("pk", flat=True))
    after = sorted(row.pk for row in rows)
    if before != after:
        manager.set(rows)
        changes[name] = [before, after]


def _apply(incident: Incident, clean: dict[str, Any]) -> dict[str, list]:
    changes = {}
    for name, value in clean.items():
        old = getattr(incident, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(incident, name, value)
    return changes


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def snapshot(incident: Incident) -> dict[str, Any]:
    """The incident as logged when created."""
    data = {name: _plain(getattr(incident, name)) for name in EDITABLE}
    data.update(severity=incident.severity.name, owner=incident.owner_email,
                risks=sorted(incident.risks.values_list("pk", flat=True)),
                controls=sorted(incident.controls.values_list("key", flat=True)))  # fmt: skip
    return data


# -- closing --------------------------------------------------------------------------


def _close(org: Organization, actor: Actor, incident: Incident) -> None:
    """Record the closed incident as evidence and link it to the incident controls."""
    from zgovern.controls import services as controls
    from zgovern.evidence import services as evidence
    from zgovern.incidents.figures import incident_record

    incident.closed_at = timezone.now()
    content = incident_record(incident)
    item = evidence.add_record(
        org, actor, kind="incident_record",
        title=f"Incident #{incident.pk}: {incident.title[:150]} ({incident.severity.name})",
        record=content, description=f"Closed incident record with {len(content['timeline'])} "
        "timeline entries, response times, root cause and lessons learned.",
        tags=["incident", incident.severity.name.lower()],
        period_start=incident.detected_at.date(), period_end=incident.closed_at.date(),
    )  # fmt: skip
    keys = [*CLOSING_CONTROLS, *([NOTICE_CONTROL] if incident.customers_notified else [])]
    for control in Control.objects.filter(organization=org, key__in=keys):
        controls.link_evidence(org, actor, control.pk, item.pk)
    incident.evidence = item
    incident.save(update_fields=["closed_at", "evidence"])
    record(org, actor, "incident.closed", incident, {"evidence": item.pk, "controls": keys})
