"""Forms of the organisation settings pages. They parse and bound the input; the rules
(who may grant what, the last owner, expiry in the future) live in the services."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django import forms

from zgovern.core.errors import DomainError
from zgovern.tenancy.roles import Role


class SettingsForm(forms.Form):
    name = forms.CharField(label="Organisation name", max_length=120)
    require_mfa = forms.BooleanField(
        label="Require MFA for every member",
        required=False,
        help_text="Members without an authenticator are asked to set one up on their next visit.",
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    # Every role is accepted here; whether the inviter may grant it is the service's call,
    # so that an admin asking for "owner" gets the service's 403, not a vague form error.
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What the token is for, e.g. 'CI evidence upload'."
    )
    read_only = forms.BooleanField(
        label="Read-only", required=False, initial=True, help_text="It can read but not change."
    )
    expires_on = forms.DateField(
        label="Expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional. The token works until the end of this day (UTC).",
    )

    def clean_expires_on(self) -> date | None:
        day = self.cleaned_data.get("expires_on")
        if day is not None and day >= date.max:
            raise forms.ValidationError("Choose an earlier date.")
        return day

    def expires_at(self) -> datetime | None:
        """The end of the chosen day, in UTC (the start of the next one)."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return datetime.combine(day, time.min, tzinfo=UTC) + timedelta(days=1)


class ActivityFilterForm(forms.Form):
    action = forms.CharField(label="Action starts with", max_length=80, required=False, strip=True)


def add_domain_error(form: forms.Form, exc: DomainError, aliases: dict | None = None) -> int:
    """Put a service's refusal on the field it names (``aliases`` maps service field names
    to form field names), or on the form; returns the HTTP status to answer with."""
    field = (aliases or {}).get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)
    return exc.status
