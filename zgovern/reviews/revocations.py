"""Verification of REVOKE decisions against the identity graph.

:func:`verify_revocations` looks at every revocation still waiting (or already late): when
the account is now removed or suspended, the item is verified, the sync that showed it is
kept as proof, and the remediation task closes as done. An account still active after the
revocation window makes the item an exception, listed on its campaign; it is verified
later all the same if the account goes. Call it after a sync; a periodic task also runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from zgovern.controls import services as controls
from zgovern.controls.models import TaskStatus
from zgovern.core.actor import Actor
from zgovern.identity.models import Account, AccountStatus
from zgovern.reviews.models import ReviewItem, Revocation
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope

GONE = (AccountStatus.REMOVED, AccountStatus.SUSPENDED)


@dataclass
class VerifyReport:
    verified: int = 0
    exceptions: int = 0  # newly late
    waiting: int = 0  # still active, within the window (or already an exception)


def verify_revocations(org: Organization, now: datetime | None = None) -> VerifyReport:
    """Verify or flag every open revocation of ``org`` (see the module's contract)."""
    now = now or timezone.now()
    report = VerifyReport()
    actor = Actor.system("access reviews")
    with organization_scope(org):
        open_items = ReviewItem.objects.filter(
            organization=org, revocation__in=(Revocation.PENDING, Revocation.EXCEPTION)
        ).values_list("pk", flat=True)
        for pk in list(open_items):
            outcome = _verify_one(org, actor, pk, now)
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _verify_one(org: Organization, actor: Actor, pk: int, now: datetime) -> str:
    with transaction.atomic():
        item = (
            ReviewItem.objects.select_for_update(of=("self",))
            .select_related("account__integration", "task")
            .filter(organization=org, pk=pk)
            .first()
        )
        if item is None or item.revocation not in (Revocation.PENDING, Revocation.EXCEPTION):
            return "waiting"
        account = item.account
        if account is None or account.status in GONE:
            _verified(org, actor, item, account, now)
            return "verified"
        if item.revocation == Revocation.PENDING and item.revoke_by and now > item.revoke_by:
            item.revocation = Revocation.EXCEPTION
            item.save(update_fields=["revocation"])
            record(org, actor, "review_item.revocation_late", item,
                   {"account": str(item), "revoke_by": item.revoke_by,
                    "account_status": account.status})  # fmt: skip
            return "exceptions"
        return "waiting"


def _verified(org, actor: Actor, item: ReviewItem, account: Account | None, now) -> None:
    item.revocation, item.verified_at = Revocation.VERIFIED, now
    item.proof = proof(account, now)
    item.save(update_fields=["revocation", "verified_at", "proof"])
    if item.task is not None and item.task.is_open:
        controls.update_task(org, actor, item.task_id, status=TaskStatus.DONE)
    record(org, actor, "review_item.revocation_verified", item,
           {"account": str(item), **item.proof})  # fmt: skip


def proof(account: Account | None, now: datetime) -> dict[str, Any]:
    """What showed the access gone: the account's state and the sync that recorded it."""
    if account is None:
        return {"checked_at": _iso(now), "account_status": "deleted"}
    integration = account.integration
    return {
        "checked_at": _iso(now),
        "account_status": account.status,
        "deactivated_at": _iso(account.deactivated_at),
        "account_updated_at": _iso(account.updated_at),
        "last_seen_at": _iso(account.last_seen_at),
        "integration": integration.name if integration else "",
        "sync_at": _iso(integration.last_run_at if integration else None),
    }


def _iso(moment) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def exceptions(org: Organization, campaign=None):
    """Items whose account was still active after the revocation window."""
    rows = ReviewItem.objects.filter(organization=org, revocation=Revocation.EXCEPTION)
    if campaign is not None:
        rows = rows.filter(campaign=campaign)
    return rows.select_related("campaign", "task", "decided_by").order_by("revoke_by", "id")
