"""Evidence pages: the list, one item with its versions, the download, and the forms that
add a file or a link and record a correction.

Access, refusals and bad input follow ``zgovern.core.pages``; a POST calls one service and
redirects to the item it added.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_safe

from zgovern.core import pages
from zgovern.core.actor import Actor
from zgovern.evidence import queries, services, storage
from zgovern.evidence.forms import CorrectForm, FilterForm, LinkForm, UploadForm, add_domain_error
from zgovern.evidence.models import EvidenceItem, EvidenceSource

PAGE_SIZE = 50
RECORD_SHOWN = 100_000  # characters of a record shown on its page
logger = logging.getLogger(__name__)
PAGES = pages.Pages(active="evidence", readable="evidence")


def _item(request: HttpRequest, evidence_id: int) -> EvidenceItem:
    return pages.found(queries.item(request.organization, evidence_id), "evidence item")


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Every item, newest first, 50 a page, filtered by kind, source and collection date."""
    form = FilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    rows = queries.items(request.organization, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = queries.with_corrections(request.organization, page.object_list)
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {"form": form, "page": page, "filtered": any(filters.values())}
    return PAGES.render(request, "evidence/index.html", context, status)


@require_safe
def detail(request: HttpRequest, evidence_id: int) -> HttpResponse:
    item = _item(request, evidence_id)
    older, newer = queries.history(request.organization, item)
    context = {
        "item": item,
        "older": older,
        "newer": newer,
        "latest": newer[-1] if newer else item,
        "sources": EvidenceSource,
        "record_text": _pretty(item.record),
    }
    return PAGES.render(request, "evidence/detail.html", context)


def _pretty(record) -> str:
    """The record for reading; a very large one is cut (the download has it whole)."""
    if record is None:
        return ""
    text = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= RECORD_SHOWN else text[:RECORD_SHOWN] + "\n…"


@require_safe
def download(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """The item's bytes as an attachment: never shown inline, whatever they are."""
    org = request.organization
    item = get_object_or_404(EvidenceItem, pk=evidence_id, organization=org)
    if item.source == EvidenceSource.LINK:
        messages.info(request, "A link has no file to download; open its address instead.")
        return redirect("evidence:detail", org_slug=org.slug, evidence_id=item.pk)
    return blob_response(item)


def blob_response(item: EvidenceItem) -> StreamingHttpResponse:
    """Stream the item's blob with headers that keep a browser from rendering it (also
    used by the API). Raises ``Http404`` when the blob is missing from storage."""
    if not storage.blob_exists(item.organization, item.sha256):
        logger.error("evidence %s: blob %s is missing from storage", item.pk, item.sha256)
        raise Http404("The file of this item is missing from storage.")
    response = StreamingHttpResponse(
        _blob_chunks(item), content_type=item.content_type or "application/octet-stream"
    )
    if item.file_size is not None:
        response["Content-Length"] = str(item.file_size)
    response["Content-Disposition"] = content_disposition_header(True, download_name(item))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(item.sha256)).decode()}:"
    return response


def _blob_chunks(item: EvidenceItem) -> Iterator[bytes]:
    # Opened only when the body is sent, and closed however the sending ends.
    with storage.open_blob(item.organization, item.sha256) as handle:
        yield from handle.chunks(storage.CHUNK_SIZE)


def download_name(item: EvidenceItem) -> str:
    if item.file_name:
        return item.file_name
    return f"{item.kind}-{item.pk}.json" if item.record is not None else f"evidence-{item.pk}"


@require_http_methods(pages.FORM_METHODS)
def upload(request: HttpRequest) -> HttpResponse:
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()

    def save(form: UploadForm) -> HttpResponse:
        item = services.add_file(
            request.organization,
            Actor.from_request(request),
            uploaded_file=form.cleaned_data["file"],
            **form.described(),
        )
        return _added(request, item, "File added as evidence.")

    return pages.form_flow(request, form, _shown(request, "upload"), save, add_domain_error)


@require_http_methods(pages.FORM_METHODS)
def add_link(request: HttpRequest) -> HttpResponse:
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    form = LinkForm(request.POST) if request.method == "POST" else LinkForm()

    def save(form: LinkForm) -> HttpResponse:
        item = services.add_link(
            request.organization,
            Actor.from_request(request),
            url=form.cleaned_data["url"],
            **form.described(),
        )
        return _added(request, item, "Link added as evidence.")

    return pages.form_flow(request, form, _shown(request, "link"), save, add_domain_error)


@require_http_methods(pages.FORM_METHODS)
def correct(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """Record a correction: a new item superseding this one (the original stays)."""
    original = _item(request, evidence_id)
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    if request.method == "POST":
        form = CorrectForm(request.POST, request.FILES, original=original)
    else:
        form = CorrectForm(original=original)

    def save(form: CorrectForm) -> HttpResponse:
        item = services.correct(
            request.organization,
            Actor.from_request(request),
            original.pk,
            reason=form.cleaned_data["reason"],
            **form.described(),
            **form.content(),
        )
        return _added(request, item, "Correction recorded; the original is kept as superseded.")

    shown = _shown(request, "correct", original)
    return pages.form_flow(request, form, shown, save, add_domain_error)


def _shown(request: HttpRequest, mode: str, item: EvidenceItem | None = None) -> pages.Show:
    """How form_flow shows the form of ``mode`` (correcting ``item``, if any) with a status."""

    def show(form, status: int) -> HttpResponse:
        context = {
            "form": form,
            "mode": mode,
            "item": item,
            "kinds": queries.kinds(request.organization),
        }
        return PAGES.render(request, "evidence/form.html", context, status)

    return show


def _added(request: HttpRequest, item: EvidenceItem, note: str) -> HttpResponse:
    return pages.done(request, "evidence:detail", note, evidence_id=item.pk)
