"""Frameworks pages: adopted frameworks and the library, one framework's criteria tree
with readiness, scoping (categories and not-applicable criteria), and the versioned
system description.

Reads need READ and writes WRITE (enforced by the tenancy middleware). A POST calls one
service and redirects; bad input or a refusal shows the page again with the reason next
to the field and the matching 4xx status.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.frameworks import library, queries, services
from zgovern.frameworks.forms import (
    AdoptForm,
    ApplicabilityForm,
    CategoryScopeForm,
    DiffForm,
    SystemDescriptionForm,
    UploadForm,
)
from zgovern.frameworks.models import Category, Criterion, Framework, SystemDescription
from zgovern.frameworks.services import SYSTEM_FIELDS, FrameworkFileError
from zgovern.tenancy import roles
from zgovern.tenancy.forms import add_domain_error


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {"active": "frameworks", "can_write": request.membership.can(roles.WRITE), **context}
    return render(request, template, context, status=status)


# -- index: adopted frameworks, the library, custom uploads ----------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return _index(request)


def _index(
    request: HttpRequest,
    *,
    upload_form: Form | None = None,
    problems: list | None = None,
    status: int = 200,
) -> HttpResponse:
    org = request.organization
    context = {
        "summaries": queries.summaries(org),
        "available": queries.available_builtins(org),
        "upload_form": upload_form or UploadForm(),
        "problems": problems or [],
    }
    return _page(request, "frameworks/index.html", context, status)


@require_POST
def adopt(request: HttpRequest) -> HttpResponse:
    """Adopt a built-in framework and the default controls for it, in one step."""
    form = AdoptForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the listed frameworks.")
        return _index(request, status=400)
    try:
        framework, created = services.adopt_builtin(
            request.organization, _actor(request), form.cleaned_data["key"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _index(request, status=exc.status)
    added = (
        f"with {created} default controls"
        if created
        else "and the controls you already have are mapped to its criteria"
    )
    messages.success(request, f"{framework.name} adopted, {added}. Review its scope next.")
    return redirect(
        "frameworks:scope", org_slug=request.organization.slug, framework_id=framework.pk
    )


@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Adopt a custom framework from a file; a bad file lists every problem, stores nothing."""
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, upload_form=form, status=400)
    file = form.cleaned_data["file"]
    try:
        framework = services.adopt_custom_framework(
            request.organization, _actor(request), file.read(), file.name or ""
        )
    except FrameworkFileError as exc:
        form.add_error("file", "The file was not adopted: fix the problems listed below.")
        return _index(request, upload_form=form, problems=exc.problems, status=400)
    except DomainError as exc:
        status = add_domain_error(form, exc)
        return _index(request, upload_form=form, status=status)
    messages.success(request, f"{framework.name} adopted. Review its scope next.")
    return redirect(
        "frameworks:scope", org_slug=request.organization.slug, framework_id=framework.pk
    )


@cache
def _format_text() -> str:
    return (library.DATA_DIR / "FORMAT.md").read_text(encoding="utf-8")


@require_safe
def file_format(request: HttpRequest) -> HttpResponse:
    """The library file format, as written in ``data/FORMAT.md`` (shown as plain text)."""
    return _page(request, "frameworks/format.html", {"text": _format_text()})


# -- one framework ---------------------------------------------------------------------


def _framework(request: HttpRequest, framework_id: int) -> Framework:
    return get_object_or_404(Framework, pk=framework_id, organization=request.organization)


@require_safe
def framework_detail(request: HttpRequest, framework_id: int) -> HttpResponse:
    """The criteria tree by category, each criterion's scope, controls, coverage and
    cross-references; per-category readiness."""
    framework = _framework(request, framework_id)
    view = queries.framework_view(request.organization, framework)
    _label_controls(request, view)
    context = {
        "framework": framework,
        "view": view,
        "status_counts": queries.status_counts(view.readiness),
    }
    return _page(request, "frameworks/framework.html", context)


def _label_controls(request: HttpRequest, view: queries.FrameworkView) -> None:
    """Give each mapped control its status label and a link to its page (once the
    controls pages exist)."""
    slug = request.organization.slug
    for category in view.categories:
        for row in category.rows:
            for state in row.controls:
                control = state.control
                if hasattr(control, "detail_url"):
                    continue
                control.status_label = queries.status_label(state.verdict.status)
                try:
                    control.detail_url = reverse(
                        "controls:detail", kwargs={"org_slug": slug, "control_id": control.pk}
                    )
                except NoReverseMatch:
                    control.detail_url = ""


# -- scoping ---------------------------------------------------------------------------


@dataclass
class _Bound:
    """A submitted scoping form to show again with its errors, in place of a fresh one."""

    kind: str  # "category" or "criterion"
    pk: int
    form: Form


@require_safe
def scope(request: HttpRequest, framework_id: int) -> HttpResponse:
    return _scope(request, _framework(request, framework_id))


def _scope(
    request: HttpRequest, framework: Framework, bound: _Bound | None = None, status: int = 200
) -> HttpResponse:
    categories, nodes = queries.criteria_with_scope(request.organization, framework)
    criteria: dict[int, list] = {c.pk: [] for c in categories}
    for node in nodes:
        if node.assessable:
            node.form = _form_for(bound, "criterion", node.pk) or ApplicabilityForm(
                prefix=f"k{node.pk}",
                initial={"not_applicable": node.not_applicable,
                         "justification": node.na_justification},
            )  # fmt: skip
            criteria[node.category_id].append(node)
    for category in categories:
        category.form = _form_for(bound, "category", category.pk) or CategoryScopeForm(
            prefix=f"c{category.pk}",
            initial={"in_scope": queries.category_in_scope(category),
                     "reason": category.scope_reason},
        )  # fmt: skip
        category.criteria_list = criteria[category.pk]
        category.na_count = sum(c.not_applicable for c in category.criteria_list)
        # Keep the list open where a submitted criterion is shown again with its error.
        category.open = (
            bound is not None
            and bound.kind == "criterion"
            and any(c.pk == bound.pk for c in category.criteria_list)
        )
    context = {"framework": framework, "categories": categories}
    return _page(request, "frameworks/scope.html", context, status)


def _form_for(bound: _Bound | None, kind: str, pk: int) -> Form | None:
    return bound.form if bound is not None and bound.kind == kind and bound.pk == pk else None


@require_POST
def category_scope(request: HttpRequest, category_id: int) -> HttpResponse:
    org = request.organization
    category = get_object_or_404(
        Category.objects.select_related("framework"), pk=category_id, organization=org
    )
    form = CategoryScopeForm(request.POST, prefix=f"c{category.pk}")
    bound = _Bound("category", category.pk, form)
    if not form.is_valid():
        return _scope(request, category.framework, bound, 400)
    try:
        services.set_category_scope(org, _actor(request), category.pk, **form.cleaned_data)
    except DomainError as exc:
        return _scope(request, category.framework, bound, add_domain_error(form, exc))
    state = "in scope" if form.cleaned_data["in_scope"] else "out of scope"
    messages.success(request, f"{category.name} is {state}.")
    return _back_to_scope(request, category.framework, f"category-{category.pk}")


@require_POST
def criterion_applicability(request: HttpRequest, criterion_id: int) -> HttpResponse:
    org = request.organization
    criterion = get_object_or_404(
        Criterion.objects.select_related("framework"),
        pk=criterion_id,
        organization=org,
        assessable=True,
    )
    form = ApplicabilityForm(request.POST, prefix=f"k{criterion.pk}")
    bound = _Bound("criterion", criterion.pk, form)
    if not form.is_valid():
        return _scope(request, criterion.framework, bound, 400)
    try:
        services.set_criterion_applicability(
            org, _actor(request), criterion.pk, **form.cleaned_data
        )
    except DomainError as exc:
        return _scope(request, criterion.framework, bound, add_domain_error(form, exc))
    state = "not applicable" if form.cleaned_data["not_applicable"] else "applicable"
    messages.success(request, f"{criterion.ref} is {state}.")
    return _back_to_scope(request, criterion.framework, f"criterion-{criterion.pk}")


def _back_to_scope(request: HttpRequest, framework: Framework, anchor: str) -> HttpResponse:
    url = reverse(
        "frameworks:scope",
        kwargs={"org_slug": request.organization.slug, "framework_id": framework.pk},
    )
    return redirect(f"{url}#{anchor}")


# -- system description ----------------------------------------------------------------


def _fields(description: SystemDescription | None) -> list[tuple[str, str]]:
    """(label, text) of each part, in the order the form shows them."""
    labels = SystemDescriptionForm().fields
    return [
        (labels[name].label, getattr(description, name) if description else "")
        for name in SYSTEM_FIELDS
    ]


@require_safe
def system(request: HttpRequest) -> HttpResponse:
    """The current system description, its history, and a choice of versions to compare."""
    org = request.organization
    current = queries.current_system_description(org)
    versions = list(queries.system_versions(org))
    context = {
        "current": current,
        "fields": _fields(current),
        "versions": versions,
        "diff_form": DiffForm(
            initial={"a": versions[1].version, "b": versions[0].version}
            if len(versions) > 1
            else None
        ),
    }
    return _page(request, "frameworks/system.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def system_edit(request: HttpRequest) -> HttpResponse:
    """Edit the description; each save stores a new version and keeps the old ones."""
    org = request.organization
    if request.method != "POST":
        if not request.membership.can(roles.WRITE):
            messages.info(request, f"Your role ({request.membership.role}) can read only.")
            return redirect("frameworks:system", org_slug=org.slug)
        current = queries.current_system_description(org)
        initial = {name: getattr(current, name) for name in SYSTEM_FIELDS} if current else {}
        return _edit(request, SystemDescriptionForm(initial=initial), current)
    form = SystemDescriptionForm(request.POST)
    if not form.is_valid():
        return _edit(request, form, queries.current_system_description(org), 400)
    try:
        saved = services.save_system_description(org, _actor(request), form.cleaned_data)
    except DomainError as exc:
        status = add_domain_error(form, exc)
        return _edit(request, form, queries.current_system_description(org), status)
    messages.success(request, f"Saved as version {saved.version}.")
    return redirect("frameworks:system", org_slug=org.slug)


def _edit(request, form: Form, current, status: int = 200) -> HttpResponse:
    return _page(request, "frameworks/system_edit.html", {"form": form, "current": current}, status)


@require_safe
def system_version(request: HttpRequest, system_description_id: int) -> HttpResponse:
    org = request.organization
    description = get_object_or_404(
        SystemDescription.objects.select_related("created_by"),
        pk=system_description_id,
        organization=org,
    )
    current = queries.current_system_description(org)
    context = {"description": description, "fields": _fields(description), "current": current}
    return _page(request, "frameworks/system_version.html", context)


@dataclass(frozen=True)
class FieldDiff:
    label: str
    lines: list[tuple[str, str]]  # (kind: add/del/hunk/same, text)


@require_safe
def system_diff(request: HttpRequest) -> HttpResponse:
    """What changed between two versions (``?a=<version>&b=<version>``), field by field."""
    org = request.organization
    form = DiffForm(request.GET or None)
    context: dict = {"form": form, "diffs": None}
    if not form.is_bound:
        return _page(request, "frameworks/system_diff.html", context)
    if not form.is_valid():
        return _page(request, "frameworks/system_diff.html", context, 400)
    found = {
        d.version: d
        for d in SystemDescription.objects.filter(
            organization=org, version__in=[form.cleaned_data["a"], form.cleaned_data["b"]]
        )
    }
    for name in ("a", "b"):
        if form.cleaned_data[name] not in found:
            form.add_error(name, f"There is no version {form.cleaned_data[name]}.")
    if form.errors:
        return _page(request, "frameworks/system_diff.html", context, 400)
    old, new = found[form.cleaned_data["a"]], found[form.cleaned_data["b"]]
    context.update(old=old, new=new, diffs=_diffs(old, new))
    return _page(request, "frameworks/system_diff.html", context)


def _diffs(old: SystemDescription, new: SystemDescription) -> list[FieldDiff]:
    kinds = {"+": "add", "-": "del", "@": "hunk", " ": "same"}
    result = []
    for (label, before), (_, after) in zip(_fields(old), _fields(new), strict=True):
        lines = list(
            difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=2)
        )[2:]  # the "---"/"+++" file headers say nothing here
        result.append(FieldDiff(label, [(kinds.get(line[:1], "same"), line) for line in lines]))
    return result
