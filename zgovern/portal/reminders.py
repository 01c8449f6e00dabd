"""Reminder emails: to each person with policies to acknowledge or overdue training, and a
digest of who is behind to each owner and admin.

- A published version a person still has to acknowledge is announced to them once
  (:func:`announce_version` at publication, or the next :func:`send_reminders`).
- After that, a person is reminded of everything still open at most once per
  ``INTERVAL``; owners and admins get the digest at most once per ``INTERVAL`` too.

Each email is recorded as a :class:`~zgovern.portal.models.Reminder` (unique per kind,
recipient and key) in the same transaction as it is sent, so a retried or concurrent run
never sends it twice, and a failed send leaves nothing recorded (it is tried next time).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from zgovern.people.models import Person
from zgovern.policies import queries as policies
from zgovern.policies.models import PolicyVersion
from zgovern.portal.models import Reminder, ReminderKind
from zgovern.tenancy.models import Membership, Organization
from zgovern.tenancy.roles import Role
from zgovern.training import queries as training
from zgovern.training.queries import StatusRow
from zgovern.training.schedule import OVERDUE

logger = logging.getLogger(__name__)
INTERVAL = timedelta(days=7)
DIGEST_NAMES = 50  # people named in a digest; the rest are counted


@dataclass
class Behind:
    """What one person still has to do."""

    person: Person
    versions: list[PolicyVersion] = field(default_factory=list)
    training: list[StatusRow] = field(default_factory=list)


@dataclass
class Sent:
    announced: int = 0
    reminded: int = 0
    digests: int = 0


def behind(org: Organization) -> dict[int, Behind]:
    """Person id -> their pending acknowledgements and overdue training."""
    found: dict[int, Behind] = {}
    grid = policies.matrix(org)
    for person, cells in grid.rows:
        for column, cell in zip(grid.columns, cells, strict=True):
            if cell is not None and not cell.done:
                found.setdefault(person.pk, Behind(person)).versions.append(column.current)
    for row in training.statuses(org, timezone.localdate(), status=OVERDUE):
        found.setdefault(row.person.pk, Behind(row.person)).training.append(row)
    return found


def send_reminders(org: Organization, now: datetime | None = None) -> Sent:
    """Announce new versions, remind people due a reminder, and send the admin digest."""
    now = now or timezone.now()
    sent = Sent()
    people = behind(org)
    last = _last_sent(org)
    told = set(
        Reminder.objects.filter(organization=org, kind=ReminderKind.PUBLISHED).values_list(
            "recipient", "key"
        )
    )
    for item in people.values():
        email = item.person.work_email
        new = [v for v in item.versions if (email, f"version:{v.pk}") not in told]
        if new:
            sent.announced += _announce(org, item, new, now)
        elif last.get(email) is None or now - last[email] >= INTERVAL:
            sent.reminded += _remind(org, item, now)
    if people:
        sent.digests = _digests(org, list(people.values()), now)
    return sent


def announce_version(org: Organization, version_id: int) -> int:
    """Tell everyone who still has to acknowledge this published version (once each);
    for the policies module to call at publication. Returns how many were told."""
    told = 0
    for item in behind(org).values():
        version = next((v for v in item.versions if v.pk == version_id), None)
        if version is not None and not _announced(org, item.person.work_email, version):
            told += _announce(org, item, [version], timezone.now())
    return told


def _announced(org: Organization, email: str, version: PolicyVersion) -> bool:
    return Reminder.objects.filter(
        organization=org, kind=ReminderKind.PUBLISHED, recipient=email, key=f"version:{version.pk}"
    ).exists()


def _last_sent(org: Organization) -> dict[str, datetime]:
    rows = Reminder.objects.filter(organization=org).exclude(kind=ReminderKind.DIGEST)
    last: dict[str, datetime] = {}
    for email, at in rows.values_list("recipient", "sent_at"):
        last[email] = max(at, last.get(email, at))
    return last


def _announce(org: Organization, item: Behind, new: list[PolicyVersion], now) -> int:
    titles = ", ".join(v.policy.title for v in new)
    subject = f"{org.name}: please read and acknowledge {titles}"
    keys = [f"version:{v.pk}" for v in new]
    return _send(org, ReminderKind.PUBLISHED, item.person, keys, subject, _body(org, item), now)


def _remind(org: Organization, item: Behind, now) -> int:
    subject = f"{org.name}: a reminder of your open tasks"
    key = f"day:{timezone.localdate(now).isoformat()}"
    return _send(org, ReminderKind.PENDING, item.person, [key], subject, _body(org, item), now)


def _send(org, kind: str, person: Person | None, keys, subject: str, body: str, now, to="") -> int:
    """Record the email under each key, then send it, in one transaction; 0 when it was
    recorded already (sent by someone else) or the send failed."""
    recipient = to or person.work_email
    try:
        with transaction.atomic():
            for key in keys:
                Reminder.objects.create(
                    organization=org, kind=kind, recipient=recipient, person=person, key=key,
                    sent_at=now, summary={"subject": subject[:200]},
                )  # fmt: skip
            send_mail(subject[:200], body, None, [recipient])
    except IntegrityError:
        return 0
    except Exception:  # a mail server's refusal: nothing recorded, tried again next run
        logger.exception("reminder to %s in organisation %s not sent", recipient, org.pk)
        return 0
    return 1


def _tasks_url(org: Organization) -> str:
    return settings.BASE_URL + reverse("core:my_tasks", kwargs={"org_slug": org.slug})


def _body(org: Organization, item: Behind) -> str:
    lines = [f"Hello {item.person.full_name},", "", f"You have open tasks in {org.name}:", ""]
    lines += [
        f"- Read and acknowledge: {v.policy.title} (version {v.number})" for v in item.versions
    ]
    lines += [
        f"- Complete the course {r.course.title} (was due {r.standing.due_on})"
        for r in item.training
    ]
    sign_in = settings.BASE_URL + reverse("signin:request")
    lines += [
        "",
        f"Open your tasks: {_tasks_url(org)}",
        f"No password? Get a sign-in link: {sign_in}",
    ]
    return "\n".join(lines) + "\n"


def _digests(org: Organization, people: list[Behind], now) -> int:
    admins = Membership.objects.filter(
        organization=org, role__in=(Role.OWNER, Role.ADMIN), user__is_active=True
    ).select_related("user")
    body = _digest_body(org, people)
    subject = f"{org.name}: {len(people)} people have open policy or training tasks"
    key = f"day:{timezone.localdate(now).isoformat()}"
    sent = 0
    for membership in admins:
        email = membership.user.email.lower()
        recent = Reminder.objects.filter(
            organization=org, kind=ReminderKind.DIGEST, recipient=email, sent_at__gt=now - INTERVAL
        )
        if not recent.exists():
            sent += _send(org, ReminderKind.DIGEST, None, [key], subject, body, now, to=email)
    return sent


def _digest_body(org: Organization, people: list[Behind]) -> str:
    per_policy: dict[str, int] = defaultdict(int)
    per_course: dict[str, int] = defaultdict(int)
    for item in people:
        for version in item.versions:
            per_policy[f"{version.policy.title} (version {version.number})"] += 1
        for row in item.training:
            per_course[row.course.title] += 1
    lines = [f"Open tasks in {org.name}:", "", "Acknowledgements pending:"]
    lines += [f"- {title}: {count}" for title, count in sorted(per_policy.items())] or ["- none"]
    lines += ["", "Training overdue:"]
    lines += [f"- {title}: {count}" for title, count in sorted(per_course.items())] or ["- none"]
    names = sorted(item.person.full_name for item in people)
    lines += ["", "People behind: " + ", ".join(names[:DIGEST_NAMES])]
    if len(names) > DIGEST_NAMES:
        lines[-1] += f" and {len(names) - DIGEST_NAMES} more"
    lines += [
        "",
        f"Details: {settings.BASE_URL}{reverse('core:dashboard', kwargs={'org_slug': org.slug})}",
    ]
    return "\n".join(lines) + "\n"
