"""Accounts pages: every account of every system with filters, MFA coverage and its
exceptions, the unlinked accounts to link or mark as service accounts, one account's page,
aliases, the user-list upload and the organisation's workforce windows.

Reads need READ; writes WRITE (enforced by the tenancy middleware), the windows
MANAGE_SETTINGS. A refused action goes back to the page it came from with the reason.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zgovern.core import pages
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.identity import queries, services, userlist
from zgovern.identity.forms import (
    AliasForm,
    FilterForm,
    LinkForm,
    ServiceForm,
    SettingsForm,
    UserListForm,
)
from zgovern.identity.models import Account
from zgovern.people.forms import add_domain_error
from zgovern.people.models import Person
from zgovern.tenancy import roles
from zgovern.tenancy.middleware import requires

PAGE_SIZE = 50
SHOWN = 50  # unlinked accounts and MFA exceptions listed on the index
# The user-list upload's page; readers see its form (the middleware refuses their POST).
PAGES = pages.Pages(active="accounts", readable="the accounts")


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {
        "active": "accounts",
        "can_write": request.membership.can(roles.WRITE),
        # Every page of this app carries can_manage (see _page).
        "can_manage": request.membership.can(roles.MANAGE_SETTINGS),
        **context,
    }
    return render(request, template, context, status=status)


def _account(request: HttpRequest, account_id: int) -> Account:
    found = queries.account(request.organization, account_id)
    if found is None:
        raise Http404("No such account")
    return found


def _back(request: HttpRequest, account: Account | None = None) -> HttpResponse:
    slug = request.organization.slug
    if account is not None:
        return redirect("identity:detail", org_slug=slug, account_id=account.pk)
    return redirect("identity:index", org_slug=slug)


def _people(org) -> list[Person]:
    return list(Person.objects.filter(organization=org).order_by("full_name", "id"))


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    org = request.organization
    form = FilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    rows = queries.accounts(org, **filters)
    unlinked = queries.unlinked(org)
    exceptions = queries.mfa_exceptions(org)
    context = {
        "form": form,
        "filtered": any(filters.values()),
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "systems": queries.systems(org),
        "coverage": queries.mfa_coverage(org),
        "unlinked": list(unlinked[:SHOWN]),
        "unlinked_count": unlinked.count(),
        "exceptions": list(exceptions[:SHOWN]),
        "exceptions_count": exceptions.count(),
        "workforce": _workforce_integration(org),
    }
    return _page(request, "identity/index.html", context, 400 if form.errors else 200)


def _workforce_integration(org):
    from zgovern.integrations.models import Integration

    return Integration.objects.filter(organization=org, provider="workforce").first()


@require_safe
def detail(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(request, account_id)
    context = {"account": account, "people": _people(request.organization)}
    return _page(request, "identity/detail.html", context)


def _act(request: HttpRequest, account: Account, action, note: str) -> HttpResponse:
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(request, account)
    messages.success(request, note)
    return _back(request, account)


@require_POST
def link(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(request, account_id)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the person this account belongs to.")
        return _back(request, account)
    person_id = form.cleaned_data["person_id"]
    return _act(request, account, lambda: services.link_account(
        request.organization, Actor.from_request(request), account.pk, person_id
    ), "Account linked.")  # fmt: skip


@require_POST
def unlink(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(request, account_id)
    return _act(request, account, lambda: services.unlink_account(
        request.organization, Actor.from_request(request), account.pk
    ), "Account unlinked; syncs will leave it unlinked.")  # fmt: skip


@require_POST
def mark_service(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(request, account_id)
    form = ServiceForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Choose the service account's owner (and a note of 500 characters at most)."
        )
        return _back(request, account)
    data = form.cleaned_data
    return _act(request, account, lambda: services.mark_service(
        request.organization, Actor.from_request(request), account.pk,
        owner_id=data["owner_id"], note=data["note"],
    ), "Marked as a service account.")  # fmt: skip


@require_POST
def unmark_service(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(request, account_id)
    return _act(request, account, lambda: services.unmark_service(
        request.organization, Actor.from_request(request), account.pk
    ), "No longer a service account.")  # fmt: skip


def _person_page(request: HttpRequest, person_id: int) -> HttpResponse:
    return redirect("people:detail", org_slug=request.organization.slug, person_id=person_id)


@require_POST
def add_alias(request: HttpRequest, person_id: int) -> HttpResponse:
    person = Person.objects.filter(organization=request.organization, pk=person_id).first()
    if person is None:
        raise Http404("No such person")
    form = AliasForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give an alias of at most 254 characters.")
        return _person_page(request, person.pk)
    try:
        services.add_alias(request.organization, Actor.from_request(request), person.pk,
                           form.cleaned_data["alias"])  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Alias added; matching accounts are linked.")
    return _person_page(request, person.pk)


@require_POST
def remove_alias(request: HttpRequest, alias_id: int) -> HttpResponse:
    from zgovern.identity.models import PersonAlias

    alias = PersonAlias.objects.filter(organization=request.organization, pk=alias_id).first()
    if alias is None:
        raise Http404("No such alias")
    services.remove_alias(request.organization, Actor.from_request(request), alias.pk)
    messages.success(request, f"Alias {alias.alias} removed.")
    return _person_page(request, alias.person_id)


@require_http_methods(["GET", "HEAD", "POST"])
def import_accounts(request: HttpRequest) -> HttpResponse:
    """The upload page documents the columns; a bad file answers 400 with every problem."""
    context = {
        # Every page of this app carries can_manage (see _page).
        "can_manage": request.membership.can(roles.MANAGE_SETTINGS),
        "columns": userlist.COLUMNS,
        "problems": None,
        "report": None,
        "max_bytes": settings.ROSTER_MAX_BYTES,
        "max_rows": userlist.MAX_ROWS,
    }
    posted = request.method == "POST"
    form = UserListForm(request.POST, request.FILES) if posted else UserListForm()

    def run(form: UserListForm) -> object:
        upload = form.cleaned_data["file"]
        # One byte past the limit at most: a larger file is refused by size unread.
        upload.seek(0)
        data = upload.read(settings.ROSTER_MAX_BYTES + 1)
        return services.import_accounts(
            request.organization, Actor.from_request(request), upload.name, data
        )

    return PAGES.upload(
        request,
        "identity/import.html",
        context,
        form,
        run,
        userlist.UserListError,
        add_domain_error,
    )


@requires(write=roles.MANAGE_SETTINGS)
@require_http_methods(["GET", "HEAD", "POST"])
def identity_settings(request: HttpRequest) -> HttpResponse:
    org = request.organization
    current = services.settings_for(org)
    initial = {
        "revocation_business_days": current.revocation_business_days,
        "onboarding_days": current.onboarding_days,
    }
    if request.method != "POST":
        return _page(request, "identity/settings.html", {"form": SettingsForm(initial=initial)})
    form = SettingsForm(request.POST)
    if not form.is_valid():
        return _page(request, "identity/settings.html", {"form": form}, 400)
    try:
        services.update_settings(org, Actor.from_request(request), **form.cleaned_data)
    except DomainError as exc:
        status = add_domain_error(form, exc)
        return _page(request, "identity/settings.html", {"form": form}, status)
    messages.success(request, "Windows saved; the next workforce run uses them.")
    return redirect("identity:settings", org_slug=org.slug)


@requires(write=roles.MANAGE_SETTINGS)
@require_POST
def workforce(request: HttpRequest) -> HttpResponse:
    """Add the built-in workforce checks (once)."""
    services.ensure_workforce_integration(request.organization, Actor.from_request(request))
    messages.success(request, "The workforce checks are set up; they run with the schedule.")
    return redirect("identity:index", org_slug=request.organization.slug)
