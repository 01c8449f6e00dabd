"""What the records checks read, gathered from zGovern's own records (vendors, the risk
register, incidents, access reviews, the identity graph and the roster).

Each collector returns plain dicts and leaves the judging to :mod:`.checks`. Where a
records app already decides something (a vendor's flags, a risk's overdue review or
expired acceptance, an incident past its target, a campaign being late, a person having
left), the collector asks that app rather than restating its rule, and hands the answer
over with the dates the reasons quote. ``today`` and ``now`` are parameters so tests can
place a record exactly on a boundary.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

PAGE = 5000
VENDOR_INVENTORY_KIND = "vendor_inventory"
RISK_ASSESSMENT_KIND = "risk_assessment"


def _localdate(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


# -- vendors --------------------------------------------------------------------------


def collect_vendors(org, today: date | None = None) -> dict[str, Any]:
    """Every critical and high vendor with the vendor module's own flags."""
    from zgovern.vendors import queries
    from zgovern.vendors.models import Vendor, VendorCriticality

    today = today or timezone.localdate()
    rows = Vendor.objects.filter(
        organization=org, criticality__in=(VendorCriticality.CRITICAL, VendorCriticality.HIGH)
    ).order_by("name", "id")
    vendors = []
    for vendor in rows.iterator(chunk_size=PAGE):
        flags = queries.flags_of(vendor, today)
        vendors.append({
            "id": vendor.pk, "name": vendor.name, "criticality": vendor.criticality,
            "last_assessed_on": _localdate(vendor.last_assessed_at),
            "next_review_due": vendor.next_review_due, "soc2_expires_on": vendor.soc2_expires_on,
            "flags": flags, "flag_labels": [queries.FLAGS[flag] for flag in flags],
        })  # fmt: skip
    return {"today": today, "vendors": vendors}


# -- snapshots kept as evidence -------------------------------------------------------


def _latest_evidence(org, kind: str, today: date | None) -> dict[str, Any]:
    from zgovern.evidence.models import EvidenceItem

    item = (
        EvidenceItem.objects.filter(organization=org, kind=kind)
        .order_by("-collected_at", "-id")
        .values("id", "title", "collected_at")
        .first()
    )
    latest = None
    if item is not None:
        latest = {"id": item["id"], "title": item["title"]}
        latest["collected_on"] = _localdate(item["collected_at"])
    return {"today": today or timezone.localdate(), "latest": latest}


def collect_vendor_inventory(org, today: date | None = None) -> dict[str, Any]:
    """The newest vendor inventory snapshot (``vendors.services.snapshot_inventory``)."""
    return _latest_evidence(org, VENDOR_INVENTORY_KIND, today)


def collect_risk_assessments(org, today: date | None = None) -> dict[str, Any]:
    """The newest recorded risk assessment (``risks.services.record_assessment``)."""
    return _latest_evidence(org, RISK_ASSESSMENT_KIND, today)


# -- risk register --------------------------------------------------------------------


def collect_risks(org, today: date | None = None) -> dict[str, Any]:
    """Every risk not closed, with the register's own overdue and expiry rules applied."""
    from zgovern.risks.models import Risk, RiskStatus

    today = today or timezone.localdate()
    fields = ("id", "title", "status", "review_date", "treatment", "acceptance_expires_on")
    rows = (
        Risk.objects.filter(organization=org)
        .exclude(status=RiskStatus.CLOSED)
        .only(*fields)
        .order_by("title", "id")
    )
    risks = [_risk_row(risk, today) for risk in rows.iterator(chunk_size=PAGE)]
    return {"today": today, "risks": risks}


def _risk_row(risk, today: date) -> dict[str, Any]:
    return {
        "id": risk.pk, "title": risk.title, "review_date": risk.review_date,
        "review_overdue": risk.review_overdue(today), "treatment": risk.treatment,
        "acceptance_expires_on": risk.acceptance_expires_on,
        "acceptance_expired": risk.acceptance_expired(today),
    }  # fmt: skip


# -- incidents ------------------------------------------------------------------------


def collect_incidents(org, now: datetime | None = None) -> dict[str, Any]:
    """Every incident with its severity's target and whether it is past it at ``now``."""
    from zgovern.incidents.models import Incident

    now = now or timezone.now()
    fields = ("id", "title", "status", "detected_at", "resolved_at", "due_at", "severity")
    rows = (
        Incident.objects.filter(organization=org)
        .select_related("severity")
        .only(*fields, "severity__name", "severity__response_target_hours")
        .order_by("detected_at", "id")
    )
    incidents = [_incident_row(row, now) for row in rows.iterator(chunk_size=PAGE)]
    return {"now": now, "incidents": incidents}


def _incident_row(row, now: datetime) -> dict[str, Any]:
    from zgovern.incidents.models import ACTIVE_STATUSES

    return {
        "id": row.pk, "title": row.title, "status": row.status,
        "active": row.status in ACTIVE_STATUSES, "severity": row.severity.name,
        "target_hours": row.severity.response_target_hours, "detected_at": row.detected_at,
        "resolved_at": row.resolved_at, "due_at": row.due_at,
        "past_target": row.past_target(now),
    }  # fmt: skip


# -- access reviews -------------------------------------------------------------------


def collect_reviews(org, now: datetime | None = None) -> dict[str, Any]:
    """Per system named by any campaign: its campaigns (with when the next review is due
    after each, by the campaign's cadence, quarterly for a one-off) and its REVOKE
    decisions still not carried out after their window."""
    from zgovern.reviews.models import Campaign

    now = now or timezone.now()
    today = timezone.localdate(now)
    systems: dict[str, dict[str, list]] = {}
    for campaign in Campaign.objects.filter(organization=org).order_by("started_at", "id"):
        row = _campaign_row(campaign, today)
        for system in campaign.systems or []:
            systems.setdefault(system, {"campaigns": [], "late_revocations": []})
            systems[system]["campaigns"].append(row)
    for item in _late_revocations(org, now):
        if item["system"] in systems:
            systems[item["system"]]["late_revocations"].append(item)
    return {"today": today, "systems": dict(sorted(systems.items()))}


def _campaign_row(campaign, today: date) -> dict[str, Any]:
    from zgovern.reviews.models import CADENCE_MONTHS, Cadence
    from zgovern.reviews.schedule import add_months

    months = CADENCE_MONTHS.get(campaign.cadence, CADENCE_MONTHS[Cadence.QUARTERLY])
    return {
        "id": campaign.pk, "title": campaign.title, "status": campaign.status,
        "due_date": campaign.due_date, "completed_on": _localdate(campaign.completed_at),
        "late": campaign.is_late(today), "cadence_months": months,
        "next_due": add_months(campaign.due_date, months),
    }  # fmt: skip


def _late_revocations(org, now: datetime) -> list[dict[str, Any]]:
    """REVOKE items flagged as exceptions, or still pending after their window (the
    verification may not have run since)."""
    from zgovern.reviews.models import Decision, ReviewItem, Revocation

    pending = Q(revocation=Revocation.PENDING, revoke_by__lt=now)
    rows = (
        ReviewItem.objects.filter(organization=org, decision=Decision.REVOKE)
        .filter(Q(revocation=Revocation.EXCEPTION) | pending)
        .order_by("system", "username", "id")
        .values_list("id", "system", "username", "revoke_by", "campaign__title")
    )
    keys = ("id", "system", "username", "revoke_by", "campaign")
    return [dict(zip(keys, row, strict=True)) for row in rows]


# -- identity graph and roster --------------------------------------------------------


def _people(org, today: date) -> dict[int, dict[str, Any]]:
    """Everyone on the roster by id, with whether they have left (the roster's own rule)."""
    from zgovern.people.models import Person

    fields = ("id", "full_name", "work_email", "start_date", "end_date", "status", "manager")
    rows = Person.objects.filter(organization=org).only(*fields)
    return {person.pk: _person_row(person, today) for person in rows.iterator(chunk_size=PAGE)}


def _person_row(person, today: date) -> dict[str, Any]:
    from zgovern.people.models import PersonStatus

    return {
        "id": person.pk, "name": person.full_name, "email": person.work_email,
        "start_date": person.start_date, "manager_id": person.manager_id,
        "left": person.current_status(today) == PersonStatus.TERMINATED,
    }  # fmt: skip


def collect_accounts(org, today: date | None = None) -> dict[str, Any]:
    """Every active account with its person or, for a service account, its owner."""
    from zgovern.identity.models import Account, AccountStatus

    today = today or timezone.localdate()
    fields = ("id", "system", "username", "person_id", "is_service", "service_owner_id", "stale")
    rows = list(
        Account.objects.filter(organization=org, status=AccountStatus.ACTIVE)
        .order_by("system", "username", "id")
        .values(*fields)
    )
    people = _people(org, today) if rows else {}
    for row in rows:
        row["person"] = people.get(row["person_id"])
        row["owner"] = people.get(row["service_owner_id"])
    return {"today": today, "accounts": rows}


def collect_people(org, today: date | None = None) -> dict[str, Any]:
    """Everyone on the roster (leavers marked), so the org chart can be walked."""
    today = today or timezone.localdate()
    return {"today": today, "people": list(_people(org, today).values())}
