"""Sign-in (with its second step), sign-up, sign-out, password reset, new organisations
and invitations (web). MFA enrolment and the security page are in ``views_security``.

Views parse a form, call a service and render; a service's refusal becomes a form error
with the refusal's 4xx status. Pages that show or take secrets are never cached.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from zgovern.accounts import services
from zgovern.accounts.forms import (
    FocusMixin,
    InvitedSignupForm,
    LoginForm,
    OrganizationForm,
    SecondFactorForm,
    SignupForm,
    add_domain_error,
)
from zgovern.accounts.models import User
from zgovern.core.actor import Actor, client_ip
from zgovern.core.errors import Conflict, DomainError, Gone, NotFound
from zgovern.tenancy import services as tenancy
from zgovern.tenancy.models import Invitation

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# The password was right; the second step must follow within this many seconds.
PENDING_KEY = "zg_mfa_pending"
PENDING_SECONDS = 5 * 60

GET_POST = require_http_methods(["GET", "HEAD", "POST"])


def form_status(form: Form, error: DomainError | None = None) -> int:
    """200 for a fresh form, the refusal's status, or 400 for input that did not parse."""
    if error is not None:
        return error.status
    return 400 if form.is_bound and form.errors else 200


def safe_next(request: HttpRequest) -> str:
    """The ``next`` URL when it stays on this site, else an empty string."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if allowed else ""


def _finish_sign_in(request: HttpRequest, user: User, next_url: str, backend: str) -> HttpResponse:
    services.signed_in(user)
    login(request, user, backend=backend)  # also cycles the session key
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@never_cache
@GET_POST
def login_view(request: HttpRequest) -> HttpResponse:
    """Step one: email and password. With a confirmed authenticator the user is only
    remembered as pending, and is signed in by step two."""
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    request.session.pop(PENDING_KEY, None)
    form, error = LoginForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.check_password_step(data["email"], data["password"], client_ip(request))
        except DomainError as exc:
            error = exc
            add_domain_error(form, exc)
        else:
            if not user.has_mfa:
                return _finish_sign_in(request, user, next_url, user.backend)
            request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "next": next_url,
                "until": time.time() + PENDING_SECONDS,
            }
            return redirect("accounts:login_verify")
    context = {"form": form, "next": next_url}
    return render(request, "accounts/login.html", context, status=form_status(form, error))


def _pending_user(request: HttpRequest) -> tuple[User, dict] | None:
    """The user who passed step one in this session, while that is recent enough."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return (user, pending) if user is not None else None


@sensitive_post_parameters("code")
@never_cache
@GET_POST
def login_verify(request: HttpRequest) -> HttpResponse:
    """Step two: a TOTP code or a recovery code for the pending user."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    found = _pending_user(request)
    if found is None:
        messages.info(request, "Your sign-in took too long; enter your password again.")
        return redirect("accounts:login")
    user, pending = found
    form, error = SecondFactorForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        try:
            used = services.check_second_factor(user, form.cleaned_data["code"], client_ip(request))
        except services.SignInLocked as exc:
            request.session.pop(PENDING_KEY, None)
            context = {"form": LoginForm(initial={"email": user.email}), "error": exc.message}
            return render(request, "accounts/login.html", context, status=exc.status)
        except DomainError as exc:
            error = exc
            add_domain_error(form, exc)
        else:
            del request.session[PENDING_KEY]
            response = _finish_sign_in(request, user, pending["next"], pending["backend"])
            if used == services.SecondFactor.RECOVERY:
                _warn_recovery_used(request, user)
            return response
    return render(
        request, "accounts/login_verify.html", {"form": form}, status=form_status(form, error)
    )


def _warn_recovery_used(request: HttpRequest, user: User) -> None:
    left = services.unused_recovery_codes(user)
    messages.warning(
        request,
        f"You signed in with a recovery code; {left} unused code{'s' if left != 1 else ''} "
        "left. Make new ones on your security page if you are running low.",
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect(next_url or "accounts:login")


@sensitive_post_parameters("password")
@never_cache
@GET_POST
def signup(request: HttpRequest) -> HttpResponse:
    """A new user and their first organisation; they land on its dashboard, signed in."""
    if request.user.is_authenticated:
        return redirect("accounts:new_organization")
    form, error = SignupForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        try:
            user, org = services.sign_up(**form.cleaned_data, actor=Actor.from_request(request))
        except DomainError as exc:
            error = exc
            add_domain_error(form, exc)
        else:
            login(request, user, backend=MODEL_BACKEND)
            return redirect("core:dashboard", org_slug=org.slug)
    return render(request, "accounts/signup.html", {"form": form}, status=form_status(form, error))


@login_required
@GET_POST
def new_organization(request: HttpRequest) -> HttpResponse:
    """Another organisation, owned by the signed-in user."""
    form, error = OrganizationForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        try:
            org = tenancy.create_organization(
                form.cleaned_data["name"], request.user, Actor.from_request(request)
            )
        except DomainError as exc:
            error = exc
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{org.name} is ready. You are its owner.")
            return redirect("core:dashboard", org_slug=org.slug)
    return render(
        request, "accounts/new_organization.html", {"form": form}, status=form_status(form, error)
    )


# Password reset: Django's views and tokens, our templates. The request page answers the
# same whether or not the address has an account, so it does not reveal which exist.


class ResetRequestForm(FocusMixin, PasswordResetForm):
    pass


class ResetSetPasswordForm(FocusMixin, SetPasswordForm):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self) -> dict:
        # Links are built from the configured base URL, never from the request's Host.
        return {"base_url": settings.BASE_URL}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = ResetSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_was_reset(form.user, Actor.from_request(self.request))
        return response


password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


# Invitations.


def _invitation_page(request: HttpRequest, template: str, context: dict, status: int = 200):
    return render(request, f"accounts/{template}", context, status=status)


@sensitive_post_parameters("password")
@never_cache
@GET_POST
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Join an organisation from an invitation link: as a new account, or as the
    signed-in user whose email the invitation names."""
    try:
        invitation = tenancy.find_invitation(token)
    except (NotFound, Gone) as exc:
        return _invitation_page(
            request, "invitation_invalid.html", {"reason": exc.message}, exc.status
        )
    context = {"invitation": invitation, "org": invitation.organization}
    if not request.user.is_authenticated:
        return _invitation_for_visitor(request, token, invitation, context)
    if request.user.email.lower() != invitation.email.lower():
        return _invitation_page(request, "invitation_wrong_user.html", context, 403)
    if request.method == "POST":
        return _accept(request, token, invitation)
    return _invitation_page(request, "invitation.html", context)


def _accept(request: HttpRequest, token: str, invitation: Invitation) -> HttpResponse:
    org = invitation.organization
    try:
        tenancy.accept_invitation(token, request.user, Actor.from_request(request))
    except Conflict as exc:
        messages.info(request, exc.message)
    except DomainError as exc:
        return _invitation_page(
            request, "invitation_invalid.html", {"reason": exc.message}, exc.status
        )
    else:
        messages.success(request, f"Welcome to {org.name}.")
    return redirect("core:dashboard", org_slug=org.slug)


def _invitation_for_visitor(
    request: HttpRequest, token: str, invitation: Invitation, context: dict
) -> HttpResponse:
    """Not signed in: offer an account for the invited email, or signing in first."""
    context["login_url"] = (
        f"{reverse('accounts:login')}?{urlencode({'next': request.path}, safe='/')}"
    )
    if User.objects.filter(email__iexact=invitation.email).exists():
        context["has_account"] = True
        return _invitation_page(request, "invitation.html", context)
    form = InvitedSignupForm(request.POST or None, initial={"email": invitation.email})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            user, _membership = services.sign_up_invited(
                token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
                actor=Actor.from_request(request),
            )
        except DomainError as exc:
            error = exc
            add_domain_error(form, exc)
        else:
            login(request, user, backend=MODEL_BACKEND)
            messages.success(request, f"Welcome to {invitation.organization.name}.")
            return redirect("core:dashboard", org_slug=invitation.organization.slug)
    context["form"] = form
    return _invitation_page(request, "invitation.html", context, form_status(form, error))
