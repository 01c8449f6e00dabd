"""The daily digest of overdue requests to each audit's point of contact.

One email per audit and day at most: a :class:`~zgovern.pbc.models.DigestSent` row (unique
per audit and day) is written in the transaction that sends it, so a repeated or
concurrent run sends nothing more, and a failed send records nothing (tried next run).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.audits.models import Audit
from zgovern.pbc import queries
from zgovern.pbc.models import AuditRequest, DigestSent
from zgovern.tenancy.scoping import organization_scope

logger = logging.getLogger(__name__)
LISTED = 50  # requests named in one email; the rest are counted


def send_all(now=None) -> int:
    """Send today's digest for every audit with overdue requests and a point of contact;
    returns how many were sent."""
    now = now or timezone.now()
    with scopes_disabled():
        audit_ids = set(
            AuditRequest.objects.filter(queries.overdue_q(now)).values_list("audit_id", flat=True)
        )
        audits = list(
            Audit.objects.filter(pk__in=audit_ids, point_of_contact__isnull=False)
            .select_related("organization", "point_of_contact")
            .order_by("pk")
        )
    sent = 0
    for audit in audits:
        with organization_scope(audit.organization):
            sent += send_for(audit, now)
    return sent


def send_for(audit: Audit, now=None) -> int:
    """Today's digest for one audit (0 when sent already today or nothing is overdue)."""
    now = now or timezone.now()
    org, contact = audit.organization, audit.point_of_contact
    day = timezone.localdate(now)
    if contact is None or DigestSent.objects.filter(audit=audit, day=day).exists():
        return 0
    late = list(
        AuditRequest.objects.filter(organization=org, audit=audit)
        .filter(queries.overdue_q(now))
        .select_related("assignee")
        .order_by("target_at", "reference")
    )
    if not late:
        return 0
    subject, body = _message(audit, late, now)
    try:
        with transaction.atomic():
            DigestSent.objects.create(
                organization=org,
                audit=audit,
                day=day,
                recipient=contact.email,
                late=len(late),
                sent_at=now,
            )
            send_mail(subject, body, None, [contact.email])
    except IntegrityError:
        return 0
    except Exception:  # the mail server refused: nothing recorded, tried again next run
        logger.exception("late-request digest of audit %s not sent", audit.pk)
        return 0
    return 1


def _message(audit: Audit, late: list[AuditRequest], now) -> tuple[str, str]:
    noun = "request is" if len(late) == 1 else "requests are"
    subject = f"{len(late)} audit {noun} late: {audit.name}"[:200]
    lines = [
        f"These requests of the audit “{audit.name}” are past their response target:",
        "",
    ]
    for req in late[:LISTED]:
        hours = int((now - req.target_at).total_seconds() // 3600)
        who = req.assignee.email if req.assignee else "nobody assigned"
        lines.append(f"- {req.reference} {req.title} ({who}; {hours} h past the target)")
    if len(late) > LISTED:
        lines.append(f"…and {len(late) - LISTED} more.")
    url = settings.BASE_URL + reverse(
        "pbc:index", kwargs={"org_slug": audit.organization.slug, "audit_id": audit.pk}
    )
    lines += ["", f"See them all: {url}?timeliness=overdue"]
    return subject, "\n".join(lines)
