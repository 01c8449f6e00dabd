"""Integration pages, under ``/o/<slug>/monitoring/integrations/``: the list, adding one,
its page (last runs, test connection, run now), editing, replacing credentials, deleting.

Reads need READ; edits, "Test connection" and "Run now" need WRITE; anything that sets or
destroys credentials (adding, replacing, deleting) needs MANAGE_SETTINGS — declared with
``@requires`` and enforced by the tenancy middleware. Credentials are never rendered: the
page says whether they are set and when.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.integrations import registry, services
from zgovern.integrations.base import ConnectionReport
from zgovern.integrations.forms import (
    CredentialsForm,
    IntegrationForm,
    ProviderForm,
    add_domain_error,
)
from zgovern.integrations.models import Integration
from zgovern.monitoring import queries
from zgovern.monitoring import services as monitoring
from zgovern.tenancy import roles
from zgovern.tenancy.middleware import requires

RECENT_RUNS = 10


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    membership = request.membership
    context = {
        "active": "monitoring",
        "tab": "integrations",
        "can_write": membership.can(roles.WRITE),
        "can_manage": membership.can(roles.MANAGE_SETTINGS),
        **context,
    }
    return render(request, template, context, status=status)


def _refuse(request: HttpRequest, capability: str, back: str, **kwargs) -> HttpResponse | None:
    """Send someone who opened a form they cannot submit back, with a note."""
    if request.membership.can(capability):
        return None
    what = (
        "manage integration credentials"
        if capability == roles.MANAGE_SETTINGS
        else "change integrations"
    )
    messages.info(request, f"Your role ({request.membership.role}) cannot {what}.")
    return redirect(back, org_slug=request.organization.slug, **kwargs)


def _integration(request: HttpRequest, integration_id: int) -> Integration:
    return get_object_or_404(Integration, pk=integration_id, organization=request.organization)


def _provider(key: str):
    try:
        return registry.get(key)
    except KeyError:
        raise Http404("No such provider") from None


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    rows = Integration.objects.filter(organization=request.organization).order_by("name")
    return _page(request, "integrations/index.html", {"integrations": rows})


@requires(write=roles.MANAGE_SETTINGS)
@require_POST
def builtins(request: HttpRequest) -> HttpResponse:
    """Turn on every built-in check (people and accounts, training, policies, records)."""
    from zgovern.integrations import builtins as builtin

    builtin.ensure_all(request.organization, Actor.from_request(request))
    messages.success(request, "The built-in checks are set up; each runs on its schedule.")
    return redirect("integrations:index", org_slug=request.organization.slug)


@requires(write=roles.MANAGE_SETTINGS)
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def add(request: HttpRequest) -> HttpResponse:
    """Choose a provider (``?provider=``), then fill in the form generated from its schemas."""
    if (refused := _refuse(request, roles.MANAGE_SETTINGS, "integrations:index")) is not None:
        return refused
    providers = registry.all_providers()
    key = request.POST.get("provider") or request.GET.get("provider")
    if key is None and len(providers) == 1:
        key = providers[0].key
    if key is None:
        return _page(
            request, "integrations/choose.html", {"form": ProviderForm(providers=providers)}
        )
    provider = _provider(key)
    if request.method != "POST":
        form = IntegrationForm(
            provider=provider, with_credentials=True, initial={"name": provider.name}
        )
        return _form(request, "add", form, provider)
    form = IntegrationForm(request.POST, provider=provider, with_credentials=True)
    if not form.is_valid():
        return _form(request, "add", form, provider, 400)
    values = form.settings()
    if form.errors:
        return _form(request, "add", form, provider, 400)
    try:
        integration = services.create_integration(
            request.organization, Actor.from_request(request), provider=provider.key, **values
        )
    except DomainError as exc:
        return _form(request, "add", form, provider, add_domain_error(form, exc))
    messages.success(request, f"{integration.name} added.")
    return redirect(
        "integrations:detail", org_slug=request.organization.slug, integration_id=integration.pk
    )


def _form(request, mode: str, form, provider, status: int = 200, integration=None) -> HttpResponse:
    context = {"form": form, "provider": provider, "mode": mode, "integration": integration}
    return _page(request, "integrations/form.html", context, status)


@require_safe
def detail(request: HttpRequest, integration_id: int) -> HttpResponse:
    return _detail(request, _integration(request, integration_id))


def _detail(
    request, integration: Integration, report: ConnectionReport | None = None, status: int = 200
):
    context = {
        "integration": integration,
        "provider": _known_provider(integration.provider),
        "runs": queries.runs(request.organization, integration_id=integration.pk)[:RECENT_RUNS],
        "ready": services.credentials_ready(integration),
        "report": report,
        "claimed": integration.is_claimed(),
    }
    return _page(request, "integrations/detail.html", context, status)


def _known_provider(key: str):
    try:
        return registry.get(key)
    except KeyError:  # a provider removed from the registry: the page still shows
        return None


@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, integration_id: int) -> HttpResponse:
    integration = _integration(request, integration_id)
    back = "integrations:detail"
    if (refused := _refuse(request, roles.WRITE, back, integration_id=integration.pk)) is not None:
        return refused
    provider = _provider(integration.provider)
    initial = {
        "name": integration.name,
        "interval_hours": integration.interval_hours,
        "enabled": integration.enabled,
    }
    if request.method != "POST":
        form = IntegrationForm(
            provider=provider, config=integration.config, with_credentials=False, initial=initial
        )
        return _form(request, "edit", form, provider, integration=integration)
    form = IntegrationForm(request.POST, provider=provider, with_credentials=False, initial=initial)
    if not form.is_valid():
        return _form(request, "edit", form, provider, 400, integration)
    values = form.settings()
    if form.errors:
        return _form(request, "edit", form, provider, 400, integration)
    try:
        services.update_integration(
            request.organization, Actor.from_request(request), integration.pk, **values
        )
    except DomainError as exc:
        return _form(request, "edit", form, provider, add_domain_error(form, exc), integration)
    messages.success(request, "Saved.")
    return redirect(back, org_slug=request.organization.slug, integration_id=integration.pk)


@requires(write=roles.MANAGE_SETTINGS)
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def credentials(request: HttpRequest, integration_id: int) -> HttpResponse:
    integration = _integration(request, integration_id)
    back = "integrations:detail"
    if (
        refused := _refuse(request, roles.MANAGE_SETTINGS, back, integration_id=integration.pk)
    ) is not None:
        return refused
    provider = _provider(integration.provider)
    if request.method != "POST":
        return _credentials(request, integration, CredentialsForm(provider=provider))
    form = CredentialsForm(request.POST, provider=provider)
    if not form.is_valid():
        return _credentials(request, integration, form, 400)
    try:
        services.replace_credentials(
            request.organization, Actor.from_request(request), integration.pk, form.credentials()
        )
    except DomainError as exc:
        return _credentials(request, integration, form, add_domain_error(form, exc))
    messages.success(
        request, "Credentials saved. They are stored encrypted and will not be shown again."
    )
    return redirect(back, org_slug=request.organization.slug, integration_id=integration.pk)


def _credentials(request, integration, form, status: int = 200) -> HttpResponse:
    return _page(
        request, "integrations/credentials.html", {"integration": integration, "form": form}, status
    )


@require_POST
def test_connection(request: HttpRequest, integration_id: int) -> HttpResponse:
    """Ask the provider what works; the report is shown on the integration's page."""
    integration = _integration(request, integration_id)
    try:
        report = services.test_connection(
            request.organization, Actor.from_request(request), integration.pk
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _detail(request, integration, status=exc.status)
    return _detail(request, integration, report)


@require_POST
def run_now(request: HttpRequest, integration_id: int) -> HttpResponse:
    integration = _integration(request, integration_id)
    try:
        monitoring.request_run(request.organization, Actor.from_request(request), integration.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _detail(request, integration, status=exc.status)
    messages.success(request, "The checks are queued to run now; their results appear below.")
    return redirect(
        "integrations:detail", org_slug=request.organization.slug, integration_id=integration.pk
    )


@requires(write=roles.MANAGE_SETTINGS)
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: HttpRequest, integration_id: int) -> HttpResponse:
    integration = _integration(request, integration_id)
    back = "integrations:detail"
    if (
        refused := _refuse(request, roles.MANAGE_SETTINGS, back, integration_id=integration.pk)
    ) is not None:
        return refused
    if request.method != "POST":
        return _page(request, "integrations/delete.html", {"integration": integration})
    try:
        services.delete_integration(
            request.organization, Actor.from_request(request), integration.pk
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _page(request, "integrations/delete.html", {"integration": integration}, exc.status)
    messages.success(request, f"{integration.name} deleted. Its run history is kept.")
    return redirect("integrations:index", org_slug=request.organization.slug)
