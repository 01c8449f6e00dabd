"""The shared page helpers keep the contracts the apps' views relied on when each had its own
copy: the navigation context, the read-only refusal, 404 lookups, redirects after a write and
the form flow's statuses."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from zgovern.core import pages
from zgovern.core.errors import Conflict, DomainError
from zgovern.tenancy import roles
from zgovern.tenancy.roles import Role

PAGES = pages.Pages(active="vendors", readable="vendors")


def _request(role: str = Role.OWNER, method: str = "get", data: dict | None = None):
    request = getattr(RequestFactory(), method)("/o/org-a/vendors/x/", data or {})
    request.session = {}
    request._messages = FallbackStorage(request)
    request.organization = SimpleNamespace(slug="org-a")
    request.membership = SimpleNamespace(role=role, can=lambda c: roles.can(role, c))
    return request


class NameForm(forms.Form):
    name = forms.CharField()


def test_render_adds_the_navigation_context_unless_the_view_sets_it(monkeypatch):
    seen = {}

    def fake_render(request, template, context, status):
        seen.update(template=template, context=context)
        return HttpResponse(status=status)

    monkeypatch.setattr(pages, "render", fake_render)
    response = PAGES.render(_request(Role.AUDITOR), "vendors/x.html", {"a": 1}, 409)
    assert response.status_code == 409
    assert seen == {
        "template": "vendors/x.html",
        "context": {"active": "vendors", "can_write": False, "a": 1},
    }
    PAGES.render(_request(), "vendors/x.html", {"active": "mine"})
    assert seen["context"] == {"active": "mine", "can_write": True}


def test_a_reader_is_sent_to_the_index_with_a_note_and_a_writer_is_not():
    assert PAGES.refuse_read_only(_request(Role.MEMBER)) is None
    request = _request(Role.AUDITOR)
    refused = PAGES.refuse_read_only(request)
    assert refused.status_code == 302
    assert refused.url == "/o/org-a/vendors/"
    assert [str(m) for m in get_messages(request)] == ["Your role (auditor) can read vendors only."]


def test_found_answers_404_naming_what_is_missing():
    assert pages.found(0, "vendor") == 0  # only None is missing, not every falsy value
    with pytest.raises(Http404, match="No such vendor"):
        pages.found(None, "vendor")


def test_done_redirects_within_the_organisation_with_an_optional_note():
    request = _request()
    assert pages.done(request, "vendors:index").url == "/o/org-a/vendors/"
    assert list(get_messages(request)) == []
    response = pages.done(request, "vendors:detail", "Saved.", vendor_id=7)
    assert response.url == "/o/org-a/vendors/7/"
    assert [str(m) for m in get_messages(request)] == ["Saved."]


def _flow(request, save):
    form = NameForm(request.POST) if request.method == "POST" else NameForm()

    def show(form: NameForm, status: int) -> HttpResponse:
        return HttpResponse(str(form.errors), status=status)

    def domain_status(form: NameForm, exc: DomainError) -> int:
        form.add_error(exc.field, exc.message)
        return exc.status

    return pages.form_flow(request, form, show, save, domain_status)


def _refuse(form: NameForm) -> HttpResponse:
    raise Conflict("Taken.", field="name")


def test_form_flow_statuses():
    saved = []

    def save(form: NameForm) -> HttpResponse:
        saved.append(form.cleaned_data["name"])
        return HttpResponse(status=302)

    assert _flow(_request(), save).status_code == 200
    assert _flow(_request(method="post"), save).status_code == 400
    assert _flow(_request(method="post", data={"name": "x"}), save).status_code == 302
    assert saved == ["x"]
    refused = _flow(_request(method="post", data={"name": "y"}), _refuse)
    assert refused.status_code == 409
    assert "Taken." in refused.content.decode()


def test_form_flow_lets_other_errors_through():
    def save(form: NameForm) -> HttpResponse:
        raise ValueError("a bug, not a refusal")

    with pytest.raises(ValueError):
        _flow(_request(method="post", data={"name": "x"}), save)


class Problems(Exception):
    def __init__(self) -> None:
        super().__init__()
        self.problems, self.total, self.message = ["line 2: no email"], 3, "3 problems."


def _upload(run, data: dict | None = None) -> tuple[int, dict]:
    request = _request(method="post" if data else "get", data=data)
    form = NameForm(request.POST) if data else NameForm()
    context = {"report": None, "problems": None}
    response = PAGES.upload(request, "t.html", context, form, run, Problems, _add)
    return response.status_code, context


def _add(form: NameForm, exc: DomainError) -> int:
    form.add_error(None, exc.message)
    return exc.status


def _raising(exc: Exception):
    def run(form: NameForm) -> object:
        raise exc

    return run


def test_upload_shows_the_report_or_every_problem(monkeypatch):
    monkeypatch.setattr(pages, "render", lambda r, t, c, status: HttpResponse(status=status))
    status, context = _upload(lambda form: "report")
    assert (status, context["report"]) == (200, None)
    assert isinstance(context["form"], NameForm)
    status, context = _upload(lambda form: "report", {"name": "x"})
    assert (status, context["report"], context["problems"]) == (200, "report", None)
    status, context = _upload(_raising(Problems()), {"name": "x"})
    assert status == 400
    assert (context["problems"], context["total"], context["summary"]) == (
        ["line 2: no email"], 3, "3 problems.",
    )  # fmt: skip
    status, context = _upload(_raising(Conflict("Busy.")), {"name": "x"})
    assert (status, context["problems"]) == (409, None)
    assert context["form"].non_field_errors() == ["Busy."]
