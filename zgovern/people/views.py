"""People pages: the roster list, a person's page, the forms that add or edit a person and
record a background check or a training, and the roster upload.

Reads need READ and writes WRITE (enforced by the tenancy middleware); a reader who opens a
form is sent back with a note. Bad input shows the form again with the reason and the
matching 4xx status; a bad roster file shows every problem with status 400.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.people import queries, roster, services
from zgovern.people.forms import (
    BackgroundCheckForm,
    FilterForm,
    PersonForm,
    RosterForm,
    TrainingForm,
    add_domain_error,
    person_initial,
)
from zgovern.people.models import Person
from zgovern.people.roster import RosterError
from zgovern.tenancy import roles

PAGE_SIZE = 50
REPORTS_SHOWN = 100


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {"active": "people", "can_write": request.membership.can(roles.WRITE), **context}
    return render(request, template, context, status=status)


def _read_only(request: HttpRequest) -> HttpResponse | None:
    if request.membership.can(roles.WRITE):
        return None
    messages.info(request, f"Your role ({request.membership.role}) can read the roster only.")
    return redirect("people:index", org_slug=request.organization.slug)


def _person(request: HttpRequest, person_id: int) -> Person:
    person = queries.person(request.organization, person_id)
    if person is None:
        raise Http404("No such person")
    return person


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The roster by name, 50 a page, searchable and filtered."""
    form = FilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    rows = queries.people(request.organization, **filters).annotate(
        active_accounts=Count("accounts", filter=Q(accounts__status="active"))
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": any(filters.values()),
        "departments": queries.departments(request.organization),
    }
    return _page(request, "people/index.html", context, 400 if form.errors else 200)


@require_safe
def detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    context = {
        "person": person,
        "reports": list(person.reports.order_by("full_name", "id")[:REPORTS_SHOWN]),
        "checks": list(person.background_checks.all()),
        "trainings": list(person.trainings.all()),
        **_identity(request.organization, person),
    }
    return _page(request, "people/detail.html", context)


def _identity(org, person: Person) -> dict:
    """The person's accounts across systems, aliases, and what the workforce checks say
    about them (onboarding, offboarding, MFA)."""
    from zgovern.identity import queries as identity

    accounts = identity.person_accounts(org, person)
    return {
        "accounts": accounts,
        "aliases": identity.aliases(org, person),
        "workforce": identity.person_state(org, person, accounts),
    }


@require_http_methods(["GET", "HEAD", "POST"])
def add(request: HttpRequest) -> HttpResponse:
    if (refused := _read_only(request)) is not None:
        return refused
    if request.method != "POST":
        return _form(request, PersonForm(), "add")
    form = PersonForm(request.POST)
    if not form.is_valid():
        return _form(request, form, "add", status=400)
    try:
        person = services.create_person(
            request.organization, Actor.from_request(request), **form.fields_for_service()
        )
    except DomainError as exc:
        return _form(request, form, "add", status=add_domain_error(form, exc))
    return _done(request, person, f"{person.full_name} added to the roster.")


@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    if (refused := _read_only(request)) is not None:
        return refused
    if request.method != "POST":
        return _form(request, PersonForm(initial=person_initial(person)), "edit", person)
    form = PersonForm(request.POST)
    if not form.is_valid():
        return _form(request, form, "edit", person, 400)
    try:
        services.update_person(
            request.organization, Actor.from_request(request), person.pk,
            **form.fields_for_service(),
        )  # fmt: skip
    except DomainError as exc:
        return _form(request, form, "edit", person, add_domain_error(form, exc))
    return _done(request, person, "Changes saved.")


@require_http_methods(["GET", "HEAD", "POST"])
def background_check(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    if (refused := _read_only(request)) is not None:
        return refused
    if request.method != "POST":
        return _form(request, BackgroundCheckForm(), "check", person)
    form = BackgroundCheckForm(request.POST)
    if not form.is_valid():
        return _form(request, form, "check", person, 400)
    try:
        services.record_background_check(
            request.organization, Actor.from_request(request), person.pk, **form.cleaned_data
        )
    except DomainError as exc:
        return _form(request, form, "check", person, add_domain_error(form, exc))
    return _done(request, person, "Background check recorded.")


@require_http_methods(["GET", "HEAD", "POST"])
def training(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    if (refused := _read_only(request)) is not None:
        return refused
    if request.method != "POST":
        return _form(request, TrainingForm(), "training", person)
    form = TrainingForm(request.POST)
    if not form.is_valid():
        return _form(request, form, "training", person, 400)
    try:
        services.record_training(
            request.organization, Actor.from_request(request), person.pk, **form.cleaned_data
        )
    except DomainError as exc:
        return _form(request, form, "training", person, add_domain_error(form, exc))
    return _done(request, person, "Training recorded.")


@require_http_methods(["GET", "HEAD", "POST"])
def import_roster(request: HttpRequest) -> HttpResponse:
    """The upload page documents the columns; a bad file answers 400 with every problem."""
    if (refused := _read_only(request)) is not None:
        return refused
    context = {
        "columns": roster.COLUMNS,
        "problems": None,
        "report": None,
        "max_bytes": settings.ROSTER_MAX_BYTES,
        "max_rows": settings.ROSTER_MAX_ROWS,
    }
    if request.method != "POST":
        return _page(request, "people/import.html", {**context, "form": RosterForm()})
    form = RosterForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return _page(request, "people/import.html", context, 400)
    upload = form.cleaned_data["file"]
    try:
        context["report"] = services.import_roster(
            request.organization, Actor.from_request(request), upload.name, _read(upload)
        )
    except RosterError as exc:
        context.update(problems=exc.problems, total=exc.total, summary=exc.message)
        return _page(request, "people/import.html", context, 400)
    except DomainError as exc:
        return _page(request, "people/import.html", context, add_domain_error(form, exc))
    return _page(request, "people/import.html", context)


def _read(upload) -> bytes:
    """The upload's bytes, one past the limit at most: a larger file is refused by size
    without being read whole."""
    upload.seek(0)
    return upload.read(settings.ROSTER_MAX_BYTES + 1)


def _form(
    request: HttpRequest, form, mode: str, person: Person | None = None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "mode": mode, "person": person}
    return _page(request, "people/form.html", context, status)


def _done(request: HttpRequest, person: Person, note: str) -> HttpResponse:
    messages.success(request, note)
    return redirect("people:detail", org_slug=request.organization.slug, person_id=person.pk)
