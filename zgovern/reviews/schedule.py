"""The cadence: each campaign with a cadence schedules the next one.

A campaign is due for a successor when its cadence has passed since it started (a
quarterly campaign started on 5 January is followed on 5 April). The successor reviews the
same systems with the same reviewers, and is due as long after its start as its
predecessor was. Each campaign has at most one successor (a unique link), so running the
scheduler again, or on two workers at once, creates nothing twice.
"""

from __future__ import annotations

import calendar
import logging
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.reviews import services
from zgovern.reviews.models import CADENCE_MONTHS, Cadence, Campaign
from zgovern.tenancy.scoping import organization_scope

logger = logging.getLogger(__name__)
SEPARATOR = " — "


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_start(campaign: Campaign) -> date | None:
    months = CADENCE_MONTHS.get(campaign.cadence)
    if months is None:
        return None
    return add_months(timezone.localdate(campaign.started_at), months)


def period_label(day: date, cadence: str) -> str:
    if cadence == Cadence.QUARTERLY:
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"
    if cadence == Cadence.SEMIANNUAL:
        return f"{day.year} H{(day.month - 1) // 6 + 1}"
    if cadence == Cadence.ANNUAL:
        return str(day.year)
    return f"{day:%Y-%m}"


def due_campaigns(today: date | None = None) -> list[Campaign]:
    """Campaigns of every organisation whose successor is due and not yet created."""
    today = today or timezone.localdate()
    with scopes_disabled():
        rows = Campaign.objects.filter(successor__isnull=True).exclude(cadence=Cadence.NONE)
        rows = rows.select_related("organization")
        return [c for c in rows if (start := next_start(c)) is not None and start <= today]


def schedule_due_campaigns(today: date | None = None) -> list[Campaign]:
    """Start the successor of every due campaign; returns those started. A successor that
    cannot start (its reviewer left, say) is logged and tried again next time."""
    today = today or timezone.localdate()
    started = []
    for campaign in due_campaigns(today):
        with organization_scope(campaign.organization):
            successor = _start_successor(campaign, today)
        if successor is not None:
            started.append(successor)
    return started


def _start_successor(campaign: Campaign, today: date) -> Campaign | None:
    org = campaign.organization
    base = campaign.title.split(SEPARATOR)[0]
    length = max((campaign.due_date - timezone.localdate(campaign.started_at)).days, 1)
    assignments = [
        {"system": a.system, "reviewer": a.reviewer_id, "owner": a.owner_id}
        for a in campaign.assignments.all()
    ]
    try:
        with transaction.atomic():
            return services.start_campaign(
                org, Actor.system("access-review schedule"),
                title=f"{base}{SEPARATOR}{period_label(today, campaign.cadence)}"[:200],
                systems=campaign.systems, due_date=today + timedelta(days=min(length, 366)),
                default_reviewer=campaign.default_reviewer_id,
                reviewer_mode=campaign.reviewer_mode, cadence=campaign.cadence,
                revocation_days=campaign.revocation_days, assignments=assignments,
                previous=campaign,
            )  # fmt: skip
    except IntegrityError:  # another worker started it first
        return None
    except DomainError as exc:
        logger.warning("access review %s: next campaign not started: %s", campaign.pk, exc)
        return None
