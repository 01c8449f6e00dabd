"""Forms of the alerts pages: a user's choice per kind, and the organisation's settings."""

from __future__ import annotations

from django import forms

from zgovern.alerts.models import Kind, Mode
from zgovern.alerts.services import RATE_LIMIT_MAX_MINUTES, WEBHOOK_MAX
from zgovern.core.errors import DomainError


class PreferencesForm(forms.Form):
    """One radio choice per kind of alert."""

    def __init__(self, *args, initial_modes: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=Mode.choices,
                widget=forms.RadioSelect,
                initial=(initial_modes or {}).get(kind),
            )


class SettingsForm(forms.Form):
    webhook_url = forms.CharField(
        label="New webhook URL",
        required=False,
        max_length=WEBHOOK_MAX,
        help_text="A Slack-compatible incoming webhook (https). Leave empty to keep the "
        "current one; it is never shown again, only its host.",
        widget=forms.PasswordInput(render_value=False),
    )
    clear_webhook = forms.BooleanField(label="Remove the webhook", required=False)
    rate_limit_minutes = forms.IntegerField(
        label="At most one alert per check and resource every (minutes)",
        min_value=1,
        max_value=RATE_LIMIT_MAX_MINUTES,
    )
    weekly_summary = forms.BooleanField(
        label="Send the weekly summary to owners and admins", required=False
    )


def add_domain_error(form: forms.Form, exc: DomainError) -> int:
    """Put a service's refusal on the field it names, or on the form; returns the status."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return exc.status
