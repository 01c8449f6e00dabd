"""Access-review pages: the campaigns (late ones flagged), a new campaign, a campaign's
items with filters and an inline APPROVE/REVOKE form per item, its revocation exceptions,
and its CSV/XLSX export.

Access, refusals and bad input follow ``zgovern.core.pages``. A refused decision or
completion shows the campaign page again with the reason and the service's 4xx status.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zgovern.core import exports, pages
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.reviews import package, queries, revocations, services
from zgovern.reviews.forms import CampaignForm, ItemFilterForm
from zgovern.reviews.models import FLAGS, Campaign

PAGE_SIZE = 50
PAGES = pages.Pages(active="reviews", readable="reviews")


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    return pages.found(queries.campaign(request.organization, campaign_id), "campaign")


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Every campaign, newest first, 50 a page; open ones past their due date are late."""
    page = Paginator(queries.campaigns(request.organization), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "today": timezone.localdate()}
    return PAGES.render(request, "reviews/index.html", context)


@require_http_methods(pages.FORM_METHODS)
def add(request: HttpRequest) -> HttpResponse:
    org = request.organization
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    form = CampaignForm(org, request.POST) if request.method == "POST" else CampaignForm(org)

    def show(form: CampaignForm, status: int) -> HttpResponse:
        return PAGES.render(request, "reviews/form.html", {"form": form}, status)

    def save(form: CampaignForm) -> HttpResponse:
        campaign = services.start_campaign(org, Actor.from_request(request), **form.for_service())
        return _done(request, campaign.pk, "Campaign started.")

    return pages.form_flow(request, form, show, save, _refused_on_form)


@require_safe
def detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _detail(request, _campaign(request, campaign_id))


def _detail(request: HttpRequest, campaign: Campaign, status: int = 200) -> HttpResponse:
    """The campaign's facts and its items, filtered and paginated on the server."""
    org = request.organization
    form = ItemFilterForm(request.GET or None)
    filters = form.filters(request.user) if form.is_bound else {}
    rows = queries.items(org, campaign, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "campaign": campaign,
        "form": form,
        "page": page,
        "filtered": any(filters.values()),
        "flag_counts": queries.flag_counts(org, campaign),
        "flag_labels": {n.removeprefix("flag_"): label for n, label in FLAGS},
        "late": campaign.is_late(),
        "exceptions": revocations.exceptions(org, campaign)[:10],
    }
    return PAGES.render(request, "reviews/detail.html", context, 400 if form.errors else status)


@require_POST
def decide(request: HttpRequest, item_id: int) -> HttpResponse:
    """APPROVE or REVOKE one item; back to the page (and filters) it was decided on."""
    org = request.organization
    item = pages.found(queries.item(org, item_id), "review item")
    try:
        services.decide(
            org, Actor.from_request(request), item.pk,
            decision=request.POST.get("decision", ""), note=request.POST.get("note", ""),
        )  # fmt: skip
    except DomainError as exc:
        messages.error(request, f"{item}: {exc.message}")
        return _detail(request, _campaign(request, item.campaign_id), exc.status)
    target = _done(request, item.campaign_id, f"{item}: decision recorded.")
    # Back to the filters and page the decision was made on; only a query string is kept.
    url = request.POST.get("next", "")
    if url.startswith("?") and "\n" not in url and "\r" not in url:
        target["Location"] += url
    return target


@require_POST
def complete(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    try:
        services.complete_campaign(request.organization, Actor.from_request(request), campaign.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _detail(request, campaign, exc.status)
    return _done(request, campaign.pk, "Campaign completed; its evidence package is stored.")


@require_safe
def exceptions(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Revoked accounts still active after the revocation window."""
    campaign = _campaign(request, campaign_id)
    rows = revocations.exceptions(request.organization, campaign)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return PAGES.render(request, "reviews/exceptions.html", {"campaign": campaign, "page": page})


@require_POST
def verify(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Check the open revocations against the identity graph now."""
    campaign = _campaign(request, campaign_id)
    report = revocations.verify_revocations(request.organization)
    note = (
        f"Revocations checked: {report.verified} verified, {report.exceptions} newly late, "
        f"{report.waiting} still waiting."
    )
    return _done(request, campaign.pk, note)


@require_safe
def export_csv(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    items = queries.items(request.organization, campaign)
    content = exports.csv_bytes(package.HEADER, package.rows(items))
    return exports.download(content, f"access-review-{campaign.pk}.csv", "text/csv")


@require_safe
def export_xlsx(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    items = queries.items(request.organization, campaign)
    content = exports.xlsx_bytes({"Decisions": (package.HEADER, package.rows(items))})
    return exports.download(content, f"access-review-{campaign.pk}.xlsx", exports.XLSX_TYPE)


def _refused_on_form(form: CampaignForm, exc: DomainError) -> int:
    """Put a service's refusal on the field it names, or on the form; returns its status."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return exc.status


def _done(request: HttpRequest, campaign_id: int, note: str) -> HttpResponse:
    return pages.done(request, "reviews:detail", note, campaign_id=campaign_id)
