"""Demo access reviews: last quarter's campaign, completed (one account revoked, the
evidence package stored), and this quarter's, open with a few decisions made.

The accounts reviewed are those the identity graph already holds (the identity demo's);
when it holds none the owner could review (their own account cannot be), a small user
list of an "expenses" system is uploaded through the identity
service first. Each campaign is created once, found by its title.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from zgovern.core.actor import Actor
from zgovern.identity import services as identity
from zgovern.identity.models import Account, AccountStatus
from zgovern.reviews import services
from zgovern.reviews.models import Campaign, Decision
from zgovern.reviews.services import is_own_account
from zgovern.tenancy.roles import Role

USER_LIST = (
    "system,username,email,display_name,status,privileged,last_login_at\n"
    "expenses,maria,maria@acme.example,Maria Member,active,yes,{recent}\n"
    "expenses,eric,eric@acme.example,Eric Employee,active,no,{recent}\n"
    "expenses,carl,carl@ext.example,Carl Contractor,active,no,{recent}\n"
    "expenses,lars,lars@acme.example,Lars Leaver,active,no,{old}\n"
    "expenses,svc-backup,,Backup job,active,yes,{recent}\n"
)
LAST_TITLE, OPEN_TITLE = "Quarterly access review — last quarter", "Quarterly access review"


def load(context) -> None:
    org, actor = context.organization, context.actor
    reviewer = context.user(Role.OWNER)
    last = Campaign.objects.filter(organization=org, title=LAST_TITLE).first()
    if last is None:
        systems = _systems(org, actor, reviewer.email)
        last = _last_quarter(org, reviewer, systems, timezone.now() - timedelta(days=95))
    if not Campaign.objects.filter(organization=org, title=OPEN_TITLE).exists():
        campaign = services.start_campaign(
            org, actor, title=OPEN_TITLE, systems=last.systems, default_reviewer=reviewer.pk,
            due_date=timezone.localdate() + timedelta(days=21), previous=last,
        )  # fmt: skip
        _decide(org, reviewer, campaign, limit=2)


def _systems(org, actor, reviewer_email: str) -> list[str]:
    """Up to three systems with active accounts, none of them the reviewer's; the demo
    user list when there are none."""
    systems = _reviewable_systems(org, reviewer_email)
    if not systems:
        today = timezone.localdate()
        data = USER_LIST.format(recent=today - timedelta(days=3), old=today - timedelta(days=200))
        identity.import_accounts(org, actor, "expenses-users.csv", data.encode())
        systems = _reviewable_systems(org, reviewer_email)
    return systems[:3]


def _reviewable_systems(org, email: str) -> list[str]:
    rows = Account.objects.filter(organization=org).exclude(status=AccountStatus.REMOVED)
    own = rows.filter(Q(email__iexact=email) | Q(person__work_email__iexact=email))
    own_systems = set(own.values_list("system", flat=True))
    active = set(rows.filter(status=AccountStatus.ACTIVE).values_list("system", flat=True))
    return sorted(active - own_systems)


def _last_quarter(org, reviewer, systems: list[str], started: datetime) -> Campaign:
    campaign = services.start_campaign(
        org, _as(reviewer), title=LAST_TITLE, systems=systems, default_reviewer=reviewer.pk,
        due_date=(started + timedelta(days=14)).date(), at=started,
    )  # fmt: skip
    decided = started + timedelta(days=6)
    _decide(org, reviewer, campaign, limit=None, at=decided)
    completed = decided + timedelta(hours=2)
    return services.complete_campaign(org, _as(reviewer), campaign.pk, at=completed)


def _decide(org, reviewer, campaign: Campaign, *, limit: int | None, at=None) -> None:
    """Approve the items (revoking the first flagged one); an item the reviewer may not
    decide (their own account) is left to another reviewer."""
    actor = _as(reviewer)
    items = [i for i in campaign.items.order_by("pk") if not is_own_account(i, reviewer)]
    revoked = False
    for item in items[:limit]:
        flagged = not revoked and (item.flag_terminated or item.flag_dormant)
        decision = Decision.REVOKE if flagged else Decision.APPROVE
        revoked = revoked or flagged
        note = "Left the company or unused for 90 days." if flagged else ""
        services.decide(org, actor, item.pk, decision=decision, note=note, at=at)


def _as(user) -> Actor:
    """The reviewer as the author: decisions record who made them."""
    return Actor(kind="user", label=user.email, user=user)
