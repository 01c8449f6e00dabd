"""People pages: the roster list, a person's page, the forms that add or edit a person and
record a background check or a training, and the roster upload.

Access, refusals and bad input follow ``zgovern.core.pages``; a bad roster file shows every
problem with status 400.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_safe

from zgovern.core import pages
from zgovern.core.actor import Actor
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

PAGE_SIZE = 50
REPORTS_SHOWN = 100
PAGES = pages.Pages(active="people", readable="the roster")


def _person(request: HttpRequest, person_id: int) -> Person:
    return pages.found(queries.person(request.organization, person_id), "person")


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
    return PAGES.render(request, "people/index.html", context, 400 if form.errors else 200)


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
    return PAGES.render(request, "people/detail.html", context)


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


@require_http_methods(pages.FORM_METHODS)
def add(request: HttpRequest) -> HttpResponse:
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    form = PersonForm(request.POST) if request.method == "POST" else PersonForm()

    def save(form: PersonForm) -> HttpResponse:
        person = services.create_person(
            request.organization, Actor.from_request(request), **form.fields_for_service()
        )
        return _done(request, person, f"{person.full_name} added to the roster.")

    return pages.form_flow(request, form, _shown(request, "add"), save, add_domain_error)


@require_http_methods(pages.FORM_METHODS)
def edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    posted = request.method == "POST"
    form = PersonForm(request.POST) if posted else PersonForm(initial=person_initial(person))

    def save(form: PersonForm) -> HttpResponse:
        services.update_person(
            request.organization, Actor.from_request(request), person.pk,
            **form.fields_for_service(),
        )  # fmt: skip
        return _done(request, person, "Changes saved.")

    return pages.form_flow(request, form, _shown(request, "edit", person), save, add_domain_error)


@require_http_methods(pages.FORM_METHODS)
def background_check(request: HttpRequest, person_id: int) -> HttpResponse:
    return _record(
        request, person_id, "check", BackgroundCheckForm,
        services.record_background_check, "Background check recorded.",
    )  # fmt: skip


@require_http_methods(pages.FORM_METHODS)
def training(request: HttpRequest, person_id: int) -> HttpResponse:
    return _record(
        request, person_id, "training", TrainingForm, services.record_training,
        "Training recorded.",
    )  # fmt: skip


def _record(
    request: HttpRequest,
    person_id: int,
    mode: str,
    form_class: type[forms.Form],
    action: Callable[..., object],
    note: str,
) -> HttpResponse:
    """The form of ``mode`` whose cleaned data ``action`` records for the person; ``note``
    once it is recorded."""
    person = _person(request, person_id)
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    form = form_class(request.POST) if request.method == "POST" else form_class()

    def save(form) -> HttpResponse:
        action(request.organization, Actor.from_request(request), person.pk, **form.cleaned_data)
        return _done(request, person, note)

    return pages.form_flow(request, form, _shown(request, mode, person), save, add_domain_error)


@require_http_methods(pages.FORM_METHODS)
def import_roster(request: HttpRequest) -> HttpResponse:
    """The upload page documents the columns; a bad file answers 400 with every problem."""
    if (refused := PAGES.refuse_read_only(request)) is not None:
        return refused
    context = {
        "columns": roster.COLUMNS,
        "problems": None,
        "report": None,
        "max_bytes": settings.ROSTER_MAX_BYTES,
        "max_rows": settings.ROSTER_MAX_ROWS,
    }
    posted = request.method == "POST"
    form = RosterForm(request.POST, request.FILES) if posted else RosterForm()

    def run(form: RosterForm) -> object:
        upload = form.cleaned_data["file"]
        return services.import_roster(
            request.organization, Actor.from_request(request), upload.name, _read(upload)
        )

    return PAGES.upload(
        request, "people/import.html", context, form, run, RosterError, add_domain_error
    )


def _read(upload) -> bytes:
    """The upload's bytes, one past the limit at most: a larger file is refused by size
    without being read whole."""
    upload.seek(0)
    return upload.read(settings.ROSTER_MAX_BYTES + 1)


def _shown(request: HttpRequest, mode: str, person: Person | None = None) -> pages.Show:
    """How form_flow shows the form of ``mode`` (about ``person``, if any) with a status."""

    def show(form, status: int) -> HttpResponse:
        context = {"form": form, "mode": mode, "person": person}
        return PAGES.render(request, "people/form.html", context, status)

    return show


def _done(request: HttpRequest, person: Person, note: str) -> HttpResponse:
    return pages.done(request, "people:detail", note, person_id=person.pk)
