"""Reminder emails: announced once per version, then at most one reminder per person per
interval, and the admins' digest; nothing recorded when a send fails."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.policies.tests.conftest import published_policy
from zgovern.portal import reminders, tasks
from zgovern.portal.models import Reminder
from zgovern.portal.tests.conftest import version_of
from zgovern.tenancy.scoping import organization_scope


def _send(org, now=None):
    with organization_scope(org):
        return reminders.send_reminders(org, now)


def _to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def test_announced_once_then_reminded_once_per_interval(org_a, cast):
    first = _send(org_a)
    assert (first.announced, first.reminded, first.digests) == (2, 0, 1)
    eric = _to("eric@a.example")
    assert len(eric) == 1 and "Acceptable Use Policy" in eric[0].subject
    assert "Code of Conduct" not in eric[0].body  # Pia's, not Eric's
    assert "/o/org-a/tasks/" in eric[0].body
    assert "Code of Conduct" in _to("pia@a.example")[0].body
    assert len(_to("alice@a.example")) == 1  # the owner's digest
    again = _send(org_a)  # the same day: nothing new
    assert (again.announced, again.reminded, again.digests) == (0, 0, 0)
    later = _send(org_a, timezone.now() + timedelta(days=3))
    assert (later.reminded, later.digests) == (0, 0)
    week = _send(org_a, timezone.now() + reminders.INTERVAL + timedelta(minutes=1))
    assert (week.reminded, week.digests) == (2, 1)
    assert len(_to("eric@a.example")) == 2
    with scopes_disabled():
        # One row per person and version: Pia was told of both of hers in one email.
        assert Reminder.objects.filter(organization=org_a, kind="published").count() == 3


def test_a_new_version_is_announced_at_publication_once(org_a, cast):
    _send(org_a)
    mail.outbox.clear()
    policy = published_policy(org_a, "encryption")
    version = version_of(policy)
    assert tasks.announce_version.call_local(org_a.pk, version.pk) == 2  # Eric and Pia
    assert tasks.announce_version.call_local(org_a.pk, version.pk) == 0
    assert len(mail.outbox) == 2
    assert _send(org_a).announced == 0  # already told


def test_publishing_announces_the_version_once_it_commits(
    org_a, cast, django_capture_on_commit_callbacks
):
    _send(org_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        published_policy(org_a, "encryption")
    assert sorted(m.to[0] for m in mail.outbox) == ["eric@a.example", "pia@a.example"]
    assert _send(org_a).announced == 0  # already told


def test_overdue_training_is_in_the_reminder(org_a, cast):
    mail.outbox.clear()
    _send(org_a)
    body = _to("eric@a.example")[0].body
    assert "Complete the course Security awareness training" in body


def test_a_failed_send_records_nothing_and_is_retried(org_a, cast, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(reminders, "send_mail", refuse)
    assert _send(org_a).announced == 0
    with scopes_disabled():
        assert not Reminder.objects.filter(organization=org_a).exists()
    monkeypatch.undo()
    assert _send(org_a).announced == 2


def test_the_periodic_task_covers_every_organisation(org_a, org_b, cast):
    tasks.enqueue_reminders.call_local()
    assert _to("eric@a.example")
