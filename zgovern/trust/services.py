"""Trust Center writes: the settings, the report file, prospects' requests, decisions,
NDA acceptance and each watermarked download.

Every function validates first, writes inside one transaction and records the change in
the activity log. A link that can no longer be used raises :class:`~zgovern.core.errors.Gone`
(410) and changes nothing.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from zgovern.controls.models import Control
from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, Gone, NotFound
from zgovern.core.tokens import digest, new_secret
from zgovern.evidence import services as evidence
from zgovern.evidence.storage import open_blob
from zgovern.frameworks.models import Framework
from zgovern.policies.models import Policy
from zgovern.tenancy.activity import record
from zgovern.tenancy.models import Organization
from zgovern.trust import nda, validation
from zgovern.trust.models import (
    ReportDownload,
    ReportRequest,
    RequestStatus,
    TrustCenter,
)
from zgovern.trust.watermark import NotAPdf, stamp_text, watermark_pdf

TOKEN_PREFIX = "tr_"
REPORT_KIND = "audit_report"
SETTING_FIELDS = (
    "enabled", "headline", "description", "contact_email", "framework_ids", "controls",
    "policies", "show_subprocessors", "report_period_start", "report_period_end", "nda_text",
    "link_days", "download_limit",
)  # fmt: skip


# -- settings ---------------------------------------------------------------------------


def update_settings(org: Organization, actor: Actor, **fields: Any) -> TrustCenter:
    """Change the settings given (names in :data:`SETTING_FIELDS`); logged as
    ``trust.settings_updated`` with the fields that changed. Chosen ids must be the
    organisation's own frameworks, controls and policies."""
    unknown = set(fields) - set(SETTING_FIELDS)
    if unknown:
        raise DomainError(f"Unknown setting: {', '.join(sorted(unknown))}.", field=min(unknown))
    values = {name: _clean_setting(org, name, value) for name, value in fields.items()}
    with transaction.atomic():
        item, _ = TrustCenter.objects.select_for_update().get_or_create(organization=org)
        _check_period(values, item)
        changed = {k: v for k, v in values.items() if getattr(item, k) != v}
        if not changed:
            return item
        for name, value in changed.items():
            setattr(item, name, value)
        item.updated_at = timezone.now()
        item.save()
        record(org, actor, "trust.settings_updated", item, {"changed": sorted(changed)})
    return item


def _clean_setting(org: Organization, name: str, value: Any) -> Any:
    v = validation
    cleaners = {
        "enabled": lambda: v.flag(value, name),
        "show_subprocessors": lambda: v.flag(value, name),
        "headline": lambda: v.text(value, name, 200),
        "description": lambda: v.text(value, name, 4000),
        "contact_email": lambda: v.email(value, name),
        "nda_text": lambda: v.text(value, name, 20000),
        "link_days": lambda: v.whole(value, name, 1, 90),
        "download_limit": lambda: v.whole(value, name, 1, 100),
        "report_period_start": lambda: v.day(value, name),
        "report_period_end": lambda: v.day(value, name),
        "framework_ids": lambda: _owned(org, Framework, v.ids(value, name), name),
        "controls": lambda: _owned_entries(
            org, Control, v.entries(value, name, {"description": str}), name
        ),
        "policies": lambda: _owned_entries(
            org, Policy, v.entries(value, name, {"show_body": bool}), name
        ),
    }
    return cleaners[name]()


def _owned(org: Organization, model, chosen: list[int], name: str) -> list[int]:
    found = set(model.objects.filter(organization=org, pk__in=chosen).values_list("pk", flat=True))
    missing = [pk for pk in chosen if pk not in found]
    if missing:
        raise DomainError(f"No such {model._meta.verbose_name} id: {missing[0]}.", field=name)
    return chosen


def _owned_entries(org: Organization, model, chosen: list[dict], name: str) -> list[dict]:
    _owned(org, model, [entry["id"] for entry in chosen], name)
    return chosen


def _check_period(values: dict[str, Any], item: TrustCenter) -> None:
    start = values.get("report_period_start", item.report_period_start)
    end = values.get("report_period_end", item.report_period_end)
    if start is not None and end is None:
        raise DomainError("Enter the period's end as well as its start.", field="report_period_end")
    if start is not None and end is not None and start > end:
        raise DomainError("The period ends before it starts.", field="report_period_end")


def upload_report(
    org: Organization, actor: Actor, *, uploaded_file: UploadedFile | None, title: str = ""
) -> TrustCenter:
    """Store the report PDF as evidence (kind ``audit_report``) and offer it from now on;
    logged as ``trust.report_uploaded``. Anything but a readable PDF is refused."""
    title = validation.text(title, "title", 200) or "Audit report"
    _check_pdf(uploaded_file)
    with transaction.atomic():
        item, _ = TrustCenter.objects.select_for_update().get_or_create(organization=org)
        report = evidence.add_file(
            org, actor, kind=REPORT_KIND, title=title, uploaded_file=uploaded_file,
            period_start=item.report_period_start, period_end=item.report_period_end,
            tags=["trust-center"],
        )  # fmt: skip
        item.report, item.updated_at = report, timezone.now()
        item.save(update_fields=["report", "updated_at"])
        record(org, actor, "trust.report_uploaded", item, {"evidence_id": report.pk})
    return item


def _check_pdf(uploaded_file: UploadedFile | None) -> None:
    if uploaded_file is None:
        raise DomainError("Choose the report's PDF file.", field="file")
    if not str(getattr(uploaded_file, "name", "")).lower().endswith(".pdf"):
        raise DomainError("The report must be a PDF file (.pdf).", field="file")
    try:
        uploaded_file.seek(0)
        pages = len(PdfReader(io.BytesIO(uploaded_file.read())).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        pages = 0
    finally:
        uploaded_file.seek(0)
    if pages < 1:
        raise DomainError("The file is not a readable PDF with at least one page.", field="file")


# -- requests and decisions ---------------------------------------------------------------


def create_request(
    org: Organization, actor: Actor, *, name: Any, company: Any, email: Any, reason: Any = ""
) -> ReportRequest:
    """A prospect asks for the report (``trust.report_requested``); the security contact,
    when set, is told by email. Refused when the page is off (404) or there is no report
    to give (409)."""
    v = validation
    clean = {
        "name": v.text(name, "name", 200, required=True, label="your name"),
        "company": v.text(company, "company", 200, required=True, label="your company"),
        "email": v.email(email, "email", required=True),
        "reason": v.text(reason, "reason", 2000),
    }
    item = TrustCenter.objects.filter(organization=org).first()
    if item is None or not item.enabled:
        raise NotFound("This organisation has no public Trust Center.")
    if item.report_id is None:
        raise Conflict("There is no report to request yet.")
    with transaction.atomic():
        row = ReportRequest.objects.create(
            organization=org, client_ip=actor.ip, user_agent=actor.user_agent, **clean
        )
        record(org, actor, "trust.report_requested", row, {"email": row.email})
    if item.contact_email:
        _notify_contact(org, item.contact_email, row)
    return row


def approve_request(org: Organization, actor: Actor, request_id: int) -> tuple[ReportRequest, str]:
    """Approve a pending request: make its one-time link (stored hashed), valid for the
    configured days and downloads, and email it. Returns the request and the link (shown
    once to the approver too). Logged as ``trust.request_approved``."""
    item = TrustCenter.objects.filter(organization=org).first()
    if item is None or item.report_id is None:
        raise Conflict("Upload the report before approving requests.")
    raw = new_secret(TOKEN_PREFIX)
    now = timezone.now()
    with transaction.atomic():
        row = _locked(org, request_id)
        if row.status != RequestStatus.PENDING:
            raise Conflict(f"This request is already {row.get_status_display().lower()}.")
        row.status, row.decided_at = RequestStatus.APPROVED, now
        row.decided_by, row.decided_label = actor.user, actor.label
        row.token_hash = digest(raw)
        row.link_expires_at = now + timedelta(days=item.link_days)
        row.downloads_allowed = item.download_limit
        row.save()
        record(org, actor, "trust.request_approved", row,
               {"expires_at": row.link_expires_at, "downloads": row.downloads_allowed})  # fmt: skip
    url = link_url(org, raw)
    _send_approval(org, row, url)  # after the commit: no mail for a rolled-back approval
    return row, url


def decline_request(org: Organization, actor: Actor, request_id: int) -> ReportRequest:
    """Decline a pending request, or withdraw an approved one (its link stops working).
    Logged as ``trust.request_declined``; the prospect is told by email."""
    with transaction.atomic():
        row = _locked(org, request_id)
        if row.status == RequestStatus.DECLINED:
            raise Conflict("This request is already declined.")
        previous = row.status
        row.status, row.decided_at = RequestStatus.DECLINED, timezone.now()
        row.decided_by, row.decided_label = actor.user, actor.label
        row.save()
        record(org, actor, "trust.request_declined", row, {"was": previous})
    _send_decline(org, row)
    return row


def _locked(org: Organization, request_id: int) -> ReportRequest:
    row = ReportRequest.objects.select_for_update().filter(organization=org, pk=request_id).first()
    if row is None:
        raise NotFound("No such report request.")
    return row


def link_url(org: Organization, raw: str) -> str:
    return settings.BASE_URL + reverse("trust:report", args=[org.slug, raw])


def _send_approval(org: Organization, row: ReportRequest, url: str) -> None:
    expires = row.link_expires_at.strftime("%Y-%m-%d %H:%M UTC")
    body = (
        f"Hello {row.name},\n\n{org.name} approved your request for its audit report.\n\n"
        f"Open this link, accept the NDA and download the report: {url}\n\n"
        f"The link is yours alone: it works until {expires}, for {row.downloads_allowed} "
        "downloads, and every copy is marked with your name, company and email."
    )
    send_mail(f"{org.name}: your audit report access", body, None, [row.email])


def _notify_contact(org: Organization, contact: str, row: ReportRequest) -> None:
    url = settings.BASE_URL + reverse("trust_center:index", args=[org.slug])
    body = (
        f"{row.name} ({row.company}, {row.email}) asks for {org.name}'s audit report.\n\n"
        f"Reason: {row.reason or '(none given)'}\n\nApprove or decline it here: {url}"
    )
    send_mail(f"Report request from {row.company}", body, None, [contact])


def _send_decline(org: Organization, row: ReportRequest) -> None:
    body = (
        f"Hello {row.name},\n\n{org.name} cannot share its audit report with you at this "
        "time. Any link you received for it no longer works."
    )
    send_mail(f"{org.name}: your audit report request", body, None, [row.email])


# -- the prospect's link ----------------------------------------------------------------


def request_by_token(org: Organization, raw: str) -> ReportRequest | None:
    """The request whose link is ``raw``, or None (a tampered or unknown token)."""
    if not raw.startswith(TOKEN_PREFIX) or not 20 <= len(raw) <= 100:
        return None
    return ReportRequest.objects.filter(organization=org, token_hash=digest(raw)).first()


def gone_reason(row: ReportRequest, now=None) -> str:
    """Why the link can no longer be used, or "" when it can."""
    now = now or timezone.now()
    if row.status == RequestStatus.DECLINED:
        return "This request was declined, so the link no longer works."
    if row.status != RequestStatus.APPROVED:
        return "This request has not been approved."
    if row.link_expires_at is None or now >= row.link_expires_at:
        return "This link has expired. Ask for the report again."
    if row.downloads_used >= row.downloads_allowed:
        return "This link was used for all its downloads. Ask for the report again."
    return ""


def accept_nda(
    org: Organization, actor: Actor, request_id: int, *, name: Any, company: Any, text: str
) -> ReportRequest:
    """Record that the prospect accepted the NDA ``text`` (its SHA-256), with the name and
    company they typed, the time, address and browser. Logged as ``trust.nda_accepted``."""
    name = validation.text(name, "name", 200, required=True, label="your name")
    company = validation.text(company, "company", 200, required=True, label="your company")
    with transaction.atomic():
        row = _locked(org, request_id)
        reason = gone_reason(row)
        if reason:
            raise Gone(reason)
        row.nda_accepted_at, row.nda_name, row.nda_company = timezone.now(), name, company
        row.nda_ip, row.nda_user_agent = actor.ip, actor.user_agent
        row.nda_sha256 = nda.fingerprint(text)
        row.save()
        record(org, actor, "trust.nda_accepted", row,
               {"name": name, "company": company, "nda_sha256": row.nda_sha256})  # fmt: skip
    return row


def download_report(org: Organization, actor: Actor, request_id: int) -> tuple[bytes, str]:
    """The report watermarked for this request's prospect, counting one download and
    logging it (``trust.report_downloaded``). Returns the PDF and a file name."""
    with transaction.atomic():
        row = _locked(org, request_id)
        reason = gone_reason(row)
        if reason:
            raise Gone(reason)
        if row.nda_accepted_at is None:
            raise Conflict("Accept the NDA before downloading the report.")
        item = TrustCenter.objects.filter(organization=org).select_related("report").first()
        if item is None or item.report is None:
            raise Gone("The report is no longer offered.")
        now = timezone.now()
        text = stamp_text(row.nda_name or row.name, row.nda_company or row.company, row.email, now)
        data = _watermarked(org, item, text)
        row.downloads_used += 1
        row.save(update_fields=["downloads_used"])
        download = ReportDownload.objects.create(
            organization=org, request=row, report=item.report, at=now, client_ip=actor.ip,
            user_agent=actor.user_agent, watermark=text[:600],
        )  # fmt: skip
        record(org, actor, "trust.report_downloaded", download,
               {"request_id": row.pk, "download": row.downloads_used})  # fmt: skip
    return data, f"{org.slug}-audit-report.pdf"


def _watermarked(org: Organization, item: TrustCenter, text: str) -> bytes:
    try:
        with open_blob(org, item.report.sha256) as handle:
            source = handle.read()
        return watermark_pdf(source, text)
    except (FileNotFoundError, NotAPdf):
        raise Gone("The report file cannot be read; ask the organisation for it.") from None
