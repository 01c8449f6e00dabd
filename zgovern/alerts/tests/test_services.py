"""notify, preferences, the webhook setting, delivery and the digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from zgovern.alerts import delivery, digest, services
from zgovern.alerts.models import Alert, AlertSettings, AlertStatus, Kind, Preference
from zgovern.alerts.tests.conftest import HOOK, SYSTEM, Hook, user_actor
from zgovern.core.errors import DomainError
from zgovern.tenancy.models import ActivityLog


def _notify(org, users, key="e1", kind=Kind.CHECK_FAILED, group="", now=None):
    return services.notify(
        org, kind, key, f"Subject {key}", "Body", users, "/x/", group=group, now=now
    )


def test_notify_writes_one_row_per_member_and_never_twice(in_a, alice, charlie):
    ids = _notify(in_a, [alice, charlie, alice])  # charlie is not a member of org A
    assert len(ids) == 1
    assert Alert.objects.get(pk=ids[0]).destination == alice.email
    assert _notify(in_a, [alice]) == []  # the same event again
    assert Alert.objects.count() == 1


def test_immediate_alert_is_delivered_once(in_a, alice):
    ids = _notify(in_a, [alice])
    assert delivery.deliver(ids) == 1
    assert delivery.deliver(ids) == 0  # claimed and sent already
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [alice.email]
    assert "Subject e1" in mail.outbox[0].subject
    assert Alert.objects.get().status == AlertStatus.SENT


def test_off_is_respected_and_digest_queues(in_a, alice):
    services.set_modes(in_a, user_actor(alice), {Kind.CHECK_FAILED: "off", Kind.FINDING: "digest"})
    assert _notify(in_a, [alice]) == []
    ids = _notify(in_a, [alice], key="f1", kind=Kind.FINDING)
    assert Alert.objects.get(pk=ids[0]).status == AlertStatus.QUEUED
    assert delivery.deliver(ids) == 0 and mail.outbox == []


def test_defaults_immediate_for_checks_and_tasks_digest_for_the_rest(in_a, alice):
    modes = services.modes_for(in_a, alice)
    assert modes[Kind.CHECK_FAILED] == modes[Kind.TASK_OVERDUE] == "immediate"
    assert {modes[k] for k in (Kind.FINDING, Kind.REVIEW_DUE, Kind.ACK_CLOSED)} == {"digest"}


def test_bad_preference_names_the_kind_and_saves_nothing(in_a, alice):
    with pytest.raises(DomainError) as err:
        services.set_modes(
            in_a, user_actor(alice), {Kind.FINDING: "off", Kind.CHECK_FAILED: "loud"}
        )
    assert err.value.field == Kind.CHECK_FAILED
    assert Preference.objects.count() == 0


def test_flapping_within_the_window_alerts_once(in_a, alice):
    now = timezone.now()
    group = "check:c1:7"
    assert _notify(in_a, [alice], key="t1", group=group, now=now)
    assert _notify(in_a, [alice], key="t2", group=group, now=now + timedelta(minutes=20)) == []
    assert _notify(in_a, [alice], key="t3", group=group, now=now + timedelta(minutes=61))
    assert Alert.objects.count() == 2


def test_rate_limit_window_is_configurable(in_a, alice):
    services.update_settings(in_a, SYSTEM, rate_limit_minutes=10)
    now = timezone.now()
    assert _notify(in_a, [alice], key="t1", group="g", now=now)
    assert _notify(in_a, [alice], key="t2", group="g", now=now + timedelta(minutes=11))


def test_webhook_failure_is_recorded_and_email_still_sent(in_a, alice):
    services.update_settings(in_a, SYSTEM, webhook_url=HOOK)
    hook = Hook(status=500)
    ids = _notify(in_a, [alice])
    assert delivery.deliver(ids, transport=hook.transport()) == 1
    assert len(mail.outbox) == 1
    failed = Alert.objects.get(channel="webhook")
    assert failed.status == AlertStatus.FAILED and "500" in failed.error
    assert len(hook.bodies) == 1


def test_webhook_posts_slack_text(in_a, alice):
    services.update_settings(in_a, SYSTEM, webhook_url=HOOK)
    hook = Hook()
    delivery.deliver(_notify(in_a, [alice]), transport=hook.transport())
    assert len(hook.bodies) == 1 and hook.bodies[0]["text"].startswith("Subject e1 <http")
    assert hook.bodies[0]["text"].endswith("/x/>")
    assert Alert.objects.filter(status=AlertStatus.SENT).count() == 2


def test_webhook_text_cannot_mention_the_channel(in_a, alice):
    services.update_settings(in_a, SYSTEM, webhook_url=HOOK)
    hook = Hook()
    ids = services.notify(
        in_a, Kind.CHECK_FAILED, "e9", "<!channel> bucket a&b failed", "", [alice], "/x/?a=1&b=2"
    )
    delivery.deliver(ids, transport=hook.transport())
    text = hook.bodies[0]["text"]
    assert text.startswith("&lt;!channel&gt; bucket a&amp;b failed <")
    assert text.endswith("/x/?a=1&amp;b=2>") and "<!" not in text


def test_webhook_url_is_stored_encrypted_and_shown_by_host_only(in_a):
    row = services.update_settings(in_a, SYSTEM, webhook_url=HOOK)
    assert row.webhook_host == "hooks.example.com"
    assert "secretpart" not in row.webhook_ciphertext
    assert services.webhook_url(in_a) == HOOK
    log = ActivityLog.objects.filter(action="alerts.settings_changed").get()
    assert "secretpart" not in str(log.changes)
    services.update_settings(in_a, SYSTEM, rate_limit_minutes=5)  # the URL stays
    assert services.webhook_url(in_a) == HOOK


@pytest.mark.parametrize(
    "url", ["http://hooks.example.com/x", "hooks.example.com", "https://", "https://a b/"]
)
def test_bad_webhook_url_is_refused(in_a, url):
    with pytest.raises(DomainError) as err:
        services.update_settings(in_a, SYSTEM, webhook_url=url)
    assert err.value.field == "webhook_url"
    assert AlertSettings.objects.count() == 0


def test_digest_collects_and_sends_once(in_a, alice):
    services.set_modes(in_a, user_actor(alice), {Kind.CHECK_FAILED: "digest"})
    _notify(in_a, [alice], key="a")
    _notify(in_a, [alice], key="b", kind=Kind.FINDING)
    assert digest.send_digests() == 1
    assert digest.send_digests() == 0
    assert len(mail.outbox) == 1
    assert "Subject a" in mail.outbox[0].body and "Subject b" in mail.outbox[0].body
    assert set(Alert.objects.values_list("status", flat=True)) == {AlertStatus.SENT}


def test_stale_claims_are_released_for_retry(in_a, alice):
    ids = _notify(in_a, [alice])
    delivery.claim(ids)
    later = timezone.now() + timedelta(minutes=20)
    assert delivery.retry_ids(later) == ids
    assert delivery.deliver(ids) == 1


def test_a_second_claim_of_the_same_ids_gets_nothing(in_a, alice):
    ids = _notify(in_a, [alice])
    first, second = delivery.claim(ids), delivery.claim(ids)
    assert Alert.objects.filter(claim_token=first).count() == 1
    assert not Alert.objects.filter(claim_token=second).exists()


def test_a_subject_with_newlines_is_sent_on_one_line(in_a, alice):
    ids = services.notify(in_a, Kind.FINDING, "n1", "Bucket\r\nBcc: x@evil.example", "", [alice])
    assert Alert.objects.get(pk=ids[0]).subject == "Bucket Bcc: x@evil.example"
