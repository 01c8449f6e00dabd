"""Demo records of the evidence app: a signed policy (a small PDF), a link to an access
review ticket, and a backup-restore test record. Each is added once, found by its title."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zgovern.evidence import services
from zgovern.evidence.models import EvidenceItem

POLICY_TITLE = "Information security policy, signed by the CEO"
REVIEW_TITLE = "Quarterly access review ticket"
RESTORE_TITLE = "Backup restore test"

# The smallest document a PDF reader opens: one empty page.
POLICY_PDF = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""


def load(context) -> None:
    org, actor = context.organization, context.actor
    existing = set(
        EvidenceItem.objects.filter(
            organization=org, title__in=[POLICY_TITLE, REVIEW_TITLE, RESTORE_TITLE]
        ).values_list("title", flat=True)
    )
    today = timezone.now().date()
    quarter = {"period_start": today - timedelta(days=90), "period_end": today}
    if POLICY_TITLE not in existing:
        services.add_file(
            org,
            actor,
            kind="policy_approval",
            title=POLICY_TITLE,
            description="Approved at the board meeting; signatures on the last page.",
            uploaded_file=SimpleUploadedFile("information-security-policy.pdf", POLICY_PDF),
        )
    if REVIEW_TITLE not in existing:
        services.add_link(
            org,
            actor,
            kind="access_review",
            title=REVIEW_TITLE,
            url="https://tickets.acme.example/browse/SEC-142",
            **quarter,
        )
    if RESTORE_TITLE not in existing:
        services.add_record(
            org,
            actor,
            kind="backup_restore_test",
            title=RESTORE_TITLE,
            record={"database": "orders-prod", "restored_rows": 1843021, "minutes": 23},
            tags=["backup"],
            **quarter,
        )
