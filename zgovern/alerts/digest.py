"""The daily digest (each user's queued alerts in one email) and the weekly summary for
owners and admins.

A digest claims its rows in one UPDATE (``queued`` -> ``sending`` with a batch id), so two
workers never send the same rows; a failed send puts them back for the next day. A weekly
summary writes a :class:`SummarySent` row per organisation, week and admin in the
transaction that sends it, so a repeated run sends nothing more.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.apps import apps
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.alerts import services, sources
from zgovern.alerts.delivery import absolute
from zgovern.alerts.models import Alert, AlertStatus, Kind, SummarySent
from zgovern.controls.models import RemediationTask, TaskStatus
from zgovern.readiness.models import ReadinessSnapshot
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import organization_scope

logger = logging.getLogger(__name__)
LISTED = 100  # alerts named in one digest; the rest are counted


def send_digests(now: datetime | None = None) -> int:
    """Send every user's digest of queued alerts; how many emails went out."""
    now = now or timezone.now()
    with scopes_disabled():
        pairs = list(
            Alert.objects.filter(status=AlertStatus.QUEUED)
            .order_by("organization_id", "recipient_id")
            .values_list("organization_id", "recipient_id")
            .distinct()
        )
    return sum(_send_digest(org_id, user_id, now) for org_id, user_id in pairs)


def _send_digest(org_id: int, user_id: int, now: datetime) -> bool:
    batch = uuid.uuid4().hex
    with scopes_disabled():
        claimed = Alert.objects.filter(
            organization_id=org_id, recipient_id=user_id, status=AlertStatus.QUEUED
        ).update(status=AlertStatus.SENDING, batch=batch, claimed_at=now)
        if not claimed:
            return False  # another worker took them
        rows = list(Alert.objects.filter(batch=batch).select_related("organization", "recipient"))
    org, user = rows[0].organization, rows[0].recipient
    subject = f"zGovern daily digest for {org.name}: {len(rows)} alert(s)"
    try:
        send_mail(subject, _digest_body(rows), None, [user.email])
    except Exception as exc:  # kept for tomorrow, never raised
        logger.warning("digest for user %s not sent: %s", user_id, exc)
        with scopes_disabled():
            Alert.objects.filter(batch=batch).update(
                status=AlertStatus.QUEUED, batch="", error=f"digest: {exc}"[:500]
            )
        return False
    with scopes_disabled():
        Alert.objects.filter(batch=batch).update(status=AlertStatus.SENT, sent_at=timezone.now())
    return True


def _digest_body(rows: list[Alert]) -> str:
    labels = dict(Kind.choices)
    lines = []
    for kind in Kind.values:
        mine = [row for row in rows if row.kind == kind]
        if not mine:
            continue
        lines += ["", f"{labels[kind]} ({len(mine)})"]
        for row in mine[:LISTED]:
            lines.append(f"- {row.subject}" + (f"  {absolute(row.link)}" if row.link else ""))
        if len(mine) > LISTED:
            lines.append(f"- … and {len(mine) - LISTED} more")
    return "Since your last digest:\n" + "\n".join(lines)


# -- the weekly summary ------------------------------------------------------------------


@dataclass
class Summary:
    week_start: date
    readiness: list[tuple[str, float | None, float | None]] = field(default_factory=list)
    findings_new: int | None = None  # None: the findings app is not installed
    findings_closed: int | None = None
    due: dict[str, list[str]] = field(default_factory=dict)

    def text(self, org: Organization) -> str:
        lines = [f"Week of {self.week_start:%Y-%m-%d} at {org.name}", "", "Readiness"]
        for name, before, after in self.readiness or [("no framework in scope", None, None)]:
            lines.append(f"- {name}: {_pct(before)} -> {_pct(after)}")
        if self.findings_new is not None:
            lines += ["", f"Findings: {self.findings_new} new, {self.findings_closed} closed"]
        lines += ["", "Due next week"]
        for label, items in self.due.items():
            lines.append(f"- {label}: {len(items)}")
            lines += [f"    {item}" for item in items[:20]]
        return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def summarize(org: Organization, today: date) -> Summary:
    """The week before ``today`` (Monday to Sunday when run on a Monday) and the 7 days
    from ``today``. Call inside ``org``'s scope."""
    start = today - timedelta(days=7)
    summary = Summary(week_start=start)
    summary.readiness = _readiness(org, start, today)
    if apps.is_installed("zgovern.findings"):
        from zgovern.findings.models import Finding

        rows = Finding.objects.filter(organization=org)
        summary.findings_new = rows.filter(
            first_seen_at__date__gte=start, first_seen_at__date__lt=today
        ).count()
        summary.findings_closed = rows.filter(
            resolved_at__date__gte=start, resolved_at__date__lt=today
        ).count()
    summary.due = _due(org, today, today + timedelta(days=7))
    return summary


def _readiness(org: Organization, start: date, end: date) -> list:
    rows = ReadinessSnapshot.objects.filter(organization=org, day__lt=end).select_related(
        "framework"
    )
    found = []
    for framework_id in sorted(set(rows.values_list("framework_id", flat=True))):
        mine = rows.filter(framework_id=framework_id)
        before = mine.filter(day__lt=start).order_by("-day").first()
        after = mine.order_by("-day").first()
        found.append((str(after.framework), before.score if before else None, after.score))
    return found


def _due(org: Organization, start: date, end: date) -> dict[str, list[str]]:
    from zgovern.policies.models import Policy
    from zgovern.reviews.models import Campaign, CampaignStatus

    open_tasks = RemediationTask.objects.filter(
        organization=org, status__in=(TaskStatus.OPEN, TaskStatus.IN_PROGRESS),
        target_date__gte=start, target_date__lt=end,
    )  # fmt: skip
    due = {
        "Remediation tasks": [
            f"{t.target_date:%Y-%m-%d} {t.title}" for t in open_tasks.order_by("target_date", "pk")
        ],
        "Access reviews": [
            f"{c.due_date:%Y-%m-%d} {c.title}"
            for c in Campaign.objects.filter(
                organization=org, status=CampaignStatus.OPEN, due_date__gte=start, due_date__lt=end
            ).order_by("due_date", "pk")
        ],
        "Policy reviews": [
            f"{p.next_review_date:%Y-%m-%d} {p.title}"
            for p in Policy.objects.filter(
                organization=org, next_review_date__gte=start, next_review_date__lt=end
            ).order_by("next_review_date", "pk")
        ],
    }
    if apps.is_installed("zgovern.pbc"):
        from zgovern.pbc.models import AuditRequest

        requests = AuditRequest.objects.filter(
            organization=org,
            answered_at__isnull=True,
            target_at__date__gte=start,
            target_at__date__lt=end,
        )
        due["Audit requests"] = [
            f"{r.target_at:%Y-%m-%d} {r.reference} {r.title}"
            for r in requests.order_by("target_at", "pk")
        ]
    return due


def send_summaries(now: datetime | None = None) -> int:
    """Send this week's summary to the owners and admins of every organisation that has
    not turned it off; how many emails went out."""
    today = timezone.localdate(now or timezone.now())
    with scopes_disabled():
        orgs = list(Organization.objects.order_by("pk"))
    sent = 0
    for org in orgs:
        with organization_scope(org):
            if services.settings_for(org).weekly_summary:
                sent += _send_summary(org, today)
    return sent


def _send_summary(org: Organization, today: date) -> int:
    summary = summarize(org, today)
    body, subject = summary.text(org), f"zGovern weekly summary for {org.name}"
    sent = 0
    for user in sources.admins(org):
        try:
            with transaction.atomic():
                SummarySent.objects.create(
                    organization=org, week=summary.week_start, recipient=user.email
                )
                send_mail(subject, body, None, [user.email])
        except IntegrityError:
            continue  # already sent this week
        except Exception as exc:  # a bad address must not stop the others
            logger.warning("weekly summary to %s not sent: %s", user.pk, exc)
            continue
        sent += 1
    return sent
