"""Policy pages: the library, adoption from a template, a policy with its versions and
acknowledgement figures, the editor with a server-rendered preview, version pages with the
approval flow, diffs, PDFs, paper acknowledgements and the acknowledgement matrix.

Access, refusals and a service's refusal (shown with its status) follow ``zgovern.core.pages``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zgovern.core import pages
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.core.exports import csv_bytes, download
from zgovern.policies import pdf, queries, rendering, services, templates
from zgovern.policies.audience import audience
from zgovern.policies.forms import (
    AdoptForm,
    PaperForm,
    PolicySettingsForm,
    VersionForm,
    add_domain_error,
)
from zgovern.policies.models import Policy, PolicyVersion
from zgovern.tenancy import roles

PAGES = pages.Pages(active="policies", readable="the policies")


def _policy(request: HttpRequest, policy_id: int) -> Policy:
    return pages.found(queries.policy(request.organization, policy_id), "policy")


def _version(request: HttpRequest, version_id: int) -> PolicyVersion:
    return pages.found(queries.version(request.organization, version_id), "policy version")


def _to_policy(request: HttpRequest, policy: Policy, note: str = "") -> HttpResponse:
    return pages.done(request, "policies:detail", note, policy_id=policy.pk)


def _to_version(request: HttpRequest, version: PolicyVersion, note: str = "") -> HttpResponse:
    return pages.done(request, "policies:version", note, version_id=version.pk)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The library: each policy with its state, review date and acknowledgement rate, then
    the templates not adopted yet."""
    org = request.organization
    full = queries.matrix(org)
    rates = {r.published.policy.pk: r for r in full.rates}
    entries = [(p, v, rates.get(p.pk)) for p, v in queries.library(org)]
    adopted = {p.key for p, _, _ in entries}
    context = {
        "entries": entries,
        "available": [t for t in templates.all_templates().values() if t.key not in adopted],
        "today": _today(),
    }
    return PAGES.render(request, "policies/index.html", context)


def _today():
    from django.utils import timezone

    return timezone.localdate()


@require_http_methods(pages.FORM_METHODS)
def adopt(request: HttpRequest) -> HttpResponse:
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    org = request.organization
    choices = list(templates.all_templates().values())
    initial = {"template_key": request.GET.get("template", "")}
    form = AdoptForm(request.POST or None, org=org, templates=choices, initial=initial)

    def save(form: AdoptForm) -> HttpResponse:
        data = form.cleaned_data
        policy = services.adopt_template(
            org, Actor.from_request(request), template_key=data["template_key"],
            company_name=data["company_name"], owner=data["owner"] or None,
            review_cadence_months=data["review_cadence_months"],
        )  # fmt: skip
        return _to_policy(request, policy, f"{policy.title} adopted as a draft.")

    def show(form: AdoptForm, status: int) -> HttpResponse:
        return PAGES.render(request, "policies/form.html", {"form": form, "mode": "adopt"}, status)

    return pages.form_flow(request, form, show, save, add_domain_error)


@require_safe
def detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    org = request.organization
    policy = _policy(request, policy_id)
    full = queries.matrix(org)
    index = next((i for i, c in enumerate(full.columns) if c.policy.pk == policy.pk), None)
    context = {
        "policy": policy,
        "versions": list(policy.versions.prefetch_related("approvals").order_by("-number")),
        "rate": full.rates[index] if index is not None else None,
        "version_rates": queries.version_rates(org, policy),
        "today": _today(),
        "audience_now": audience(policy).count(),
    }
    return PAGES.render(request, "policies/detail.html", context)


@require_http_methods(pages.FORM_METHODS)
def policy_settings(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = _policy(request, policy_id)
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    initial = {
        "title": policy.title, "owner": str(policy.owner_id or ""), "audience": policy.audience,
        "departments": ", ".join(policy.departments),
        "review_cadence_months": policy.review_cadence_months,
        "ack_window_days": policy.ack_window_days,
    }  # fmt: skip
    form = PolicySettingsForm(request.POST or None, org=request.organization, initial=initial)
    context = {"form": form, "mode": "settings", "policy": policy}

    def save(form: PolicySettingsForm) -> HttpResponse:
        services.update_policy(
            request.organization, Actor.from_request(request), policy.pk,
            **form.fields_for_service(),
        )  # fmt: skip
        return _to_policy(request, policy, "Settings saved.")

    def show(form: PolicySettingsForm, status: int) -> HttpResponse:
        return PAGES.render(request, "policies/form.html", context, status)

    return pages.form_flow(request, form, show, save, add_domain_error)


@require_POST
def new_version(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = _policy(request, policy_id)
    try:
        version = services.new_version(request.organization, Actor.from_request(request), policy.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _to_policy(request, policy)
    return redirect("policies:edit", org_slug=request.organization.slug, version_id=version.pk)


@require_safe
def version(request: HttpRequest, version_id: int) -> HttpResponse:
    found = _version(request, version_id)
    people = audience(found.policy) if request.membership.can(roles.WRITE) else []
    context = {
        "version": found,
        "policy": found.policy,
        "html": mark_safe(rendering.to_html(found.body)),  # sanitised by nh3  # noqa: S308
        "approvals": list(found.approvals.all()),
        "others": list(found.policy.versions.exclude(pk=found.pk).order_by("-number")),
        "paper_form": PaperForm(people=people) if people else None,
    }
    return PAGES.render(request, "policies/version.html", context)


@require_http_methods(pages.FORM_METHODS)
def edit(request: HttpRequest, version_id: int) -> HttpResponse:
    """The editor: "Preview" renders the posted text without saving; "Save" saves it."""
    found = _version(request, version_id)
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    initial = {
        "body": found.body,
        "change_summary": found.change_summary,
        "material": found.material,
    }
    form = VersionForm(request.POST or None, initial=initial)
    context = {"form": form, "version": found, "policy": found.policy, "preview": None}

    def show(form: VersionForm, status: int) -> HttpResponse:
        return PAGES.render(request, "policies/edit.html", context, status)

    def save(form: VersionForm) -> HttpResponse:
        if "preview" in request.POST:
            context["preview"] = mark_safe(rendering.to_html(form.cleaned_data["body"]))  # noqa: S308
            return show(form, 200)
        services.edit_version(
            request.organization, Actor.from_request(request), found.pk, **form.cleaned_data
        )
        return _to_version(request, found, "Draft saved.")

    return pages.form_flow(request, form, show, save, add_domain_error)


STEPS = {
    "submit": (services.submit_for_review, "Submitted for review."),
    "return": (services.return_to_draft, "Sent back to draft."),
    "approve": (services.approve, "Approved."),
    "publish": (services.publish, "Published to its audience."),
    "retire": (services.retire, "Retired."),
}


def _step_view(step: str):
    action, note = STEPS[step]

    @require_POST
    def view(request: HttpRequest, version_id: int) -> HttpResponse:
        found = _version(request, version_id)
        try:
            action(request.organization, Actor.from_request(request), found.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _to_version(request, found)
        return _to_version(request, found, note)

    view.__name__ = f"version_{step}"
    return view


submit, send_back, approve, publish, retire = (
    _step_view(s) for s in ("submit", "return", "approve", "publish", "retire")
)


@require_safe
def diff(request: HttpRequest, version_id: int) -> HttpResponse:
    """This version against ``?against=<version id>`` (default: the previous one)."""
    found = _version(request, version_id)
    other = None
    against = request.GET.get("against", "")
    if against:
        other = (
            queries.version(request.organization, int(against))
            if against.isdigit() and len(against) < 19
            else None
        )
        if other is None or other.policy_id != found.policy_id:
            raise Http404("No such version of this policy")
    else:
        other = queries.previous_version(found)
    context = {
        "version": found, "policy": found.policy, "other": other,
        "lines": rendering.diff(other.body if other else "", found.body),
        "others": list(found.policy.versions.exclude(pk=found.pk).order_by("-number")),
    }  # fmt: skip
    return PAGES.render(request, "policies/diff.html", context)


@require_safe
def version_pdf(request: HttpRequest, version_id: int) -> HttpResponse:
    found = _version(request, version_id)
    name = f"{found.policy.key}-v{found.number}.pdf"
    return download(pdf.version_pdf(found), name, "application/pdf")


@require_safe
def library_pdf(request: HttpRequest) -> HttpResponse:
    org = request.organization
    content = pdf.library_pdf(org.name, queries.library(org))
    return download(content, f"{org.slug}-policies.pdf", "application/pdf")


@require_POST
def paper(request: HttpRequest, version_id: int) -> HttpResponse:
    """Record a paper acknowledgement (owner or admin) with its scan."""
    found = _version(request, version_id)
    form = PaperForm(request.POST, request.FILES, people=audience(found.policy))
    if not form.is_valid():
        messages.error(request, "Choose a person in the audience and attach the scan.")
        return _to_version(request, found)
    try:
        services.record_paper_acknowledgement(
            request.organization, Actor.from_request(request),
            person=int(form.cleaned_data["person"]), version_id=found.pk,
            scan_file=form.cleaned_data["scan"],
        )  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message)
        return _to_version(request, found)
    return _to_version(request, found, "Paper acknowledgement recorded.")


@require_safe
def matrix(request: HttpRequest) -> HttpResponse:
    full = queries.matrix(request.organization)
    rows = [(person, cells, full.person_rate(cells)) for person, cells in full.rows]
    return PAGES.render(request, "policies/matrix.html", {"matrix": full, "rows": rows})


@require_safe
def matrix_csv(request: HttpRequest) -> HttpResponse:
    header, rows = queries.matrix_csv_rows(queries.matrix(request.organization))
    return download(csv_bytes(header, rows), "policy-acknowledgements.csv", "text/csv")


@require_POST
def flag_reviews(request: HttpRequest) -> HttpResponse:
    tasks = services.flag_overdue_reviews(request.organization, Actor.from_request(request))
    return pages.done(request, "policies:index", f"{len(tasks)} review task(s) created.")


@require_POST
def enable_checks(request: HttpRequest) -> HttpResponse:
    integration = services.ensure_policy_checks(request.organization, Actor.from_request(request))
    return pages.done(request, "policies:index", f"The policy checks run as “{integration.name}”.")
