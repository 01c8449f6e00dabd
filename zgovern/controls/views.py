"""Controls pages: the filtered list, one control with its status and every reason, and the
forms that edit it, its tests, criteria, override and evidence.

Reads need READ and writes WRITE (enforced by the tenancy middleware); a reader who opens a
form page is sent back with a note. A POST calls one service and redirects; bad input or a
refusal shows the page again with the reason and the matching 4xx status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zgovern.controls import forms, queries, services
from zgovern.controls.models import Control, ControlStatus, EvidenceRequirement
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.frameworks.controlset import DOMAINS
from zgovern.frameworks.models import Category, Framework
from zgovern.readiness.engine import assess_organization
from zgovern.tenancy import roles

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {"active": "controls", "can_write": request.membership.can(roles.WRITE), **context}
    return render(request, template, context, status=status)


def _read_only(request: HttpRequest, back: str) -> HttpResponse | None:
    """Send a reader who opened a form page back, with a note."""
    if request.membership.can(roles.WRITE):
        return None
    messages.info(request, f"Your role ({request.membership.role}) can read controls only.")
    return redirect(back)


def _control(request: HttpRequest, control_id: int) -> Control:
    return get_object_or_404(Control, pk=control_id, organization=request.organization)


def _detail_url(request: HttpRequest, control: Control, anchor: str = "") -> str:
    url = reverse(
        "controls:detail", kwargs={"org_slug": request.organization.slug, "control_id": control.pk}
    )
    return f"{url}#{anchor}" if anchor else url


# -- the list -------------------------------------------------------------------------


@dataclass
class Row:
    state: Any
    owner: Any
    badge: str
    label: str


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Every control with its derived status, filtered and sorted on the server, 50 a
    page. The statuses come from one readiness assessment: the page's query count does
    not grow with the number of controls."""
    org = request.organization
    form = forms.ControlFilterForm(
        request.GET or None,
        frameworks=list(Framework.objects.filter(organization=org)),
        categories=list(Category.objects.filter(organization=org).select_related("framework")),
        members=queries.owners(org),
        domains=queries.domains(org),
    )
    filters = form.filters()
    assessment = assess_organization(org)
    states = queries.control_rows(org, assessment, filters)
    page = Paginator(states, PAGE_SIZE).get_page(request.GET.get("page"))
    users = queries.users_by_id(s.control.owner_id for s in page)
    rows = [
        Row(
            s,
            users.get(s.control.owner_id),
            queries.STATUS_BADGE.get(s.verdict.status, ""),
            ControlStatus(s.verdict.status).label,
        )
        for s in page
    ]
    counts = Counter(s.verdict.status for s in assessment.controls.values())
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "summary": [(label, counts[value], value) for value, label in ControlStatus.choices],
        "filtered": filters != queries.ControlFilters(),
        "total": len(assessment.controls),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return _page(request, "controls/index.html", context, status)


# -- one control ----------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    control: Control,
    bound: dict[str, django_forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The control page; ``bound`` replaces the blank form of that name (with errors)."""
    org = request.organization
    state = assess_organization(org).controls.get(control.pk)
    owners = queries.owners(org)
    override_initial = {"status": control.override_status or (state and state.verdict.status)}
    page_forms = {
        "owner": forms.OwnerForm(initial={"owner": control.owner_id}, owners=owners),
        "override": forms.OverrideForm(initial=override_initial),
        "check": forms.CheckForm(),
        "policy": forms.PolicyForm(),
        "requirement": forms.RequirementForm(initial={"freshness_days": 365}),
        "criterion": forms.CriterionForm(criteria=queries.criterion_choices(org, control)),
        **(bound or {}),
    }
    context = {
        "control": control,
        "state": state,
        "badge": queries.STATUS_BADGE.get(state.verdict.status, "") if state else "",
        "status_label": ControlStatus(state.verdict.status).label if state else "",
        "tests": queries.control_tests(org, control),
        "criteria": queries.mapped_criteria(org, control),
        "evidence": queries.linked_evidence(org, control),
        "evidence_choices": queries.evidence_choices(org, control),
        "tasks": list(queries.tasks(org, queries.TaskFilters(control=control.pk))),
        "domain_label": DOMAINS.get(control.domain, control.domain),
        "forms": page_forms,
    }
    return _page(request, "controls/detail.html", context, status)


@require_safe
def detail(request: HttpRequest, control_id: int) -> HttpResponse:
    return _detail(request, _control(request, control_id))


def _submit(
    request: HttpRequest,
    control_id: int,
    name: str,
    form: django_forms.Form,
    call: Callable[[Control, dict], str],
    anchor: str,
) -> HttpResponse:
    """Validate ``form``, run ``call`` (a service; returns the success note) and go back to
    the control; on bad input or a refusal show the page with the reason and its status."""
    control = _control(request, control_id)
    if not form.is_valid():
        _flash_errors(request, name, form)
        return _detail(request, control, {name: form}, 400)
    try:
        note = call(control, form.cleaned_data)
    except DomainError as exc:
        status = forms.add_domain_error(form, exc)
        _flash_errors(request, name, form)
        return _detail(request, control, {name: form}, status)
    messages.success(request, note)
    return redirect(_detail_url(request, control, anchor))


# Forms the control page shows (with their errors); the others (remove, unlink, a table
# row's edit) have nowhere to show an error, so it is said above the page instead.
SHOWN_FORMS = ("owner", "override", "check", "policy", "requirement", "criterion")


def _flash_errors(request: HttpRequest, name: str, form: django_forms.Form) -> None:
    if name in SHOWN_FORMS:
        return
    for field, errors in form.errors.items():
        label = form[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@require_POST
def set_owner(request: HttpRequest, control_id: int) -> HttpResponse:
    form = forms.OwnerForm(request.POST, owners=queries.owners(request.organization))

    def call(control: Control, data: dict) -> str:
        services.set_owner(request.organization, _actor(request), control.pk, data["owner"])
        return "Owner saved."

    return _submit(request, control_id, "owner", form, call, "about")


@require_POST
def set_override(request: HttpRequest, control_id: int) -> HttpResponse:
    form = forms.OverrideForm(request.POST)

    def call(control: Control, data: dict) -> str:
        services.set_override(request.organization, _actor(request), control.pk, **data)
        return "Status set by hand; the justification is in the activity log."

    return _submit(request, control_id, "override", form, call, "status")


@require_POST
def clear_override(request: HttpRequest, control_id: int) -> HttpResponse:
    def call(control: Control, data: dict) -> str:
        services.clear_override(request.organization, _actor(request), control.pk)
        return "Manual status cleared; the status is derived from the tests again."

    return _submit(request, control_id, "clear", django_forms.Form(request.POST), call, "status")


@require_POST
def add_check(request: HttpRequest, control_id: int) -> HttpResponse:
    def call(control: Control, data: dict) -> str:
        check = services.add_check(
            request.organization, _actor(request), control.pk, data["check_id"]
        )
        return f"Check {check.check_id} added."

    form = forms.CheckForm(request.POST)
    return _submit(request, control_id, "check", form, call, "tests")


@require_POST
def remove_check(request: HttpRequest, control_id: int) -> HttpResponse:
    form = forms.CheckForm(request.POST)

    def call(control: Control, data: dict) -> str:
        services.remove_check(request.organization, _actor(request), control.pk, data["check_id"])
        return f"Check {data['check_id']} removed."

    return _submit(request, control_id, "remove_check", form, call, "tests")


@require_POST
def add_policy(request: HttpRequest, control_id: int) -> HttpResponse:
    def call(control: Control, data: dict) -> str:
        policy = services.add_policy(
            request.organization, _actor(request), control.pk, data["policy_key"]
        )
        return f"Policy {policy.policy_key} added."

    form = forms.PolicyForm(request.POST)
    return _submit(request, control_id, "policy", form, call, "tests")


@require_POST
def remove_policy(request: HttpRequest, control_id: int) -> HttpResponse:
    form = forms.PolicyForm(request.POST)

    def call(control: Control, data: dict) -> str:
        services.remove_policy(
            request.organization, _actor(request), control.pk, data["policy_key"]
        )
        return f"Policy {data['policy_key']} removed."

    return _submit(request, control_id, "remove_policy", form, call, "tests")


@require_POST
def add_requirement(request: HttpRequest, control_id: int) -> HttpResponse:
    def call(control: Control, data: dict) -> str:
        services.add_requirement(request.organization, _actor(request), control.pk, **data)
        return "Evidence requirement added."

    form = forms.RequirementForm(request.POST)
    return _submit(request, control_id, "requirement", form, call, "tests")


def _requirement(request: HttpRequest, requirement_id: int) -> EvidenceRequirement:
    return get_object_or_404(
        EvidenceRequirement.objects.select_related("control"),
        pk=requirement_id,
        organization=request.organization,
    )


@require_POST
def edit_requirement(request: HttpRequest, requirement_id: int) -> HttpResponse:
    requirement = _requirement(request, requirement_id)
    form = forms.RequirementForm(request.POST)

    def call(control: Control, data: dict) -> str:
        services.update_requirement(request.organization, _actor(request), requirement.pk, **data)
        return "Evidence requirement saved."

    return _submit(request, requirement.control_id, "edit_requirement", form, call, "tests")


@require_POST
def remove_requirement(request: HttpRequest, requirement_id: int) -> HttpResponse:
    requirement = _requirement(request, requirement_id)

    def call(control: Control, data: dict) -> str:
        services.remove_requirement(request.organization, _actor(request), requirement.pk)
        return f"Evidence requirement {requirement.kind} removed."

    form = django_forms.Form(request.POST)
    return _submit(request, requirement.control_id, "remove_requirement", form, call, "tests")


@require_POST
def map_criterion(request: HttpRequest, control_id: int) -> HttpResponse:
    control = _control(request, control_id)
    criteria = queries.criterion_choices(request.organization, control)
    form = forms.CriterionForm(request.POST, criteria=criteria)

    def call(control: Control, data: dict) -> str:
        services.map_criteria(
            request.organization, _actor(request), control.pk, [data["criterion"]]
        )
        return "Criterion mapped."

    return _submit(request, control_id, "criterion", form, call, "criteria")


@require_POST
def unmap_criterion(request: HttpRequest, control_id: int) -> HttpResponse:
    form = forms.IdForm(request.POST)

    def call(control: Control, data: dict) -> str:
        services.unmap_criteria(request.organization, _actor(request), control.pk, [data["id"]])
        return "Criterion unmapped."

    return _submit(request, control_id, "unmap", form, call, "criteria")


@require_POST
def link_evidence(request: HttpRequest, control_id: int) -> HttpResponse:
    form = forms.IdForm(request.POST)

    def call(control: Control, data: dict) -> str:
        services.link_evidence(request.organization, _actor(request), control.pk, data["id"])
        return "Evidence linked."

    return _submit(request, control_id, "link", form, call, "evidence")


@require_POST
def unlink_evidence(request: HttpRequest, control_id: int) -> HttpResponse:
    form = forms.IdForm(request.POST)

    def call(control: Control, data: dict) -> str:
        services.unlink_evidence(request.organization, _actor(request), control.pk, data["id"])
        return "Evidence unlinked; the item itself is kept."

    return _submit(request, control_id, "unlink", form, call, "evidence")


# -- form pages -----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def add_evidence(request: HttpRequest, control_id: int) -> HttpResponse:
    """Upload a file or give a link as evidence, linked to this control."""
    control = _control(request, control_id)
    if (refused := _read_only(request, _detail_url(request, control))) is not None:
        return refused
    kinds = [r.kind for r in control.evidence_requirements.order_by("kind")]
    if request.method != "POST":
        form = forms.EvidenceForm(initial={"kind": kinds[0] if kinds else ""})
        return _evidence_form(request, control, form, kinds)
    form = forms.EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _evidence_form(request, control, form, kinds, 400)
    try:
        services.add_evidence(request.organization, _actor(request), control.pk, **form.arguments())
    except DomainError as exc:
        status = forms.add_domain_error(form, exc, {"uploaded_file": "file"})
        return _evidence_form(request, control, form, kinds, status)
    messages.success(request, "Evidence added and linked to the control.")
    return redirect(_detail_url(request, control, "evidence"))


def _evidence_form(request, control, form, kinds, status: int = 200) -> HttpResponse:
    suggestions = sorted(set(kinds) | set(queries.evidence_kinds(request.organization)))
    context = {"control": control, "form": form, "kinds": suggestions}
    return _page(request, "controls/evidence_form.html", context, status)


@require_http_methods(["GET", "HEAD", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    org = request.organization
    back = reverse("controls:index", kwargs={"org_slug": org.slug})
    if (refused := _read_only(request, back)) is not None:
        return refused
    owners = queries.owners(org)
    if request.method != "POST":
        return _control_form(request, forms.ControlForm(owners=owners), None)
    form = forms.ControlForm(request.POST, owners=owners)
    if not form.is_valid():
        return _control_form(request, form, None, 400)
    try:
        control = services.create_control(org, _actor(request), **form.cleaned_data)
    except DomainError as exc:
        return _control_form(request, form, None, forms.add_domain_error(form, exc))
    messages.success(request, "Control created. Add its tests and map it to criteria.")
    return redirect(_detail_url(request, control))


@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, control_id: int) -> HttpResponse:
    org = request.organization
    control = _control(request, control_id)
    if (refused := _read_only(request, _detail_url(request, control))) is not None:
        return refused
    owners = queries.owners(org)
    if request.method != "POST":
        initial = {name: getattr(control, name) for name in forms.ControlForm.base_fields}
        form = forms.ControlForm(initial={**initial, "owner": control.owner_id}, owners=owners)
        return _control_form(request, form, control)
    form = forms.ControlForm(request.POST, owners=owners)
    if not form.is_valid():
        return _control_form(request, form, control, 400)
    try:
        services.update_control(org, _actor(request), control.pk, **form.cleaned_data)
    except DomainError as exc:
        return _control_form(request, form, control, forms.add_domain_error(form, exc))
    messages.success(request, "Control saved.")
    return redirect(_detail_url(request, control))


def _control_form(request, form, control: Control | None, status: int = 200) -> HttpResponse:
    domains = sorted(set(DOMAINS) | set(queries.domains(request.organization)))
    context = {"form": form, "control": control, "domains": domains}
    return _page(request, "controls/control_form.html", context, status)
