"""Access reviews' domain operations: start a campaign, decide an item, complete a
campaign. The only code that writes campaigns and items (revocations are verified in
:mod:`zgovern.reviews.revocations`, the next campaign scheduled in
:mod:`zgovern.reviews.schedule`).

Rules:
- Starting copies every account of the campaign's systems that is not ``removed`` into a
  review item, in one transaction with one activity row (``review_campaign.started``).
- Only the item's reviewer, or an owner or admin of the organisation, may decide it; nobody
  decides their own account (the user's email against the account's and the person's).
- A completed campaign is locked: deciding answers 409 and changes nothing.
- Completing needs every item decided; it stores the evidence package in the same
  transaction, so a refused or failed completion leaves the campaign open and unchanged.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from zgovern.controls import services as controls
from zgovern.controls.models import Priority, TaskStatus
from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, Forbidden, NotFound
from zgovern.reviews import package, snapshot
from zgovern.reviews.models import (
    Cadence,
    Campaign,
    CampaignStatus,
    Decision,
    ReviewerMode,
    ReviewItem,
    Revocation,
    SystemAssignment,
)
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Membership, Organization
from zgovern.tenancy.roles import Role

TITLE_MAX, NOTE_MAX, SYSTEMS_MAX = 200, 1000, 50
REVOCATION_DAYS_MAX = 30
DUE_HORIZON = timedelta(days=366)
REVIEWER_ROLES = (Role.OWNER, Role.ADMIN, Role.MEMBER)
DECIDE_ANY_ROLES = (Role.OWNER, Role.ADMIN)
_SYSTEM = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
CONTROL_KEY = "access-reviews-quarterly"


# -- starting -------------------------------------------------------------------------


def start_campaign(
    org: Organization,
    actor: Actor,
    *,
    title: Any,
    systems: Any,
    due_date: Any,
    default_reviewer: Any,
    reviewer_mode: Any = ReviewerMode.SYSTEM,
    cadence: Any = Cadence.QUARTERLY,
    revocation_days: Any = 1,
    assignments: Any = (),
    previous: Campaign | None = None,
    at: datetime | None = None,
) -> Campaign:
    """Create an open campaign and snapshot its accounts into review items.

    ``assignments`` lists ``{"system", "reviewer", "owner"}`` (user ids; ``owner``, who
    removes revoked accounts, defaults to the reviewer); a system without one is reviewed
    and owned by ``default_reviewer``. In manager mode a person's manager reviews their
    accounts when the manager is a member (matched by work email); other accounts fall
    back to the system's reviewer. ``at`` (for the scheduler and the demo) is when it
    starts, now by default."""
    at = at or timezone.now()
    clean = {
        "title": _text(title, "title", TITLE_MAX, required=True),
        "systems": _systems(systems),
        "due_date": _due_date(due_date, timezone.localdate(at)),
        "default_reviewer": reviewer_user(org, default_reviewer, "default_reviewer"),
        "reviewer_mode": _choice(reviewer_mode, ReviewerMode, "reviewer_mode"),
        "cadence": _choice(cadence, Cadence, "cadence"),
        "revocation_days": _revocation_days(revocation_days),
    }
    rows = _assignments(org, assignments, clean["systems"], clean["default_reviewer"])
    with transaction.atomic():
        campaign = Campaign.objects.create(
            organization=org, previous=previous, started_at=at, **clean
        )
        for row in rows:
            SystemAssignment.objects.create(organization=org, campaign=campaign, **row)
        count = snapshot.take(org, campaign, at)
        record(org, actor, "review_campaign.started", campaign, _summary(campaign, count))
    return campaign


def _summary(campaign: Campaign, count: int) -> dict[str, Any]:
    return {
        "title": campaign.title,
        "systems": campaign.systems,
        "due_date": campaign.due_date,
        "cadence": campaign.cadence,
        "reviewer_mode": campaign.reviewer_mode,
        "items": count,
    }


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        raise DomainError("NUL characters are not allowed.", field=field)
    if required and not text:
        raise DomainError("This is required.", field=field)
    if len(text) > limit:
        raise DomainError(f"At most {limit} characters.", field=field)
    return text


def _systems(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        raise DomainError("Choose at least one system to review.", field="systems")
    systems = sorted({str(s).strip().lower() for s in value})
    bad = [s for s in systems if not _SYSTEM.fullmatch(s)]
    if bad:
        raise DomainError(f"{bad[0][:60]!r} is not a system name.", field="systems")
    if len(systems) > SYSTEMS_MAX:
        raise DomainError(f"At most {SYSTEMS_MAX} systems per campaign.", field="systems")
    return systems


def _due_date(value: Any, today: date) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise DomainError("The due date is a day (YYYY-MM-DD).", field="due_date")
    if value < today:
        raise DomainError(f"The due date {value:%Y-%m-%d} is in the past.", field="due_date")
    if value - today > DUE_HORIZON:
        raise DomainError("The due date is at most a year ahead.", field="due_date")
    return value


def _choice(value: Any, choices, field: str) -> str:
    if value not in choices.values:
        raise DomainError(f"Choose one of: {', '.join(choices.values)}.", field=field)
    return str(value)


def _revocation_days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(
            "The revocation window is a number of business days.", field="revocation_days"
        )
    if not 0 <= value <= REVOCATION_DAYS_MAX:
        raise DomainError(
            f"The revocation window is 0 to {REVOCATION_DAYS_MAX} business days.",
            field="revocation_days",
        )
    return value


def reviewer_user(org: Organization, user_id: Any, field: str):
    """The member ``user_id`` when their role may review (owner, admin, member)."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        raise DomainError("Choose a member of this organisation.", field=field) from None
    membership = (
        Membership.objects.filter(organization=org, user_id=pk).select_related("user").first()
    )
    if membership is None or not membership.user.is_active:
        raise DomainError("Choose a member of this organisation.", field=field)
    if membership.role not in REVIEWER_ROLES:
        raise DomainError(
            f"A member with the {membership.role} role cannot review access.", field=field
        )
    return membership.user


def _assignments(org: Organization, value: Any, systems: list[str], default) -> list[dict]:
    if value is None:
        value = ()
    if not isinstance(value, list | tuple):
        raise DomainError("Assignments are a list.", field="assignments")
    chosen: dict[str, dict] = {}
    for row in value:
        if not isinstance(row, dict):
            raise DomainError("Each assignment names a system and a reviewer.", field="assignments")
        system = str(row.get("system", "")).strip().lower()
        if system not in systems:
            raise DomainError(
                f"{system[:60]!r} is not one of the campaign's systems.", field="assignments"
            )
        if system in chosen:
            raise DomainError(f"{system!r} is assigned twice.", field="assignments")
        reviewer = reviewer_user(org, row.get("reviewer"), "assignments")
        owner = row.get("owner")
        owner = reviewer if owner in (None, "") else reviewer_user(org, owner, "assignments")
        chosen[system] = {"system": system, "reviewer": reviewer, "owner": owner}
    for system in systems:
        chosen.setdefault(system, {"system": system, "reviewer": default, "owner": default})
    return [chosen[s] for s in systems]


# -- deciding -------------------------------------------------------------------------


def decide(
    org: Organization,
    actor: Actor,
    item_id: Any,
    *,
    decision: Any,
    note: Any = "",
    at: datetime | None = None,
) -> ReviewItem:
    """Record APPROVE or REVOKE (any case) with an optional note, by the actor's user.

    409 on a completed campaign; 403 for one's own account or someone else's item (unless
    owner or admin); 400 for an unknown decision. A REVOKE opens a remediation task for
    the system's owner, due at the end of the revocation window; turning a REVOKE into an
    APPROVE while the campaign is open closes that task as won't do. ``at`` (for the
    demo) is when it was decided, now by default."""
    choice = str(decision or "").strip().lower()
    if choice not in (Decision.APPROVE, Decision.REVOKE):
        raise DomainError("The decision is APPROVE or REVOKE.", field="decision")
    note = _text(note, "note", NOTE_MAX)
    user = getattr(actor, "user", None)
    if user is None:
        raise Forbidden("Only a signed-in reviewer can decide.")
    with transaction.atomic():
        item = _item(org, item_id)
        campaign = Campaign.objects.select_for_update().get(organization=org, pk=item.campaign_id)
        item = ReviewItem.objects.select_for_update().get(organization=org, pk=item.pk)
        _may_decide(org, campaign, item, user)
        if item.decision == choice and item.note == note:
            return item
        before = item.decision
        at = at or timezone.now()
        _apply_decision(org, actor, campaign, item, choice, at)
        item.decision, item.note = choice, note
        item.decided_by, item.decided_at = user, at
        item.save()
        record(org, actor, "review_item.decided", item,
               {"campaign": campaign.pk, "account": str(item), "decision": [before, choice],
                "note": note})  # fmt: skip
    return item


def _item(org: Organization, item_id: Any) -> ReviewItem:
    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        raise NotFound("No such review item.") from None
    item = ReviewItem.objects.filter(organization=org, pk=pk).first()
    if item is None:
        raise NotFound("No such review item.")
    return item


def _may_decide(org: Organization, campaign: Campaign, item: ReviewItem, user) -> None:
    if campaign.is_locked:
        raise Conflict(
            f"This campaign was completed on {campaign.completed_at:%Y-%m-%d}; "
            "its decisions are locked."
        )
    if is_own_account(item, user):
        raise Forbidden(
            "You cannot review your own account; its reviewer is reassigned to another "
            "reviewer or an admin decides it."
        )
    if item.reviewer_id == user.pk:
        return
    role = Membership.objects.filter(organization=org, user=user).values_list("role", flat=True)
    if role.first() not in DECIDE_ANY_ROLES:
        raise Forbidden("Only the item's reviewer, or an owner or admin, can decide it.")


def is_own_account(item: ReviewItem, user) -> bool:
    """Whether ``user`` is the account's holder (their email is the account's or its
    person's)."""
    email = (user.email or "").strip().lower()
    return bool(email) and email in {item.account_email.lower(), item.person_email.lower()}


def _apply_decision(org, actor, campaign, item: ReviewItem, choice: str, at: datetime) -> None:
    if choice == Decision.REVOKE and item.decision != Decision.REVOKE:
        item.revoke_by = add_business_days(at, campaign.revocation_days)
        item.task = _revocation_task(org, actor, item)
        item.revocation, item.verified_at, item.proof = Revocation.PENDING, None, {}
    elif choice == Decision.APPROVE and item.decision == Decision.REVOKE:
        if item.task is not None and item.task.is_open:
            controls.update_task(org, actor, item.task_id, status=TaskStatus.WONT_DO)
        item.task, item.revoke_by = None, None
        item.revocation, item.verified_at, item.proof = Revocation.NONE, None, {}


def _revocation_task(org: Organization, actor: Actor, item: ReviewItem):
    control = package.controls_by_key(org, (CONTROL_KEY,))
    fields = {
        "title": f"Revoke {item.username[:120]} in {item.system}",
        "description": (
            f"The access review decided to revoke {item.username} ({item.system}"
            f"{', ' + item.person_name if item.person_name else ''}). Remove or suspend the "
            "account; the next sync that shows it gone closes this task."
        ),
        "control": control[0].pk if control else None,
        "priority": Priority.HIGH,
        "target_date": max(timezone.localdate(item.revoke_by), timezone.localdate()),
    }
    try:
        return controls.create_task(org, actor, owner=item.remediation_owner_id, **fields)
    except DomainError as exc:
        if exc.field != "owner":  # the owner left the organisation: nobody owns it yet
            raise
        return controls.create_task(org, actor, owner=None, **fields)


def add_business_days(start: datetime, days: int) -> datetime:
    """``start`` moved ``days`` weekdays on (Saturday and Sunday skipped)."""
    moment = start
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


# -- completing -----------------------------------------------------------------------


def complete_campaign(
    org: Organization, actor: Actor, campaign_id: Any, *, at: datetime | None = None
) -> Campaign:
    """Lock the campaign and store its evidence package. 409 when it is already completed
    or any item is undecided (nothing changes). ``at`` (for the demo): when, now by
    default."""
    user = getattr(actor, "user", None)
    with transaction.atomic():
        campaign = get_campaign(org, campaign_id, lock=True)
        if campaign.is_locked:
            raise Conflict("This campaign is already completed.")
        total = campaign.items.count()
        undecided = campaign.items.filter(decision=Decision.PENDING).count()
        if undecided:
            raise Conflict(
                f"{undecided} of {total} accounts are still undecided; decide every account "
                "before completing."
            )
        campaign.status = CampaignStatus.COMPLETED
        campaign.completed_at, campaign.completed_by = at or timezone.now(), user
        campaign.evidence_csv, campaign.evidence_summary = package.store(org, actor, campaign)
        campaign.save()
        record(org, actor, "review_campaign.completed", campaign,
               {"items": total, "evidence": [campaign.evidence_csv_id,
                                             campaign.evidence_summary_id]})  # fmt: skip
    return campaign


def get_campaign(org: Organization, campaign_id: Any, *, lock: bool = False) -> Campaign:
    try:
        pk = int(campaign_id)
    except (TypeError, ValueError):
        raise NotFound("No such campaign.") from None
    rows = Campaign.objects.filter(organization=org, pk=pk)
    campaign = (rows.select_for_update() if lock else rows).first()
    if campaign is None:
        raise NotFound("No such campaign.")
    return campaign
