"""What the organisation's HTML views share: the page rendered with its navigation context,
the refusal a read-only member gets when opening a form, the lookup that answers 404, the
redirect after a write and the GET/POST flow of a form page.

The contract every app's pages keep with these helpers: reads need READ and writes WRITE
(the tenancy middleware enforces both); a reader who opens a form is sent back to the app's
index with a note; bad input shows the form again with the reason and the matching 4xx
status (400 for a form that does not validate, the service's status for its refusal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib import messages
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zgovern.core.errors import DomainError
from zgovern.tenancy import roles

# The methods a form page answers: GET and HEAD show it, POST submits it.
FORM_METHODS = ["GET", "HEAD", "POST"]

T = TypeVar("T")
F = TypeVar("F", bound=BaseForm)
# How a form page shows its form (the first argument) with a status.
Show = Callable[[Any, int], HttpResponse]


@dataclass(frozen=True)
class Pages:
    """One app's pages.

    ``active`` is the app's key in the navigation (``core.navigation.SECTIONS``) and the
    namespace of its URLs, whose ``index`` a read-only member is sent back to; ``readable``
    names what such a member may read, as in "Your role (auditor) can read <readable> only."
    """

    active: str
    readable: str

    def render(
        self, request: HttpRequest, template: str, context: dict, status: int = 200
    ) -> HttpResponse:
        """``template`` rendered with ``status``; the context also holds ``active`` (this
        app's navigation key) and ``can_write`` (whether the member may WRITE), unless
        ``context`` sets them itself."""
        context = {"active": self.active, "can_write": request.membership.can(roles.WRITE),
                   **context}  # fmt: skip
        return render(request, template, context, status=status)

    def refuse_read_only(self, request: HttpRequest) -> HttpResponse | None:
        """None when the member may WRITE; otherwise a note naming their role and a
        redirect to this app's index, which the view returns instead of its form."""
        if request.membership.can(roles.WRITE):
            return None
        messages.info(
            request, f"Your role ({request.membership.role}) can read {self.readable} only."
        )
        return redirect(f"{self.active}:index", org_slug=request.organization.slug)

    def upload(
        self,
        request: HttpRequest,
        template: str,
        context: dict,
        form: F,
        run: Callable[[F], object],
        problems: type[Exception],
        domain_status: Callable[[F, DomainError], int],
    ) -> HttpResponse:
        """The flow of an upload page (``form_flow``), always ``template`` rendered from
        ``context``, which gets ``form``.

        ``run(form)`` imports a valid form's file and its result becomes ``report`` (200).
        A ``problems`` exception it raises (one with ``problems``, ``total`` and ``message``)
        fills ``problems``, ``total`` and ``summary`` instead, with 400; any other
        DomainError is put on the form with its status.
        """
        context["form"] = form

        def show(form: F, status: int) -> HttpResponse:
            return self.render(request, template, context, status)

        def save(form: F) -> HttpResponse:
            try:
                context["report"] = run(form)
            except problems as exc:
                context.update(problems=exc.problems, total=exc.total, summary=exc.message)
                return show(form, 400)
            return show(form, 200)

        return form_flow(request, form, show, save, domain_status)


def found(item: T | None, what: str) -> T:
    """``item``; Http404 "No such <what>" when it is None (a scoped query found nothing: it
    does not exist or belongs to another organisation, and both answer 404)."""
    if item is None:
        raise Http404(f"No such {what}")
    return item


def done(request: HttpRequest, url_name: str, note: str = "", **kwargs: object) -> HttpResponse:
    """A redirect to ``url_name`` of the request's organisation (``kwargs`` fill the rest of
    the URL), after ``note`` as a success message when it is not empty."""
    if note:
        messages.success(request, note)
    return redirect(url_name, org_slug=request.organization.slug, **kwargs)


def form_flow(
    request: HttpRequest,
    form: F,
    show: Callable[[F, int], HttpResponse],
    save: Callable[[F], HttpResponse],
    domain_status: Callable[[F, DomainError], int],
) -> HttpResponse:
    """The GET/POST flow of a form page; the view checks WRITE and builds ``form`` (bound
    to the POST on a POST) first.

    GET or HEAD: ``show(form, 200)``. POST: a form that does not validate is shown with
    400; a valid one goes to ``save``, whose response (usually a redirect) is returned; a
    DomainError that ``save`` raises is put on the form by ``domain_status``, which returns
    the status the form is shown again with. Nothing else ``save`` raises is caught.
    """
    if request.method != "POST":
        return show(form, 200)
    if not form.is_valid():
        return show(form, 400)
    try:
        return save(form)
    except DomainError as exc:
        return show(form, domain_status(form, exc))
