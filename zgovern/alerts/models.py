"""Alerts: what each user chose to hear about, the organisation's webhook, and every
alert sent (or queued for a digest).

An :class:`Alert` is one message to one destination (a user's email, or the
organisation's webhook) about one event. ``key`` names the event (a check's transition,
a task's overdue day…) and is unique per destination, so a repeated detection never
writes a second row; ``group`` names the subject (a check on a resource) for rate
limiting, whose window an :class:`AlertGroup` row holds. Delivery claims a row with a
conditional UPDATE, so it is sent at most once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import TenantModel

WEBHOOK = "webhook"  # the destination of the organisation's webhook rows


class Kind(models.TextChoices):
    CHECK_FAILED = "check_failed", "A check newly fails"
    FINDING = "finding", "A pre-audit finding appears"
    TASK_OVERDUE = "task_overdue", "A remediation task becomes overdue"
    REQUEST_OVERDUE = "request_overdue", "An audit request becomes overdue"
    REVIEW_DUE = "review_due", "An access review campaign is due"
    ACK_CLOSED = "ack_closed", "A policy acknowledgement window closes"


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately"
    DIGEST = "digest", "In the daily digest"
    OFF = "off", "Off"


DEFAULT_MODES = {
    Kind.CHECK_FAILED: Mode.IMMEDIATE,
    Kind.TASK_OVERDUE: Mode.IMMEDIATE,
    Kind.FINDING: Mode.DIGEST,
    Kind.REQUEST_OVERDUE: Mode.DIGEST,
    Kind.REVIEW_DUE: Mode.DIGEST,
    Kind.ACK_CLOSED: Mode.DIGEST,
}


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class AlertStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    QUEUED = "queued", "Waiting for the daily digest"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Preference(TenantModel):
    """A user's choice for one kind; a kind without a row uses :data:`DEFAULT_MODES`."""

    url_param = ""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    mode = models.CharField(max_length=12, choices=Mode.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "kind"], name="alert_pref_per_kind"
            )
        ]


class AlertSettings(TenantModel):
    """The organisation's webhook (stored encrypted; only its host is ever shown) and the
    rate-limit window of check alerts."""

    url_param = ""

    webhook_ciphertext = models.TextField(blank=True)
    webhook_host = models.CharField(max_length=255, blank=True)
    rate_limit_minutes = models.PositiveIntegerField(default=60)
    weekly_summary = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="alert_settings_per_org")
        ]


class Alert(TenantModel):
    url_param = "alert_id"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    key = models.CharField(max_length=300)
    group = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    destination = models.CharField(max_length=254)  # the email address, or "webhook"
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=12, choices=AlertStatus.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    batch = models.CharField(max_length=32, blank=True)  # the digest that carried it
    claim_token = models.CharField(max_length=32, blank=True)  # the delivery that took it
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key", "destination"], name="alert_once_per_destination"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "group", "created_at"], name="alert_group"),
            models.Index(fields=["status", "recipient"], name="alert_status"),
            models.Index(fields=["organization", "created_at"], name="alert_recent"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class AlertGroup(TenantModel):
    """The rate-limit window of one ``group`` (a check on a resource): when its last alert
    was written. ``notify`` takes the window with a conditional UPDATE of this row, so of
    two workers alerting about the same group at once exactly one writes alerts."""

    url_param = ""

    group = models.CharField(max_length=300)
    last_sent_at = models.DateTimeField(null=True, blank=True)  # None: never alerted

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "group"], name="alert_group_once")
        ]

    def __str__(self) -> str:
        return self.group


class SummarySent(TenantModel):
    """One weekly summary per organisation, week and admin: written with the send."""

    url_param = ""

    week = models.DateField()  # the Monday of the week summarised
    recipient = models.EmailField(max_length=254)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "week", "recipient"], name="summary_once_per_week"
            )
        ]
