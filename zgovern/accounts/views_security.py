"""Two-factor enrolment and the account's security page (web).

Recovery codes are rendered straight into the response of the request that made them,
never stored in the session or shown again; those pages are never cached.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from zgovern.accounts import mfa, services
from zgovern.accounts.forms import (
    PasswordChangeForm,
    RegenerateCodesForm,
    RemoveMFAForm,
    TOTPConfirmForm,
    add_domain_error,
)
from zgovern.accounts.views import GET_POST, form_status
from zgovern.core.actor import Actor
from zgovern.core.errors import DomainError
from zgovern.tenancy.models import Organization
from zgovern.tenancy.scoping import memberships_of


def _required_by(request: HttpRequest) -> Organization | None:
    """The organisation named by ``?required=<slug>``, if the user belongs to it (so the
    parameter cannot be used to learn which organisations exist)."""
    slug = request.GET.get("required", "")
    if not slug:
        return None
    return next(
        (m.organization for m in memberships_of(request.user) if m.organization.slug == slug),
        None,
    )


def _recovery_codes_page(
    request: HttpRequest, codes: list[str], org: Organization | None, *, enrolled: bool
) -> HttpResponse:
    context = {"codes": codes, "continue_org": org, "enrolled": enrolled}
    return render(request, "accounts/recovery_codes.html", context)


@sensitive_post_parameters("code")
@never_cache
@login_required
@GET_POST
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Show a new authenticator's QR code and secret; a valid code confirms it and
    shows the recovery codes once."""
    user, required_by = request.user, _required_by(request)
    if services.confirmed_device(user) is not None:
        messages.info(request, "Two-factor authentication is already on.")
        return redirect("accounts:security")
    form, error = TOTPConfirmForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_totp_enrolment(
                user, Actor.from_request(request), form.cleaned_data["code"]
            )
        except DomainError as exc:
            error = exc
            add_domain_error(form, exc)
        else:
            return _recovery_codes_page(request, codes, required_by, enrolled=True)
    _device, secret = services.begin_totp_enrolment(user)
    context = {
        "form": form,
        "required_by": required_by,
        "secret": secret,
        "qr": mfa.qr_data_uri(mfa.provisioning_uri(secret, user.email)),
    }
    return render(request, "accounts/mfa_setup.html", context, status=form_status(form, error))


def _security_page(request: HttpRequest, status: int = 200, **bound) -> HttpResponse:
    """The security page, with any just-submitted form in place of its blank twin."""
    user = request.user
    device = services.confirmed_device(user)
    context = {
        "device": device,
        "recovery_left": services.unused_recovery_codes(user) if device else 0,
        "requiring": services.organizations_requiring_mfa(user),
        "regenerate_form": bound.get("regenerate")
        or RegenerateCodesForm(prefix="regen", autofocus=False),
        "remove_form": bound.get("remove") or RemoveMFAForm(prefix="remove", autofocus=False),
        "password_form": bound.get("password")
        or PasswordChangeForm(user, prefix="pw", autofocus=False),
    }
    return render(request, "accounts/security.html", context, status=status)


@never_cache
@login_required
@require_safe
def security(request: HttpRequest) -> HttpResponse:
    """MFA status, recovery codes, removing MFA and changing the password."""
    return _security_page(request)


@sensitive_post_parameters("regen-code")
@never_cache
@login_required
@require_POST
def regenerate_recovery_codes(request: HttpRequest) -> HttpResponse:
    form = RegenerateCodesForm(request.POST, prefix="regen")
    error = None
    if form.is_valid():
        try:
            codes = services.regenerate_recovery_codes(
                request.user, Actor.from_request(request), form.cleaned_data["code"]
            )
        except DomainError as exc:
            error = exc
            add_domain_error(form, exc)
        else:
            return _recovery_codes_page(request, codes, None, enrolled=False)
    return _security_page(request, form_status(form, error), regenerate=form)


@sensitive_post_parameters("remove-password", "remove-code")
@never_cache
@login_required
@require_POST
def remove_mfa(request: HttpRequest) -> HttpResponse:
    form = RemoveMFAForm(request.POST, prefix="remove")
    error = None
    if form.is_valid():
        try:
            services.remove_mfa(
                request.user,
                Actor.from_request(request),
                password=form.cleaned_data["password"],
                code=form.cleaned_data["code"],
            )
        except DomainError as exc:
            error = exc
            add_domain_error(form, exc)
        else:
            messages.success(request, "Two-factor authentication is off.")
            return redirect("accounts:security")
    return _security_page(request, form_status(form, error), remove=form)


@sensitive_post_parameters("pw-old_password", "pw-new_password1", "pw-new_password2")
@never_cache
@login_required
@require_POST
def change_password(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST, prefix="pw")
    error = None
    if form.is_valid():
        try:
            services.change_password(
                request.user, Actor.from_request(request), form.cleaned_data["new_password1"]
            )
        except DomainError as exc:
            error = exc
            add_domain_error(form, exc)
        else:
            # Keep this session signed in; every other session of the user ends.
            update_session_auth_hash(request, request.user)
            messages.success(request, "Your password is changed.")
            return redirect("accounts:security")
    return _security_page(request, form_status(form, error), password=form)
