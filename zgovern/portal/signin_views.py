"""The "email me a sign-in link" pages. Opening a link shows a confirmation button rather
than signing in at once: mail scanners open links, and must not spend them."""

from __future__ import annotations

import time

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from zgovern.accounts import services as accounts
from zgovern.accounts.views import MODEL_BACKEND, PENDING_KEY, PENDING_SECONDS
from zgovern.core.actor import client_ip
from zgovern.core.errors import DomainError
from zgovern.portal import signin
from zgovern.portal.forms import SignInLinkForm

GET_POST = require_http_methods(["GET", "HEAD", "POST"])


@never_cache
@GET_POST
def request_link(request: HttpRequest) -> HttpResponse:
    """Ask for a link by email; the answer is the same whether the address is known."""
    if request.user.is_authenticated:
        return redirect("site:home")
    form = SignInLinkForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        status = 400 if form.is_bound else 200
        return render(request, "portal/signin_request.html", {"form": form}, status=status)
    try:
        signin.request_link(
            form.cleaned_data["email"], ip=client_ip(request),
            link_for=lambda secret: request.build_absolute_uri(
                reverse("signin:use", kwargs={"token": secret})
            ),
        )  # fmt: skip
    except DomainError as exc:
        context = {"form": form, "error": exc.message}
        return render(request, "portal/signin_request.html", context, status=exc.status)
    return render(request, "portal/signin_sent.html")


@never_cache
@GET_POST
def use_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a button to sign in (the link is not spent). POST: spend it and sign in, or
    hand over to the second step for a user with two-factor authentication."""
    if request.method != "POST":
        if signin.find_link(token) is None:
            return _invalid(request, "This sign-in link is not valid any more. Ask for a new one.")
        return render(request, "portal/signin_confirm.html", {"token": token})
    try:
        user = signin.use_link(token, ip=client_ip(request))
    except DomainError as exc:
        return _invalid(request, exc.message, exc.status)
    if user.has_mfa:
        request.session[PENDING_KEY] = {
            "user": user.pk, "backend": MODEL_BACKEND, "next": "",
            "until": time.time() + PENDING_SECONDS,
        }  # fmt: skip
        return redirect("accounts:login_verify")
    accounts.signed_in(user)
    login(request, user, backend=MODEL_BACKEND)  # also cycles the session key
    return redirect("site:home")


def _invalid(request: HttpRequest, message: str, status: int = 410) -> HttpResponse:
    return render(request, "portal/signin_invalid.html", {"error": message}, status=status)
