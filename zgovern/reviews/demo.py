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
    reviewer, admin = context.user(Role.OWNER), context.users.get(Role.ADMIN)
    last = Campaign.objects.filter(organization=org, title=LAST_TITLE).first()
    if last is None:
        # Without an admin to decide the owner's own accounts, leave their systems out.
        systems = _systems(org, actor, "" if admin else reviewer.email)
        started = timezone.now() - timedelta(days=95)
        last = _last_quarter(org, (reviewer, admin), systems, started)
    if not Campaign.objects.filter(organization=org, title=OPEN_TITLE).exists():
        campaign = services.start_campaign(
            org, actor, title=OPEN_TITLE, systems=last.systems, default_reviewer=reviewer.pk,
            due_date=timezone.localdate() + timedelta(days=21), previous=last,
        )  # fmt: skip
        _decide(org, (reviewer, None), campaign, limit=2)


def _systems(org, actor, reviewer_email: str) -> list[str]:
    """Up to four systems with active accounts, none of them ``reviewer_email``'s; the
    demo user list when there are none."""
    systems = _reviewable_systems(org, reviewer_email)
    if not systems:
        today = timezone.localdate()
        data = USER_LIST.format(recent=today - timedelta(days=3), old=today - timedelta(days=200))
        identity.import_accounts(org, actor, "expenses-users.csv", data.encode())
        systems = _reviewable_systems(org, reviewer_email)
    return systems[:4]


def _reviewable_systems(org, email: str) -> list[str]:
    rows = Account.objects.filter(organization=org).exclude(status=AccountStatus.REMOVED)
    own_systems = set()
    if email:
        own = rows.filter(Q(email__iexact=email) | Q(person__work_email__iexact=email))
        own_systems = set(own.values_list("system", flat=True))
    active = set(rows.filter(status=AccountStatus.ACTIVE).values_list("system", flat=True))
    return sorted(active - own_systems)


def _last_quarter(org, reviewers: tuple, systems: list[str], started: datetime) -> Campaign:
    reviewer = reviewers[0]
    campaign = services.start_campaign(
        org, _as(reviewer), title=LAST_TITLE, systems=systems, default_reviewer=reviewer.pk,
        due_date=(started + timedelta(days=14)).date(), at=started,
    )  # fmt: skip
    decided = started + timedelta(days=6)
    _decide(org, reviewers, campaign, limit=None, at=decided)
    completed = decided + timedelta(hours=2)
    return services.complete_campaign(org, _as(reviewer), campaign.pk, at=completed)


def _decide(org, reviewers: tuple, campaign: Campaign, *, limit: int | None, at=None) -> None:
    """Approve the items, revoking the first account of someone who has left. The
    reviewer's own accounts go to the second reviewer (an admin) when there is one, else
    stay undecided."""
    reviewer, second = reviewers
    done = 0
    revoked = False
    for item in campaign.items.order_by("pk"):
        user = second if is_own_account(item, reviewer) else reviewer
        if user is None or is_own_account(item, user):
            continue
        if limit is not None and done >= limit:
            break
        flagged = not revoked and item.flag_terminated
        revoked = revoked or flagged
        decision = Decision.REVOKE if flagged else Decision.APPROVE
        note = "Left the company." if flagged else ""
        services.decide(org, _as(user), item.pk, decision=decision, note=note, at=at)
        done += 1


def _as(user) -> Actor:
    """The reviewer as the author: decisions record who made them."""
    return Actor(kind="user", label=user.email, user=user)
