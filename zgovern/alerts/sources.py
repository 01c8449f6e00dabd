"""Where alerts come from: each function looks at one app's rows and calls
:func:`zgovern.alerts.services.notify` for what it finds.

They can all run again at any time: every event has a key (a check's interval, a task and
its target date, a request and its target…), so a repeated sweep sends nothing twice.
Call each inside the organisation's scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from zgovern.alerts.models import Kind
from zgovern.alerts.services import notify
from zgovern.controls.models import ControlCheck, RemediationTask, TaskStatus
from zgovern.monitoring.models import CheckInterval, CheckRun, CheckStatus
from zgovern.tenancy.models import Membership, Organization
from zgovern.tenancy.roles import Role

REVIEW_NOTICE_DAYS = 2  # a campaign counts as due this many days before its due date
ACK_LOOKBACK_DAYS = 7  # windows closed longer ago than this were alerted (or predate us)
FINDING_LOOKBACK = timedelta(days=2)
ADMIN_ROLES = (Role.OWNER, Role.ADMIN)


def admins(org: Organization) -> list:
    """The organisation's owners and admins: who hears about what nobody else owns."""
    rows = Membership.objects.filter(organization=org, role__in=ADMIN_ROLES).select_related("user")
    return [m.user for m in rows.order_by("user_id")]


def _url(org: Organization, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def _links(org: Organization, name: str, param: str) -> Callable[[int], str]:
    """``pk -> url`` for one route, reversed once: reversing is slow at thousands a run."""
    sentinel = "987654321987"
    template = reverse(name, kwargs={"org_slug": org.slug, param: sentinel})
    return lambda pk: template.replace(sentinel, str(pk))


# -- checks ---------------------------------------------------------------------------


def newly_failed(run: CheckRun) -> list[CheckInterval]:
    """The fail intervals ``run`` opened whose (check, resource) did not fail just before.

    A (check, resource) never observed before counts only when its check had already been
    recorded in the organisation: connecting an integration reports its state once on the
    monitoring page, not as hundreds of alerts.
    """
    org = run.organization
    opened = list(
        CheckInterval.objects.filter(
            organization=org, check_id__in=run.checks or [], started_at=run.started_at,
            status=CheckStatus.FAIL, resource__integration_id=run.integration_id,
        ).select_related("resource")
    )  # fmt: skip
    if not opened:
        return []
    before = CheckInterval.objects.filter(
        organization=org, resource_id__in=[i.resource_id for i in opened], ended_at=run.started_at
    ).values_list("check_id", "resource_id", "status")
    previous = {(check, res): status for check, res, status in before}
    known = set(
        CheckInterval.objects.filter(
            organization=org,
            check_id__in={i.check_id for i in opened},
            started_at__lt=run.started_at,
        )
        .values_list("check_id", flat=True)
        .distinct()
    )
    found = []
    for interval in opened:
        status = previous.get((interval.check_id, interval.resource_id))
        if status == CheckStatus.FAIL:
            continue
        if status is None and interval.check_id not in known:
            continue
        found.append(interval)
    return found


def check_failures(run: CheckRun) -> int:
    """Alert the owners of the controls testing each newly failed check (the admins when
    no control does); one alert per transition, rate-limited per (check, resource)."""
    org = run.organization
    intervals = newly_failed(run)
    owners = _check_owners(org, {i.check_id for i in intervals})
    fallback = admins(org) if intervals else []
    link = _links(org, "monitoring:resource", "resource_id")
    sent = 0
    with transaction.atomic():  # one commit, then one delivery task for all
        for interval in intervals:
            recipients = owners.get(interval.check_id) or fallback
            sent += _check_failure(org, interval, recipients, link(interval.resource_id))
    return sent


def _check_failure(org: Organization, interval: CheckInterval, recipients: list, link: str) -> bool:
    resource = interval.resource
    subject = f"Check failing: {interval.check_id} on {resource.name or resource.external_id}"
    body = (
        f"{subject}\n\nResource: {resource.resource_type} {resource.external_id}"
        f"\nSince: {interval.started_at:%Y-%m-%d %H:%M} UTC\nReason: {interval.reason or '—'}"
    )
    written = notify(
        org, Kind.CHECK_FAILED, f"check:{interval.pk}", subject, body, recipients, link,
        group=f"check:{interval.check_id}:{resource.pk}",
    )  # fmt: skip
    return bool(written)


def _check_owners(org: Organization, check_ids: set[str]) -> dict[str, list]:
    rows = ControlCheck.objects.filter(
        organization=org, check_id__in=check_ids, control__owner__isnull=False
    ).select_related("control__owner")
    found: dict[str, list] = defaultdict(list)
    for row in rows:
        found[row.check_id].append(row.control.owner)
    return found


# -- remediation tasks ------------------------------------------------------------------


def overdue_tasks(org: Organization, today: date | None = None) -> int:
    """Alert the owner (else the control's owner, else the admins) of each open task past
    its target date: once per task and target date, so moving the date re-arms it."""
    today = today or timezone.localdate()
    rows = RemediationTask.objects.filter(
        organization=org, status__in=(TaskStatus.OPEN, TaskStatus.IN_PROGRESS),
        target_date__lt=today,
    ).select_related("owner", "control__owner")  # fmt: skip
    sent = 0
    for task in rows.order_by("pk"):
        owner = task.owner or (task.control.owner if task.control else None)
        subject = f"Overdue: {task.title} (due {task.target_date:%Y-%m-%d})"
        body = f"{subject}\n\nThe remediation task is past its target date and still {task.status}."
        link = _url(org, "controls:task", task_id=task.pk)
        key = f"task:{task.pk}:{task.target_date:%Y-%m-%d}"
        sent += bool(
            notify(
                org, Kind.TASK_OVERDUE, key, subject, body, [owner] if owner else admins(org), link
            )
        )
    return sent


# -- audit requests (PBC) ----------------------------------------------------------------


def overdue_requests(org: Organization, now=None) -> int:
    """Alert the assignee (else the audit's point of contact) of each unanswered request
    past its response target: once per request and target."""
    from zgovern.pbc.models import AuditRequest  # an optional app: imported when used
    from zgovern.pbc.queries import overdue_q

    rows = AuditRequest.objects.filter(overdue_q(now), organization=org).select_related(
        "assignee", "audit__point_of_contact"
    )
    sent = 0
    for request in rows.order_by("pk"):
        who = request.assignee or request.audit.point_of_contact
        subject = f"Audit request overdue: {request.reference} {request.title}"
        body = f"{subject}\n\nThe response target was {request.target_at:%Y-%m-%d %H:%M} UTC."
        link = _url(org, "pbc:detail", request_id=request.pk)
        key = f"request:{request.pk}:{request.target_at:%Y%m%d%H%M}"
        sent += bool(
            notify(
                org, Kind.REQUEST_OVERDUE, key, subject, body, [who] if who else admins(org), link
            )
        )
    return sent


# -- access reviews ---------------------------------------------------------------------


def reviews_due(org: Organization, today: date | None = None) -> int:
    """Alert the reviewers with undecided items (and the default reviewer) of each open
    campaign due within :data:`REVIEW_NOTICE_DAYS` or past due: once per due date."""
    from zgovern.reviews.models import Campaign, CampaignStatus, Decision

    today = today or timezone.localdate()
    rows = Campaign.objects.filter(
        organization=org, status=CampaignStatus.OPEN,
        due_date__lte=today + timedelta(days=REVIEW_NOTICE_DAYS),
    ).select_related("default_reviewer")  # fmt: skip
    sent = 0
    for campaign in rows.order_by("pk"):
        pending = campaign.items.filter(decision=Decision.PENDING).select_related("reviewer")
        people = {item.reviewer.pk: item.reviewer for item in pending}
        if campaign.default_reviewer is not None:
            people.setdefault(campaign.default_reviewer.pk, campaign.default_reviewer)
        subject = f"Access review due {campaign.due_date:%Y-%m-%d}: {campaign.title}"
        body = f"{subject}\n\n{pending.count()} account(s) still await a decision."
        link = _url(org, "reviews:detail", campaign_id=campaign.pk)
        key = f"review:{campaign.pk}:{campaign.due_date:%Y-%m-%d}"
        sent += bool(
            notify(
                org, Kind.REVIEW_DUE, key, subject, body, list(people.values()) or admins(org), link
            )
        )
    return sent


# -- policy acknowledgements ------------------------------------------------------------


def ack_windows_closed(org: Organization, today: date | None = None) -> int:
    """Alert each policy's owner (else the admins) about the people whose acknowledgement
    window closed in the last week without an acknowledgement: once per policy version
    and closing day."""
    from zgovern.policies.queries import matrix

    today = today or timezone.localdate()
    sent = 0
    for rate in matrix(org, today).rates:
        closed: dict[date, list[str]] = defaultdict(list)
        for person, standing in rate.exceptions:
            if standing.state == "overdue" and today - standing.due <= timedelta(
                days=ACK_LOOKBACK_DAYS
            ):
                closed[standing.due].append(person.full_name)
        policy = rate.published.policy
        for due, names in sorted(closed.items()):
            subject = (
                f"Acknowledgement window closed: {policy.title} ({len(names)} not acknowledged)"
            )
            body = f"{subject}\n\nWindow closed {due:%Y-%m-%d} for: " + ", ".join(sorted(names))
            link = _url(org, "policies:detail", policy_id=policy.pk)
            key = f"ack:{rate.published.base.pk}:{due:%Y-%m-%d}"
            owner = [policy.owner] if policy.owner else admins(org)
            sent += bool(notify(org, Kind.ACK_CLOSED, key, subject, body, owner, link))
    return sent


# -- findings ---------------------------------------------------------------------------


def new_findings(org: Organization, now=None) -> int:
    """Alert about open exceptions first seen recently: the remediation task's owner when
    the scan made one, else the admins; once per finding."""
    from zgovern.findings.models import Finding, FindingStatus
    from zgovern.findings.models import Kind as FindingKind

    now = now or timezone.now()
    rows = Finding.objects.filter(
        organization=org,
        kind=FindingKind.EXCEPTION,  # a summary restates its exceptions: not alerted twice
        status=FindingStatus.OPEN,
        first_seen_at__gte=now - FINDING_LOOKBACK,
    ).select_related("task__owner")
    sent = 0
    for finding in rows.order_by("pk"):
        owner = finding.task.owner if finding.task and finding.task.owner else None
        subject = f"New finding ({finding.severity}, {finding.category}): {finding.wording}"[:300]
        link = _url(org, "findings:detail", finding_id=finding.pk)
        recipients = [owner] if owner else admins(org)
        sent += bool(
            notify(
                org,
                Kind.FINDING,
                f"finding:{finding.pk}",
                subject,
                finding.wording,
                recipients,
                link,
            )
        )
    return sent


def sweep(org: Organization, now=None) -> dict[str, int]:
    """Every periodic source for ``org``; how many events each alerted."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    # One transaction per source: its alerts are written in one commit and handed to
    # delivery together when it commits.
    found = {}
    for kind, source, when in (
        ("task_overdue", overdue_tasks, today),
        ("request_overdue", overdue_requests, now),
        ("review_due", reviews_due, today),
        ("ack_closed", ack_windows_closed, today),
        ("finding", new_findings, now),
    ):
        with transaction.atomic():
            found[kind] = source(org, when)
    return found
