"""The weekly summary for owners and admins, and the digest's failure handling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from zgovern.alerts import digest, services
from zgovern.alerts.models import Alert, AlertStatus, Kind, SummarySent
from zgovern.alerts.tests.conftest import SYSTEM, user_actor
from zgovern.controls.models import RemediationTask
from zgovern.frameworks import services as frameworks
from zgovern.readiness.tests.conftest import seed_history


@pytest.fixture
def soc2(in_a):
    frameworks.adopt_framework(in_a, SYSTEM, frameworks.builtin("soc2"))
    return in_a


def test_weekly_summary_reports_readiness_and_what_is_due(soc2, alice, bob):
    today = timezone.localdate()
    seed_history(soc2, [0.40] * 7 + [0.55] * 7, today)
    RemediationTask.objects.create(
        organization=soc2, title="Turn on MFA", target_date=today + timedelta(days=3)
    )
    RemediationTask.objects.create(
        organization=soc2, title="Later work", target_date=today + timedelta(days=30)
    )
    assert digest.send_summaries() == 1  # alice (owner); bob is an auditor
    assert digest.send_summaries() == 0  # once per week
    message = mail.outbox[0]
    assert message.to == [alice.email]
    assert "40% -> 55%" in message.body
    assert "Turn on MFA" in message.body and "Later work" not in message.body
    assert SummarySent.objects.count() == 1


def test_weekly_summary_can_be_turned_off(in_a, alice):
    services.update_settings(in_a, SYSTEM, weekly_summary=False)
    assert digest.send_summaries() == 0 and mail.outbox == []


def test_a_failed_digest_keeps_the_alerts_for_the_next_one(in_a, alice, settings):
    services.set_modes(in_a, user_actor(alice), {Kind.CHECK_FAILED: "digest"})
    services.notify(in_a, Kind.CHECK_FAILED, "a", "Subject a", "", [alice])
    settings.EMAIL_BACKEND = "zgovern.alerts.tests.test_digest.BrokenBackend"
    assert digest.send_digests() == 0
    assert Alert.objects.get().status == AlertStatus.QUEUED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digest.send_digests() == 1
    assert Alert.objects.get().status == AlertStatus.SENT


class BrokenBackend:
    """An email backend whose server is down."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")
