"""The records checks: each reads the rows :mod:`.collect` gathered and yields one finding
per vendor, risk, system under review, incident, account or person (or one about the
snapshot when the check is about a single yearly record). Metadata is in ``checks.yaml``.

The rules a records app owns (vendor flags, a risk's overdue review, an incident past its
target, a late campaign, a person having left) arrive already decided; what is decided
here is what makes the control fail, and the reason a person reads:

- vendors: a critical or high vendor fails with any of its flags, or when never assessed
  (the vendor module flags that for critical vendors only);
- snapshots: the newest vendor inventory snapshot / risk assessment must be at most
  ``SNAPSHOT_MAX_DAYS`` days old (365 passes, 366 fails: counted in days, like vendors);
- risks: an open risk fails without a review date, past it, or with an expired acceptance;
- access reviews, per system: the newest completed campaign must have been completed by
  its due date (on it is in time), the next review must not be overdue (the campaign's due
  date plus its cadence), no campaign may be open past its due date, and no REVOKE may be
  still active past its window; a system whose first campaign is still within its due
  date is not applicable yet;
- incidents: an open or contained incident fails once past its severity's target (exactly
  at it passes); a resolved or closed one needs its detection and resolution times;
- accounts: an active account passes when linked to a person, or marked a service account
  with an owner who has not left;
- people: everyone still here has a manager who has not left, except the top of the org
  chart: the manager-less person heading the most people (on a tie, the earliest start,
  then the first recorded).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from zgovern.integrations.base import Evaluator, Finding, Inventory, ResourceRef

CHECKS_FILE = str(Path(__file__).with_name("checks.yaml"))
PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "not_applicable"
SNAPSHOT_MAX_DAYS = 365
SHOWN = 5  # names listed in one reason before "and N more"


def _listed(names: list[str]) -> str:
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more


def _verdict(problems: list[str], passed: str) -> tuple[str, str]:
    if problems:
        return FAIL, "; ".join(problems) + "."
    return PASS, passed


# -- vendors --------------------------------------------------------------------------


def vendors_assessed(inventory: Inventory) -> Iterator[Finding]:
    for row in inventory.data["vendors"]["vendors"]:
        ref = ResourceRef("records.vendor", f"vendor:{row['id']}", row["name"])
        yield Finding(ref, *vendor_verdict(row))


def vendor_verdict(row: dict[str, Any]) -> tuple[str, str]:
    problems = list(row["flag_labels"])
    if row["last_assessed_on"] is None and "no_assessment" not in row["flags"]:
        problems.insert(0, f"{row['criticality'].capitalize()} vendor never assessed")
    if problems:
        return FAIL, "; ".join(problems) + f" ({_vendor_dates(row)})."
    return PASS, f"{_vendor_dates(row)}."


def _vendor_dates(row: dict[str, Any]) -> str:
    assessed = row["last_assessed_on"]
    parts = [f"assessed {assessed}" if assessed else "never assessed"]
    if row["next_review_due"]:
        parts.append(f"next review due {row['next_review_due']}")
    soc2 = row["soc2_expires_on"]
    parts.append(f"SOC 2 report valid until {soc2}" if soc2 else "no SOC 2 report on file")
    return ", ".join(parts)


# -- yearly snapshots -----------------------------------------------------------------


def _snapshot(data: dict[str, Any], ref: ResourceRef, what: str, how: str) -> Finding:
    latest, today = data["latest"], data["today"]
    if latest is None:
        return Finding(ref, FAIL, f"No {what} has been recorded; {how}.")
    age = (today - latest["collected_on"]).days
    said = f"The newest {what} ('{latest['title']}') was recorded {latest['collected_on']}"
    if age > SNAPSHOT_MAX_DAYS:
        return Finding(ref, FAIL, f"{said}, {age} days ago (over {SNAPSHOT_MAX_DAYS}); {how}.")
    return Finding(ref, PASS, f"{said}, {age} days ago.")


def vendor_inventory_reviewed(inventory: Inventory) -> Iterator[Finding]:
    ref = ResourceRef("records.vendor_inventory", "vendor-inventory", "Vendor inventory")
    how = "review the inventory and record a snapshot (Vendors > Record snapshot)"
    yield _snapshot(inventory.data["vendor_inventory"], ref, "vendor inventory snapshot", how)


def risk_assessment_current(inventory: Inventory) -> Iterator[Finding]:
    ref = ResourceRef("records.risk_assessment", "risk-assessment", "Risk assessment")
    how = "review the register and record this year's assessment (Risks > Record assessment)"
    yield _snapshot(inventory.data["risk_assessments"], ref, "risk assessment", how)


# -- risk register --------------------------------------------------------------------


def risk_register_reviewed(inventory: Inventory) -> Iterator[Finding]:
    data = inventory.data["risks"]
    if not data["risks"]:
        ref = ResourceRef("records.risk_register", "risk-register", "Risk register")
        yield Finding(ref, FAIL, "The risk register holds no open risk.")
        return
    for row in data["risks"]:
        yield Finding(
            ResourceRef("records.risk", f"risk:{row['id']}", row["title"]), *risk_verdict(row)
        )


def risk_verdict(row: dict[str, Any]) -> tuple[str, str]:
    problems = []
    if row["review_date"] is None:
        problems.append("No review date is set")
    elif row["review_overdue"]:
        problems.append(f"Its review was due {row['review_date']}")
    if row["acceptance_expired"]:
        problems.append(f"Its acceptance expired {row['acceptance_expires_on']}")
    passed = f"Next review {row['review_date']}"
    if row["treatment"] == "accept" and row["acceptance_expires_on"]:
        passed += f"; accepted until {row['acceptance_expires_on']}"
    return _verdict(problems, passed + ".")


# -- access reviews -------------------------------------------------------------------


def reviews_campaign_completed(inventory: Inventory) -> Iterator[Finding]:
    data = inventory.data["reviews"]
    for system, row in data["systems"].items():
        ref = ResourceRef("records.review_system", f"system:{system}", system, account=system)
        yield Finding(ref, *review_verdict(row, data["today"]))


def review_verdict(row: dict[str, Any], today: date) -> tuple[str, str]:
    campaigns = row["campaigns"]
    done = [c for c in campaigns if c["completed_on"] is not None]
    last = max(done, key=lambda c: (c["completed_on"], c["id"])) if done else None
    problems = [
        f"'{c['title']}' is open past its due date {c['due_date']}" for c in campaigns if c["late"]
    ]
    if last is not None:
        problems[:0] = _last_review_problems(last, today)
    revoked = row["late_revocations"]
    if revoked:
        names = [f"{r['username']} (due {r['revoke_by']:%Y-%m-%d})" for r in revoked]
        problems.append(f"REVOKE not carried out in its window: {_listed(names)}")
    if last is None and not problems:
        opened = [c for c in campaigns if c["status"] == "open"]
        if opened:
            first = opened[0]
            return NOT_APPLICABLE, f"First review '{first['title']}' due {first['due_date']}."
        problems.append("No access review has been completed")
    if last is None:
        return FAIL, "; ".join(problems) + "."
    passed = (
        f"Reviewed in '{last['title']}', completed {last['completed_on']} "
        f"(due {last['due_date']}); next review due by {last['next_due']}."
    )
    return _verdict(problems, passed)


def _last_review_problems(last: dict[str, Any], today: date) -> list[str]:
    problems = []
    if last["completed_on"] > last["due_date"]:
        days = (last["completed_on"] - last["due_date"]).days
        problems.append(
            f"The last review '{last['title']}' was completed {last['completed_on']}, "
            f"{days} days after its due date {last['due_date']}"
        )
    if today > last["next_due"]:
        problems.append(
            f"The last completed review was '{last['title']}' on {last['completed_on']}; "
            f"the next was due by {last['next_due']}"
        )
    return problems


# -- incidents ------------------------------------------------------------------------


def incidents_within_target(inventory: Inventory) -> Iterator[Finding]:
    for row in inventory.data["incidents"]["incidents"]:
        ref = ResourceRef("records.incident", f"incident:{row['id']}", row["title"])
        yield Finding(ref, *incident_verdict(row))


def incident_verdict(row: dict[str, Any]) -> tuple[str, str]:
    target = f"{row['severity']} target of {row['target_hours']} hours"
    if row["active"]:
        due = f"{row['due_at']:%Y-%m-%d %H:%M} UTC"
        if row["past_target"]:
            return FAIL, f"Still {row['status']} past its {target} (due {due})."
        return PASS, f"{row['status'].capitalize()}, within its {target} (due {due})."
    missing = [
        name for name, key in (("detection", "detected_at"), ("resolution", "resolved_at"))
        if row[key] is None
    ]  # fmt: skip
    if missing:
        return FAIL, f"{row['status'].capitalize()} without a {' or '.join(missing)} time."
    hours = (row["resolved_at"] - row["detected_at"]).total_seconds() / 3600
    return PASS, (
        f"{row['status'].capitalize()}: detected {row['detected_at']:%Y-%m-%d %H:%M}, resolved "
        f"{row['resolved_at']:%Y-%m-%d %H:%M} ({hours:.1f} hours; {target})."
    )


# -- identity graph and roster --------------------------------------------------------


def accounts_linked(inventory: Inventory) -> Iterator[Finding]:
    for row in inventory.data["accounts"]["accounts"]:
        ref = ResourceRef(
            "records.account", f"account:{row['id']}", f"{row['username']} ({row['system']})",
            account=row["system"],
        )  # fmt: skip
        yield Finding(ref, *account_verdict(row))


def account_verdict(row: dict[str, Any]) -> tuple[str, str]:
    stale = " (last known state: the system's last sync failed)" if row["stale"] else ""
    person, owner = row["person"], row["owner"]
    if person is not None:
        return PASS, f"Belongs to {person['name']} <{person['email']}>{stale}."
    if not row["is_service"]:
        return FAIL, f"Linked to no person and not marked a service account{stale}."
    if owner is None:
        return FAIL, f"Service account without an owner{stale}."
    if owner["left"]:
        return FAIL, f"Service account owned by {owner['name']}, who has left{stale}."
    return PASS, f"Service account owned by {owner['name']}{stale}."


def managers_assigned(inventory: Inventory) -> Iterator[Finding]:
    people = {p["id"]: p for p in inventory.data["people"]["people"]}
    present = {pk: p for pk, p in people.items() if not p["left"]}
    top = top_of_chart(present)
    for person in present.values():
        ref = ResourceRef("records.person", f"person:{person['id']}",
                          f"{person['name']} <{person['email']}>")  # fmt: skip
        yield Finding(ref, *manager_verdict(person, people, top))


def manager_verdict(person: dict, people: dict[int, dict], top: int | None) -> tuple[str, str]:
    manager = people.get(person["manager_id"]) if person["manager_id"] else None
    if manager is None:
        if person["id"] == top:
            return PASS, "Heads the organisation chart."
        return FAIL, "Has no manager."
    if manager["left"]:
        return FAIL, f"Reports to {manager['name']}, who has left."
    return PASS, f"Reports to {manager['name']}."


def top_of_chart(present: dict[int, dict]) -> int | None:
    """The manager-less person with the most people reporting up to them (directly or
    not); a tie goes to the earliest start date, then the lowest id. ``None`` when
    everyone has a manager."""
    heads: dict[int, int] = {}
    for person in present.values():
        head = _head(person, present)
        if head is not None:
            heads[head] = heads.get(head, 0) + 1
    if not heads:
        return None
    return min(heads, key=lambda pk: (-heads[pk], present[pk]["start_date"], pk))


def _head(person: dict, present: dict[int, dict]) -> int | None:
    """Walk up the reporting line; ``None`` when it reaches a leaver or loops."""
    seen: set[int] = set()
    while person["manager_id"] is not None:
        if person["id"] in seen:
            return None
        seen.add(person["id"])
        person = present.get(person["manager_id"])
        if person is None:
            return None
    return person["id"]


def evaluators() -> dict[str, Evaluator]:
    return {
        "records.vendors.assessed": vendors_assessed,
        "records.vendors.inventory_reviewed": vendor_inventory_reviewed,
        "records.risks.assessment_current": risk_assessment_current,
        "records.risks.register_reviewed": risk_register_reviewed,
        "records.reviews.campaign_completed": reviews_campaign_completed,
        "records.incidents.within_target": incidents_within_target,
        "records.people.accounts_linked": accounts_linked,
        "records.people.managers_assigned": managers_assigned,
    }
