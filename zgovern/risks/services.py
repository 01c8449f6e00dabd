"""The risk register's domain operations: the only code that writes risks, the scales'
wording, acceptances and risk assessments. Each validates everything before writing,
runs in one transaction and logs what it changed (``risk.*`` actions).

Rules:

- likelihood and impact (and their residual values) are whole numbers from 1 to 5; the
  scores are their products, kept by these functions;
- a residual rating is both values or neither;
- a risk is accepted only through :func:`accept_risk`, which needs an approver (a member
  who can change records) and an expiry date after today; changing the treatment away
  from ``accept`` ends the acceptance;
- :func:`record_assessment` snapshots the whole register as an evidence item and links it
  to the risk-assessment and risk-register controls the organisation has.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from zgovern.controls.models import Control
from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.risks import scales
from zgovern.risks.models import (
    Axis,
    Category,
    Risk,
    RiskStatus,
    ScaleLevel,
    Treatment,
    owner_email,
)
from zgovern.risks.owners import resolve_approver, resolve_owner
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Organization

TEXT_LIMITS = {"title": 200, "description": 10_000, "treatment_plan": 10_000}
SCORE_FIELDS = ("likelihood", "impact", "residual_likelihood", "residual_impact")
EDITABLE = (
    "title", "description", "category", "likelihood", "impact", "treatment",
    "treatment_plan", "residual_likelihood", "residual_impact", "review_date", "status",
)  # fmt: skip
ASSESSMENT_CONTROLS = ("risk-assessment-annual", "risk-register-maintained")
MAX_LINKS = 200


# -- risks ----------------------------------------------------------------------------


def create_risk(
    org: Organization,
    actor: Actor,
    *,
    owner_email: str = "",
    control_ids: list[int] | None = None,
    **fields: Any,
) -> Risk:
    """Add a risk. Required: title, category, likelihood, impact. ``treatment`` may not be
    ``accept`` here (accept it afterwards, with an approver)."""
    values = {name: None for name in EDITABLE}
    values.update(description="", treatment="", treatment_plan="", status="")
    values.update({k: v for k, v in fields.items() if k in EDITABLE})
    _unknown(fields)
    clean = _clean(values, current=None)
    owner_user, owner_person = resolve_owner(org, owner_email)
    controls = _controls(org, control_ids or [])
    with transaction.atomic():
        risk = Risk(organization=org, owner_user=owner_user, owner_person=owner_person, **clean)
        risk.save()
        risk.controls.set(controls)
        record(org, actor, "risk.created", risk, snapshot(risk))
    return risk


def update_risk(org: Organization, actor: Actor, risk_id: int, **fields: Any) -> Risk:
    """Change the given fields (also ``owner_email`` and ``control_ids``); logs the old and
    new value of each that changed, nothing when nothing changed."""
    _unknown(fields, extra=("owner_email", "control_ids"))
    with transaction.atomic():
        risk = get_risk(org, risk_id, lock=True)
        values = {name: getattr(risk, name) for name in EDITABLE}
        values.update({k: v for k, v in fields.items() if k in EDITABLE})
        if "status" not in fields and values["treatment"] != Treatment.ACCEPT:
            values["status"] = _kept_status(risk.status)
        clean = _clean(values, current=risk)
        changes = _apply(risk, clean)
        if "owner_email" in fields:
            user, person = resolve_owner(org, fields["owner_email"])
            before = risk.owner_email
            if (user, person) != (risk.owner_user, risk.owner_person):
                risk.owner_user, risk.owner_person = user, person
                changes["owner"] = [before, owner_email(user, person)]
        if "control_ids" in fields:
            _change_controls(org, risk, fields["control_ids"] or [], changes)
        if risk.treatment != Treatment.ACCEPT and risk.accepted_by_id is not None:
            changes["acceptance"] = [_acceptance(risk), None]
            risk.accepted_by, risk.accepted_at, risk.acceptance_expires_on = None, None, None
            risk.acceptance_note = ""
        if not changes:
            return risk
        risk.updated_at = timezone.now()
        risk.save()
        record(org, actor, "risk.updated", risk, changes)
    return risk


def accept_risk(
    org: Organization,
    actor: Actor,
    risk_id: int,
    *,
    approver_email: str | None = None,
    expires_on: date | None = None,
    note: str = "",
    approved_on: date | None = None,
) -> Risk:
    """Accept the risk: treatment ``accept``, status ``accepted``, with the approver, the
    time of approval and the expiry. Accepting again renews it.

    ``approved_on`` records a sign-off given earlier (default: now); it may not be in the
    future, and the expiry must come after it (after today when approved today)."""
    approver = resolve_approver(org, approver_email)
    today = timezone.localdate()
    if approved_on is not None and (not isinstance(approved_on, date) or approved_on > today):
        raise DomainError("The approval date is in the future.", field="approved_on")
    if not isinstance(expires_on, date):
        raise DomainError("An acceptance needs an expiry date.", field="expires_on")
    if expires_on <= (approved_on or today):
        after = "the approval date" if approved_on else "today"
        raise DomainError(f"The expiry date must be after {after}.", field="expires_on")
    note = _text(note, "note", 10_000)
    now = timezone.now()
    accepted_at = now if approved_on in (None, today) else _start_of(approved_on)
    with transaction.atomic():
        risk = get_risk(org, risk_id, lock=True)
        if risk.status == RiskStatus.CLOSED:
            raise Conflict("A closed risk cannot be accepted; reopen it first.", field="status")
        before = _acceptance(risk)
        risk.treatment, risk.status = Treatment.ACCEPT, RiskStatus.ACCEPTED
        risk.accepted_by, risk.accepted_at = approver, accepted_at
        risk.acceptance_expires_on, risk.acceptance_note = expires_on, note
        risk.updated_at = now
        risk.save()
        record(org, actor, "risk.accepted", risk, {"before": before, "after": _acceptance(risk)})
    return risk


def _start_of(day: date):
    from datetime import datetime, time

    return datetime.combine(day, time(), timezone.get_current_timezone())


def get_risk(org: Organization, risk_id: Any, *, lock: bool = False) -> Risk:
    rows = Risk.objects.filter(organization=org, pk=_pk(risk_id))
    risk = (rows.select_for_update(of=("self",)) if lock else rows).first()
    if risk is None:
        raise NotFound("No such risk.")
    return risk


def _kept_status(stored: str) -> str:
    """The status kept when the treatment changes and no status is given: an accepted risk
    that is no longer accepted goes back to the status its treatment implies."""
    return "" if stored == RiskStatus.ACCEPTED else stored


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


def _clean(values: dict[str, Any], current: Risk | None) -> dict[str, Any]:
    """Validate a risk's full set of editable fields; return them with both scores."""
    for name, limit in TEXT_LIMITS.items():
        values[name] = _text(values.get(name), name, limit)
    if not values["title"]:
        raise DomainError("A title is required.", field="title")
    if values.get("category") not in Category.values:
        raise DomainError(f"Choose one of: {', '.join(Category.values)}.", field="category")
    for name in SCORE_FIELDS:
        values[name] = _score(values.get(name), name, required=name in ("likelihood", "impact"))
    if (values["residual_likelihood"] is None) != (values["residual_impact"] is None):
        missing = "residual_impact" if values["residual_impact"] is None else "residual_likelihood"
        raise DomainError("Give both residual likelihood and residual impact, or neither.",
                          field=missing)  # fmt: skip
    _treatment_and_status(values, current)
    if values.get("review_date") is not None and not isinstance(values["review_date"], date):
        raise DomainError("Give the review date as YYYY-MM-DD.", field="review_date")
    values["inherent_score"] = values["likelihood"] * values["impact"]
    residual = values["residual_likelihood"]
    values["residual_score"] = residual * values["residual_impact"] if residual else None
    return values


def _treatment_and_status(values: dict[str, Any], current: Risk | None) -> None:
    treatment = values.get("treatment") or ""
    if treatment not in Treatment.values:
        raise DomainError(f"Choose one of: {', '.join(Treatment.values[1:])}.", field="treatment")
    accepted = current is not None and current.treatment == Treatment.ACCEPT
    if treatment == Treatment.ACCEPT and not accepted:
        raise DomainError(
            "Accept a risk through its acceptance, which records the approver and the expiry.",
            field="treatment",
        )
    status = values.get("status") or ""
    if status and status not in RiskStatus.values:
        raise DomainError(f"Choose one of: {', '.join(RiskStatus.values)}.", field="status")
    if status == RiskStatus.ACCEPTED and treatment != Treatment.ACCEPT:
        raise DomainError("Only an accepted risk has the status accepted.", field="status")
    if not status or (status == RiskStatus.ACCEPTED and treatment != Treatment.ACCEPT):
        status = RiskStatus.TREATING if treatment else RiskStatus.OPEN
    values["treatment"], values["status"] = treatment, status


def _score(value: Any, name: str, *, required: bool) -> int | None:
    if value is None or value == "":
        if required:
            raise DomainError(f"The {name.replace('_', ' ')} is required (1 to 5).", field=name)
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise DomainError(
            f"The {name.replace('_', ' ')} is a whole number from 1 to 5, not {value!r}.",
            field=name,
        )
    return value


def _text(value: Any, name: str, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise DomainError(f"At most {limit} characters.", field=name)
    if "\x00" in text:
        raise DomainError("The text contains a NUL character.", field=name)
    return text


def _controls(org: Organization, ids: list[int]) -> list[Control]:
    """The organisation's controls with these ids; any unknown id is a 400."""
    if len(ids) > MAX_LINKS:
        raise DomainError(f"At most {MAX_LINKS} controls.", field="control_ids")
    wanted = {_pk(i) for i in ids}
    found = list(Control.objects.filter(organization=org, pk__in=wanted))
    if len(found) != len(wanted):
        missing = sorted(wanted - {c.pk for c in found})
        raise DomainError(f"No such control: {missing[0]}.", field="control_ids")
    return found


def _change_controls(org: Organization, risk: Risk, ids: list[int], changes: dict) -> None:
    controls = _controls(org, ids)
    before = sorted(risk.controls.values_list("key", flat=True))
    after = sorted(c.key for c in controls)
    if before != after:
        risk.controls.set(controls)
        changes["controls"] = [before, after]


def _apply(risk: Risk, clean: dict[str, Any]) -> dict[str, list]:
    changes = {}
    for name, value in clean.items():
        old = getattr(risk, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(risk, name, value)
    return changes


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _acceptance(risk: Risk) -> dict | None:
    if risk.accepted_by_id is None:
        return None
    return {
        "approver": risk.accepted_by.email,
        "accepted_at": _plain(risk.accepted_at),
        "expires_on": _plain(risk.acceptance_expires_on),
    }


def snapshot(risk: Risk) -> dict[str, Any]:
    """The risk as logged and as recorded in an assessment."""
    data = {name: _plain(getattr(risk, name)) for name in EDITABLE}
    data.update(
        inherent_score=risk.inherent_score, residual_score=risk.residual_score,
        owner=risk.owner_email, acceptance=_acceptance(risk),
        controls=sorted(risk.controls.values_list("key", flat=True)),
    )  # fmt: skip
    return data


# -- the scales' wording ----------------------------------------------------------------


def define_level(
    org: Organization, actor: Actor, *, axis: str, level: int, name: str, description: str
) -> ScaleLevel:
    """Reword one level of the organisation's likelihood or impact scale."""
    if axis not in Axis.values:
        raise DomainError("Choose likelihood or impact.", field="axis")
    level = _score(level, "level", required=True)
    name, description = _text(name, "name", 80), _text(description, "description", 500)
    if not name:
        raise DomainError("A name is required.", field="name")
    if not description:
        raise DomainError("A description is required.", field="description")
    before = scales.levels(org)[(axis, level)]
    with transaction.atomic():
        row, _ = ScaleLevel.objects.update_or_create(
            organization=org, axis=axis, level=level,
            defaults={"name": name, "description": description},
        )  # fmt: skip
        record(org, actor, "risk.scale_defined", row, {
            "axis": axis, "level": level, "name": [before.name, name],
            "description": [before.description, description],
        })  # fmt: skip
    return row


# -- assessments ----------------------------------------------------------------------


def record_assessment(
    org: Organization,
    actor: Actor,
    *,
    title: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
):
    """Snapshot the register (every risk, its scores, treatment and acceptance, and both heat
    maps) into an evidence item of kind ``risk_assessment``, linked to the controls
    ``risk-assessment-annual`` and ``risk-register-maintained`` where the organisation has
    them. The period defaults to the twelve months up to today."""
    from zgovern.controls import services as controls
    from zgovern.evidence import services as evidence
    from zgovern.risks import queries

    today = timezone.localdate()
    period_end = period_end or today
    period_start = period_start or period_end - timedelta(days=365)
    title = _text(title, "title", 200) or f"Risk assessment {period_end.isoformat()}"
    with transaction.atomic():
        content = queries.register_snapshot(org, today)
        item = evidence.add_record(
            org, actor, kind="risk_assessment", title=title, record=content,
            description=f"The risk register as assessed on {today.isoformat()}: "
            f"{content['summary']['risks']} risks.",
            tags=["risks", "risk-assessment"], period_start=period_start, period_end=period_end,
        )  # fmt: skip
        for control in Control.objects.filter(organization=org, key__in=ASSESSMENT_CONTROLS):
            controls.link_evidence(org, actor, control.pk, item.pk)
        record(org, actor, "risk.assessment_recorded", item,
               {"evidence": item.pk, "risks": content["summary"]["risks"]})  # fmt: skip
    return item
