"""Sending alerts: claim, send, record.

A row is claimed by a conditional UPDATE (``pending`` -> ``sending``), so two workers
handed the same ids send it once. Email goes through Django's mail; the webhook gets a
Slack-compatible ``{"text": ...}`` POST. A failure is recorded on its own row and never
raised: a dead webhook does not stop the emails of the same event. A claim left behind
by a crashed worker is released after :data:`STALE_CLAIM` and tried again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

import httpx
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.alerts import services
from zgovern.alerts.models import Alert, AlertStatus, Channel
from zgovern.tenancy.scoping import organization_scope

logger = logging.getLogger(__name__)
WEBHOOK_TIMEOUT = 10.0
STALE_CLAIM = timedelta(minutes=15)
MAX_ATTEMPTS = 5
ERROR_MAX = 500


def claim(alert_id: int, now=None) -> bool:
    """Take the row for sending; False when another worker has it or it is done."""
    with scopes_disabled():
        taken = Alert.objects.filter(pk=alert_id, status=AlertStatus.PENDING).update(
            status=AlertStatus.SENDING, claimed_at=now or timezone.now(), attempts=F("attempts") + 1
        )
    return taken == 1


def deliver(alert_ids: Iterable[int], *, transport: httpx.BaseTransport | None = None) -> int:
    """Send each pending alert among ``alert_ids`` this worker can claim; how many sent."""
    sent = 0
    for alert_id in sorted(set(alert_ids)):
        if not claim(alert_id):
            continue
        with scopes_disabled():
            alert = Alert.objects.select_related("organization", "recipient").get(pk=alert_id)
        with organization_scope(alert.organization):
            error = _send(alert, transport)
        _finish(alert, error)
        sent += error == ""
    return sent


def _send(alert: Alert, transport: httpx.BaseTransport | None) -> str:
    """Send one alert; '' on success, else what went wrong."""
    try:
        if alert.channel == Channel.WEBHOOK:
            return _post(services.webhook_url(alert.organization), _text(alert), transport)
        send_mail(alert.subject, _email_body(alert), None, [alert.destination])
        return ""
    except Exception as exc:  # recorded on the row, never raised into callers
        logger.warning("alert %s not sent: %s", alert.pk, exc)
        return f"{type(exc).__name__}: {exc}"[:ERROR_MAX]


def _post(url: str, text: str, transport: httpx.BaseTransport | None) -> str:
    if not url:
        return "The webhook was removed before this alert was sent."
    with httpx.Client(transport=transport, timeout=WEBHOOK_TIMEOUT) as client:
        response = client.post(url, json={"text": text})
    if response.status_code >= 300:
        return f"The webhook answered HTTP {response.status_code}."
    return ""


def _text(alert: Alert) -> str:
    link = f" {absolute(alert.link)}" if alert.link else ""
    return f"{alert.subject}{link}"


def _email_body(alert: Alert) -> str:
    lines = [alert.body or alert.subject]
    if alert.link:
        lines += ["", absolute(alert.link)]
    return "\n".join(lines)


def absolute(link: str) -> str:
    return link if link.startswith(("http://", "https://")) else settings.BASE_URL + link


def _finish(alert: Alert, error: str) -> None:
    now = timezone.now()
    with scopes_disabled():
        rows = Alert.objects.filter(pk=alert.pk, status=AlertStatus.SENDING)
        if error:
            rows.update(status=AlertStatus.FAILED, error=error)
        else:
            rows.update(status=AlertStatus.SENT, sent_at=now, error="")


def retry_ids(now=None) -> list[int]:
    """Release stale claims, then the pending rows to (re)send: those left behind by a
    lost queue message, and failed ones with attempts left (put back to pending)."""
    now = now or timezone.now()
    with scopes_disabled():
        Alert.objects.filter(status=AlertStatus.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
            status=AlertStatus.PENDING
        )
        Alert.objects.filter(
            status=AlertStatus.FAILED,
            attempts__lt=MAX_ATTEMPTS,
            claimed_at__lt=now - timedelta(minutes=5),
        ).update(status=AlertStatus.PENDING)
        rows = Alert.objects.filter(
            status=AlertStatus.PENDING, created_at__lt=now - timedelta(minutes=1)
        )
        return list(rows.order_by("pk").values_list("pk", flat=True)[:1000])
