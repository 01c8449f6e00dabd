"""Demo request list and exception on the demo audit: three requests (one answered with
evidence the suggestions proposed, one left late, one open) and one exception with
management's response. Each is made once, found by its reference or description."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zgovern.audits.models import Audit
from zgovern.controls.models import Control
from zgovern.evidence.models import EvidenceItem
from zgovern.pbc import services, suggest
from zgovern.pbc.models import AuditException, AuditRequest
from zgovern.tenancy.roles import Role

REQUESTS = (
    (
        "PBC-001",
        "Quarterly user access reviews",
        "The access reviews of production systems performed during the period.",
        ["CC6.2", "CC6.3"],
    ),
    (
        "PBC-002",
        "Security incident log",
        "A list of all security incidents of the period with their resolution.",
        ["CC7.3"],
    ),
    (
        "PBC-003",
        "Change approvals",
        "Approval records for a sample of production changes.",
        ["CC8.1"],
    ),
)
EXCEPTION = "One of four quarterly access reviews was completed 12 days after its due date."


def load(context) -> None:
    org, actor = context.organization, context.actor
    audit = Audit.objects.filter(organization=org).order_by("pk").first()
    if audit is None:
        return
    assignee = context.users.get(Role.MEMBER) or context.users.get(Role.OWNER)
    for reference, title, description, criteria in REQUESTS:
        if AuditRequest.objects.filter(audit=audit, reference=reference).exists():
            continue
        data = {
            "reference": reference,
            "title": title,
            "description": description,
            "criteria": criteria,
            "origin": "auditor",
            "assignee_email": assignee.email if assignee else None,
        }
        req = services.create_request(org, actor, audit.pk, data)
        if reference == "PBC-001":
            _answer(org, actor, req)
        elif reference == "PBC-002":
            _make_late(req)
    _exception(org, actor, audit)


def _answer(org, actor, req: AuditRequest) -> None:
    proposals = suggest.suggest(org, req, limit=1)
    item = (
        proposals[0].evidence
        if proposals
        else EvidenceItem.objects.filter(organization=org).first()
    )
    ids = [item.pk] if item else []
    services.answer_request(
        org, actor, req.pk, "The access reviews of the period are attached.", ids
    )


def _make_late(req: AuditRequest) -> None:
    """Made three days ago and never answered: past its 48-hour target."""
    made = timezone.now() - timedelta(days=3)
    AuditRequest.objects.filter(pk=req.pk).update(
        created_at=made,
        clock_started_at=made,
        target_at=made + timedelta(hours=48),
        due_date=timezone.localdate(made) + timedelta(days=2),
    )


def _exception(org, actor, audit: Audit) -> None:
    if AuditException.objects.filter(audit=audit, description=EXCEPTION).exists():
        return
    control = (
        Control.objects.filter(organization=org, key="access-reviews-quarterly").first()
        or Control.objects.filter(organization=org).order_by("key").first()
    )
    if control is None:
        return
    today = timezone.localdate()
    start = audit.period_start or today - timedelta(days=180)
    exc = services.record_exception(
        org,
        actor,
        audit.pk,
        {
            "control": control.key,
            "description": EXCEPTION,
            "severity": "medium",
            "period_from": start + timedelta(days=90),
            "period_to": start + timedelta(days=102),
        },
    )
    item = EvidenceItem.objects.filter(organization=org).first()
    services.respond(
        org,
        actor,
        exc.pk,
        {
            "kind": "remediated",
            "remediated_on": min(today, start + timedelta(days=110)),
            "text": "The review calendar now sends reminders two weeks ahead; every later "
            "review was on time.",
            "evidence_ids": [item.pk] if item else [],
        },
    )
