"""The audit bundle's vendors: the inventory as of the end of the period (flags judged on
its last day), the assessments concluded in the period, and the compliance documents
valid at some time during it with their expiry."""

from __future__ import annotations

from django.utils import timezone

from zgovern.audits.builder import BundleContext
from zgovern.vendors import exports
from zgovern.vendors.models import Assessment, Vendor, VendorDocument

SECTION = "vendors"
ASSESSMENT_HEADER = ["assessment", "vendor", "questionnaire", "status", "sent to", "sent at",
                     "submitted at", "submitted by", "conclusion", "review notes",
                     "reviewed by", "assessed at", "next review due", "evidence id"]  # fmt: skip
DOCUMENT_HEADER = ["document", "vendor", "kind", "title", "covers from", "covers until",
                   "expires on", "expired at period end", "evidence id", "sha256"]  # fmt: skip


def write(ctx: BundleContext) -> None:
    start, end = ctx.bounds()
    as_of = min(ctx.end, timezone.localdate())
    inventory = Vendor.objects.filter(organization=ctx.org, created_at__lt=end).order_by(
        "name", "pk"
    )
    ctx.add_csv("vendors/inventory.csv", exports.HEADER, exports.rows(inventory, as_of),
                "Vendor inventory", SECTION)  # fmt: skip
    assessments = (
        Assessment.objects.filter(organization=ctx.org, assessed_at__gte=start, assessed_at__lt=end)
        .select_related("vendor", "reviewed_by")
        .order_by("assessed_at", "pk")
    )
    ctx.add_table("vendors/assessments", ASSESSMENT_HEADER,
                  [_assessment_row(a) for a in assessments],
                  "Vendor assessments in the period", SECTION)  # fmt: skip
    documents = (
        VendorDocument.objects.filter(
            organization=ctx.org, created_at__lt=end, expires_on__gte=ctx.start
        )
        .select_related("vendor", "evidence")
        .order_by("vendor__name", "kind", "expires_on", "pk")
    )
    ctx.add_table("vendors/documents", DOCUMENT_HEADER,
                  [_document_row(d, ctx) for d in documents],
                  "Vendor compliance documents", SECTION)  # fmt: skip


def _assessment_row(a: Assessment) -> list:
    return [
        a.pk, a.vendor.name, a.questionnaire_title, a.status, a.sent_to, a.sent_at,
        a.submitted_at, a.submitted_by, a.get_conclusion_display() if a.conclusion else "",
        a.review_notes, a.reviewed_by.email if a.reviewed_by else "", a.assessed_at,
        a.next_review_due, a.evidence_id,
    ]  # fmt: skip


def _document_row(d: VendorDocument, ctx: BundleContext) -> list:
    return [
        d.pk, d.vendor.name, d.get_kind_display(), d.title, d.period_start, d.period_end,
        d.expires_on, "yes" if d.expires_on < ctx.end else "no", d.evidence_id,
        d.evidence.sha256,
    ]  # fmt: skip
