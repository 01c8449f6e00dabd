"""The copy of a campaign's accounts into review items, taken when the campaign starts.

An item keeps what the reviewer judged: the account (status, privileges, roles, last
sign-in), the person it belongs to (a service account's owner stands in for it) with their
department, status, employment type and manager, and five flags. Later syncs change the
account, never the item. Called inside :func:`zgovern.reviews.services.start_campaign`'s
transaction; writes in batches so 10,000 accounts stay quick.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from zgovern.identity.models import Account, AccountStatus
from zgovern.people.models import EmploymentType, Person, PersonStatus
from zgovern.reviews.models import Campaign, ReviewerMode, ReviewItem
from zgovern.tenancy.models import Membership, Organization

DORMANT_DAYS = 90
BATCH = 1000
ROLES_MAX = 500


def take(org: Organization, campaign: Campaign, now: datetime) -> int:
    """Create the campaign's items as of ``now``; returns how many."""
    assign = _Assigner(org, campaign)
    accounts = (
        Account.objects.filter(organization=org, system__in=campaign.systems)
        .exclude(status=AccountStatus.REMOVED)
        .select_related("person__manager", "service_owner__manager")
        .order_by("system", "username", "id")
    )
    batch: list[ReviewItem] = []
    count = 0
    for account in accounts.iterator(chunk_size=BATCH):
        batch.append(_item(org, campaign, account, now, assign))
        if len(batch) >= BATCH:
            count += len(ReviewItem.objects.bulk_create(batch))
            batch = []
    if batch:
        count += len(ReviewItem.objects.bulk_create(batch))
    return count


class _Assigner:
    """Picks each account's reviewer and the owner of its remediation."""

    def __init__(self, org: Organization, campaign: Campaign) -> None:
        self.default = campaign.default_reviewer
        self.systems = {a.system: a for a in campaign.assignments.select_related("reviewer")}
        self.managers: dict[str, object] = {}
        if campaign.reviewer_mode == ReviewerMode.MANAGER:
            members = Membership.objects.filter(
                organization=org, role__in=("owner", "admin", "member"), user__is_active=True
            ).select_related("user")
            self.managers = {m.user.email.lower(): m.user for m in members}

    def reviewer(self, account: Account, person: Person | None, emails: set[str]):
        """The manager (manager mode), else the system's reviewer; never the account's own
        holder when another reviewer is at hand."""
        chosen = []
        if person is not None and person.manager is not None:
            chosen.append(self.managers.get(person.manager.work_email.lower()))
        assignment = self.systems.get(account.system)
        chosen += [assignment.reviewer if assignment else None, self.default]
        candidates = [u for u in chosen if u is not None]
        for user in candidates:
            if user.email.lower() not in emails:
                return user
        return candidates[0]

    def owner(self, account: Account):
        assignment = self.systems.get(account.system)
        return assignment.owner_id if assignment else self.default.pk


def _item(org, campaign: Campaign, account: Account, now: datetime, assign: _Assigner):
    person = account.person or (account.service_owner if account.is_service else None)
    emails = {e for e in (account.email.lower(), person.work_email if person else "") if e}
    status = person.current_status(timezone.localdate(now)) if person else ""
    employment = person.employment_type if person else ""
    return ReviewItem(
        organization=org,
        campaign=campaign,
        account=account,
        system=account.system,
        username=account.username,
        account_email=account.email,
        display_name=account.display_name,
        account_status=account.status,
        mfa=account.mfa,
        privileged=account.privileged,
        roles=_roles(account.attributes),
        last_login_at=account.last_login_at,
        is_service=account.is_service,
        person=person,
        person_name=person.full_name if person else "",
        person_email=person.work_email if person else "",
        person_department=person.department if person else "",
        person_status=status,
        employment_type=employment,
        manager_name=person.manager.full_name if person and person.manager else "",
        flag_terminated=status == PersonStatus.TERMINATED,
        flag_unlinked=person is None,
        flag_privileged=account.privileged,
        flag_dormant=is_dormant(account, now),
        flag_contractor=employment == EmploymentType.CONTRACTOR,
        reviewer=assign.reviewer(account, person, emails),
        remediation_owner_id=assign.owner(account),
    )


def is_dormant(account: Account, now: datetime) -> bool:
    """No sign-in for 90 days; an account that never signed in counts from when it was
    first seen (a new account is not dormant yet)."""
    since = account.last_login_at or account.first_seen_at
    return since is not None and since < now - timedelta(days=DORMANT_DAYS)


def _roles(attributes) -> str:
    """The account's roles or groups, as one line."""
    if not isinstance(attributes, dict):
        return ""
    for key in ("roles", "groups", "role"):
        value = attributes.get(key)
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)[:ROLES_MAX]
        if value:
            return str(value)[:ROLES_MAX]
    return ""
