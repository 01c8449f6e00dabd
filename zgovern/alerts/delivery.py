"""Sending alerts: claim, send, record.

Rows are claimed by one conditional UPDATE (``pending`` -> ``sending``, stamped with the
worker's token), so two workers handed the same ids send each once. Email goes through
Django's mail; the webhook gets a Slack-compatible ``{"text": ...}`` POST. A failure is
recorded on its own row and never raised: a dead webhook does not stop the emails of the
same event. A claim left behind by a crashed worker is released after
:data:`STALE_CLAIM` and tried again.
"""

from __future__ import annotations

import logging
import uuid
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
CHUNK = 500  # alerts claimed per UPDATE


def claim(alert_ids: Iterable[int], now=None) -> str:
    """Take the pending rows among ``alert_ids`` for sending in one conditional UPDATE;
    returns the token that marks the rows this worker got (none when others had them)."""
    token = uuid.uuid4().hex
    with scopes_disabled():
        Alert.objects.filter(pk__in=list(alert_ids), status=AlertStatus.PENDING).update(
            status=AlertStatus.SENDING,
            claim_token=token,
            claimed_at=now or timezone.now(),
            attempts=F("attempts") + 1,
        )
    return token


def deliver(alert_ids: Iterable[int], *, transport: httpx.BaseTransport | None = None) -> int:
    """Send each pending alert among ``alert_ids`` this worker can claim; how many sent."""
    ids = sorted(set(alert_ids))
    sent = 0
    for start in range(0, len(ids), CHUNK):
        sent += _deliver_chunk(ids[start : start + CHUNK], transport)
    return sent


def _deliver_chunk(ids: list[int], transport: httpx.BaseTransport | None) -> int:
    token = claim(ids)
    with scopes_disabled():
        rows = list(
            Alert.objects.filter(claim_token=token, status=AlertStatus.SENDING)
            .select_related("organization", "recipient")
            .order_by("pk")
        )
    done: list[int] = []
    for alert in rows:
        with organization_scope(alert.organization):
            error = _send(alert, transport)
        if error:
            _failed(alert, token, error)
        else:
            done.append(alert.pk)
    with scopes_disabled():
        Alert.objects.filter(pk__in=done, claim_token=token, status=AlertStatus.SENDING).update(
            status=AlertStatus.SENT, sent_at=timezone.now(), error=""
        )
    return len(done)


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
    """Slack's message text: ``&``, ``<`` and ``>`` escaped, since a subject carries names
    from outside (a resource, a vendor) and ``<!channel>`` in one would notify everyone;
    the link in Slack's ``<url>`` form."""
    link = f" <{slack_escape(absolute(alert.link))}>" if alert.link else ""
    return f"{slack_escape(alert.subject)}{link}"


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _email_body(alert: Alert) -> str:
    lines = [alert.body or alert.subject]
    if alert.link:
        lines += ["", absolute(alert.link)]
    return "\n".join(lines)


def absolute(link: str) -> str:
    return link if link.startswith(("http://", "https://")) else settings.BASE_URL + link


def _failed(alert: Alert, token: str, error: str) -> None:
    with scopes_disabled():
        Alert.objects.filter(pk=alert.pk, claim_token=token, status=AlertStatus.SENDING).update(
            status=AlertStatus.FAILED, error=error
        )


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
