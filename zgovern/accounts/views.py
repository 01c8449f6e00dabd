"""Sign-in, sign-up, MFA enrolment and invitations (web)."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

login_view = LoginView.as_view(template_name="accounts/login.html")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


def signup(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def new_organization(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def mfa_setup(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError
