"""Forms of the sign-in pages. They only parse and check the shape of input; the domain
rules (duplicate emails, codes, locks) live in :mod:`zgovern.accounts.services`."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm

from zgovern.core.errors import DomainError


class FocusMixin:
    """Puts keyboard focus where the user has to act: the first field (unless
    ``autofocus=False``, for pages with several forms), or after a failed submission the
    first field with an error."""

    def __init__(self, *args, autofocus: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)
        first = next((f for f in self.fields.values() if not f.disabled), None)
        if autofocus and first is not None:
            first.widget.attrs["autofocus"] = True

    def full_clean(self) -> None:
        super().full_clean()
        failed = next((name for name in self.fields if name in self._errors), None)
        if failed is not None:
            for field in self.fields.values():
                field.widget.attrs.pop("autofocus", None)
            self.fields[failed].widget.attrs["autofocus"] = True


class FocusForm(FocusMixin, forms.Form):
    pass


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the field it names (and focus it), or above the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    if field is not None:
        for other in form.fields.values():
            other.widget.attrs.pop("autofocus", None)
        form.fields[field].widget.attrs["autofocus"] = True


def _email(**kwargs) -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        **kwargs,
    )


def _password(label: str, autocomplete: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=4096,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def _code(help_text: str) -> forms.CharField:
    # Plain text rather than inputmode=numeric: recovery codes contain letters.
    return forms.CharField(
        label="Code",
        max_length=32,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


NEW_PASSWORD_HELP = "At least 10 characters; not a common password and not all digits."
TOTP_HELP = "The 6-digit code your authenticator app shows now."


class LoginForm(FocusForm):
    email = forms.CharField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
    )
    password = _password("Password", "current-password")


class SecondFactorForm(FocusForm):
    code = _code("The 6-digit code from your authenticator app, or one of your recovery codes.")


class SignupForm(FocusForm):
    email = _email()
    full_name = forms.CharField(
        label="Full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password = _password("Password", "new-password", NEW_PASSWORD_HELP)
    organization_name = forms.CharField(
        label="Organisation name",
        max_length=120,
        help_text="Your company; you can invite colleagues once it exists.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )


class InvitedSignupForm(FocusForm):
    """Sign-up for an invitation: the email is the invited one and cannot be changed."""

    email = _email(disabled=True, required=False, help_text="The address you were invited at.")
    full_name = forms.CharField(
        label="Full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password = _password("Password", "new-password", NEW_PASSWORD_HELP)


class OrganizationForm(FocusForm):
    name = forms.CharField(
        label="Organisation name",
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )


class TOTPConfirmForm(FocusForm):
    code = _code(TOTP_HELP)


class RegenerateCodesForm(FocusForm):
    code = _code(TOTP_HELP)


class RemoveMFAForm(FocusForm):
    password = _password("Password", "current-password")
    code = _code("A code from your authenticator app, or one of your recovery codes.")


class PasswordChangeForm(FocusMixin, DjangoPasswordChangeForm):
    """Django's checks (old password, match, validators); saving is the service's job."""

    def save(self, commit: bool = True):  # pragma: no cover - guarded against misuse
        raise NotImplementedError("call zgovern.accounts.services.change_password")
