"""Demo change records of Acme Cloud: six pull requests merged over the last weeks, one
merged without any approval and one approved only by its author, so the list shows what
an auditor's sample would flag. Recorded through the service like a sync would (no call
to GitHub), once: a second load changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zgovern.changes.models import ChangeRecord
from zgovern.changes.services import ChangeInput, record_changes

SOURCE = "demo"
# repository, number, title, author, approvers, days ago, checks passed
CHANGES = (
    ("acme/api", 412, "Rotate the session signing key", "maria-acme", ("raj-acme",), 2, True),
    ("acme/api", 411, "Hotfix: raise the upload limit", "eric-acme", (), 4, False),
    ("acme/api", 409, "Bump the ORM to the next patch release", "adam-acme", ("adam-acme",),
     6, None),
    ("acme/web", 88, "Cookie banner copy", "sofia-acme", ("maria-acme",), 9, True),
    ("acme/web", 87, "Fix the pricing page layout", "eric-acme", ("maria-acme", "raj-acme"),
     12, True),
    ("acme/infra", 31, "Tighten the database security group", "nina-acme", ("adam-acme",),
     20, True),
)  # fmt: skip


def load(context) -> None:
    org = context.organization
    if ChangeRecord.objects.filter(organization=org, source=SOURCE).exists():
        return
    now = timezone.now().replace(second=0, microsecond=0)
    inputs = [
        ChangeInput(
            repository=repo,
            number=number,
            title=title,
            author=author,
            approvers=approvers,
            merged_at=now - timedelta(days=days, hours=number % 7),
            url=f"https://github.com/{repo}/pull/{number}",
            merged_by=author,
            checks_passed=checks,
        )
        for repo, number, title, author, approvers, days, checks in CHANGES
    ]
    record_changes(org, context.actor, inputs, source=SOURCE)
