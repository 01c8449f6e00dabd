"""The employee portal's pages: a policy version to read and acknowledge, a course to
mark done or prove with a certificate. The task list itself is the organisation's "My
tasks" page (``core:my_tasks``), filled by :func:`tasks_context`.

Every role has OWN_TASKS, so these views are open to all members, but each acts only for
the person the signed-in user is on the roster (see :func:`queries.person_for`): there is
no person parameter to point at someone else. A member who is not on the roster is sent
back to "My tasks" when reading and refused (403) when writing.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from zgovern.core.actor import Actor, client_ip
from zgovern.core.errors import DomainError
from zgovern.people.models import Person
from zgovern.policies import rendering
from zgovern.policies import services as policies
from zgovern.policies.models import PolicyVersion, VersionStatus
from zgovern.portal import queries
from zgovern.portal.forms import CertificateForm, CompletionForm
from zgovern.tenancy import roles
from zgovern.tenancy.middleware import requires
from zgovern.training import queries as training
from zgovern.training import schedule
from zgovern.training import services as training_services
from zgovern.training.models import Course

NOT_ON_ROSTER = (
    "Your account ({email}) is not on {org}'s roster, so you have no tasks here. "
    "Ask an administrator to add you, or to add this address as an alias."
)
GET_POST = require_http_methods(["GET", "HEAD", "POST"])


def me(request: HttpRequest) -> Person | None:
    return queries.person_for(request.organization, request.user.email)


def tasks_context(request: HttpRequest) -> dict:
    """What "My tasks" shows: the signed-in user's own tasks only."""
    person = me(request)
    return {
        "tasks": queries.own_tasks(request.organization, person, timezone.localdate()),
        "not_on_roster": None if person else _not_on_roster(request),
    }


def _not_on_roster(request: HttpRequest) -> str:
    return NOT_ON_ROSTER.format(email=request.user.email, org=request.organization.name)


def _person_or_back(request: HttpRequest) -> Person | HttpResponse:
    """The person, or (for a read) a way back to "My tasks"; a write is refused with 403."""
    person = me(request)
    if person is not None:
        return person
    if request.method == "POST":
        return render(
            request, "portal/refused.html", {"reason": _not_on_roster(request)}, status=403
        )
    messages.info(request, _not_on_roster(request))
    return redirect("core:my_tasks", org_slug=request.organization.slug)


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, template, {"active": "tasks", **context}, status=status)


# -- policies -------------------------------------------------------------------------


def _version(request: HttpRequest, version_id: int) -> PolicyVersion:
    """A version an employee may read: published, or retired once published."""
    version = (
        PolicyVersion.objects.filter(organization=request.organization, pk=version_id)
        .exclude(published_at__isnull=True)
        .select_related("policy")
        .first()
    )
    if version is None:
        raise Http404("No such policy version")
    return version


@requires(read=roles.OWN_TASKS, write=roles.OWN_TASKS)
@GET_POST
def policy(request: HttpRequest, version_id: int) -> HttpResponse:
    """Read a published version; acknowledge it (POST) with the client's address and user
    agent. Refusals (not in the audience, superseded, already done) say why."""
    version = _version(request, version_id)
    person = _person_or_back(request)
    if isinstance(person, HttpResponse):
        return person
    task = queries.policy_task(request.organization, person, version.policy_id)
    if task is None and request.method != "POST":
        raise Http404("This policy is not for you")
    if request.method != "POST":
        return _policy_page(request, version, task)
    actor = Actor.from_request(request)
    try:
        policies.acknowledge(
            request.organization, actor, person=person, version_id=version.pk,
            client_ip=client_ip(request), user_agent=actor.user_agent,
        )  # fmt: skip
    except DomainError as exc:
        return _policy_page(request, version, task, error=exc.message, status=exc.status)
    messages.success(request, f"Thank you: you acknowledged {version}.")
    return redirect("core:my_tasks", org_slug=request.organization.slug)


def _policy_page(request, version, task, *, error: str = "", status: int = 200) -> HttpResponse:
    current = version.status == VersionStatus.PUBLISHED
    context = {
        "version": version,
        "task": task,
        "html": mark_safe(rendering.to_html(version.body)),  # sanitised by nh3  # noqa: S308
        "can_acknowledge": current and task is not None and not task.done,
        "newer": task.version if task is not None and task.version.pk != version.pk else None,
        "error": error,
    }
    return _page(request, "portal/policy.html", context, status)


# -- training -------------------------------------------------------------------------


def _course(request: HttpRequest, course_id: int) -> Course:
    course = training.course(request.organization, course_id)
    if course is None:
        raise Http404("No such course")
    return course


def _standing(request: HttpRequest, person: Person, course: Course):
    rows = training.statuses(
        request.organization, timezone.localdate(), course=course, person=person
    )
    return rows[0] if rows else None


@requires(read=roles.OWN_TASKS, write=roles.OWN_TASKS)
@GET_POST
def course(request: HttpRequest, course_id: int) -> HttpResponse:
    """A course assigned to the person: their standing, "I completed it" (POST) and the
    certificate upload."""
    found = _course(request, course_id)
    person = _person_or_back(request)
    if isinstance(person, HttpResponse):
        return person
    row = _standing(request, person, found)
    if row is None and request.method != "POST":
        raise Http404("This course is not assigned to you")
    if request.method != "POST":
        return _course_page(request, found, row)
    form = CompletionForm(request.POST)
    if row is None:
        return _refused(request, f"{found.title} is not assigned to you.")
    if not form.is_valid():
        return _course_page(request, found, row, form=form, status=400)
    try:
        training_services.complete_course(
            request.organization, Actor.from_request(request), person=person,
            course_id=found.pk, completed_on=form.cleaned_data["completed_on"],
        )  # fmt: skip
    except DomainError as exc:
        return _course_page(request, found, row, form=form, error=exc.message, status=exc.status)
    messages.success(request, f"{found.title}: completion recorded.")
    return redirect("core:my_tasks", org_slug=request.organization.slug)


@requires(read=roles.OWN_TASKS, write=roles.OWN_TASKS)
@require_POST
def certificate(request: HttpRequest, course_id: int) -> HttpResponse:
    """Upload a certificate: stored as evidence, and the completion recorded."""
    found = _course(request, course_id)
    person = _person_or_back(request)
    if isinstance(person, HttpResponse):
        return person
    row = _standing(request, person, found)
    if row is None:
        return _refused(request, f"{found.title} is not assigned to you.")
    form = CertificateForm(request.POST, request.FILES)
    if not form.is_valid():
        return _course_page(request, found, row, upload=form, status=400)
    try:
        training_services.upload_certificate(
            request.organization, Actor.from_request(request), person=person,
            course_id=found.pk, uploaded_file=form.cleaned_data["file"],
            completed_on=form.cleaned_data["completed_on"],
        )  # fmt: skip
    except DomainError as exc:
        return _course_page(request, found, row, upload=form, error=exc.message, status=exc.status)
    messages.success(request, f"{found.title}: certificate stored and completion recorded.")
    return redirect("core:my_tasks", org_slug=request.organization.slug)


def _course_page(
    request, found: Course, row, *, form=None, upload=None, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "course": found,
        "row": row,
        "form": form or CompletionForm(),
        "upload": upload or CertificateForm(),
        "error": error,
        "done": row is not None and row.status == schedule.DONE,
    }
    return _page(request, "portal/course.html", context, status)


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    return _page(request, "portal/refused.html", {"reason": reason}, 403)
