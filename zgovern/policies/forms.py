"""Forms of the policy pages. They parse and bound the input; the lifecycle rules live in
the services."""

from __future__ import annotations

from django import forms

from zgovern.core.errors import DomainError
from zgovern.policies.models import Audience
from zgovern.policies.validation import BODY_MAX
from zgovern.tenancy.models import Membership
from zgovern.tenancy.roles import Role


def owner_choices(org) -> list[tuple[str, str]]:
    rows = Membership.objects.filter(organization=org).exclude(role=Role.AUDITOR)
    rows = rows.exclude(role=Role.EMPLOYEE).select_related("user").order_by("user__email")
    return [("", "Nobody yet")] + [(str(m.user_id), m.user.email) for m in rows]


class PolicySettingsForm(forms.Form):
    title = forms.CharField(max_length=200)
    owner = forms.ChoiceField(required=False)
    audience = forms.ChoiceField(choices=Audience.choices)
    departments = forms.CharField(
        max_length=2000, required=False, help_text="For a departments audience: comma-separated."
    )
    review_cadence_months = forms.IntegerField(
        min_value=1, max_value=36, label="Review every (months)"
    )
    ack_window_days = forms.IntegerField(
        min_value=1, max_value=365, label="Acknowledge within (days)"
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owner_choices(org)

    def fields_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["owner"] = data["owner"] or None
        data["departments"] = [d.strip() for d in data["departments"].split(",") if d.strip()]
        return data


class AdoptForm(forms.Form):
    template_key = forms.ChoiceField(label="Template")
    company_name = forms.CharField(max_length=200, required=False,
                                   help_text="Default: the organisation's name.")  # fmt: skip
    owner = forms.ChoiceField(required=False)
    review_cadence_months = forms.IntegerField(
        min_value=1, max_value=36, required=False, label="Review every (months)",
        help_text="Default: the template's (usually 12).",
    )  # fmt: skip

    def __init__(self, *args, org, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owner_choices(org)
        self.fields["template_key"].choices = [(t.key, t.title) for t in templates]


class VersionForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 30, "class": "mono"}),
                           max_length=BODY_MAX, strip=False, label="Text (Markdown)")  # fmt: skip
    change_summary = forms.CharField(max_length=500, required=False)
    material = forms.BooleanField(
        required=False,
        help_text="A material change asks everyone in the audience to acknowledge again.",
    )


class PaperForm(forms.Form):
    person = forms.ChoiceField()
    scan = forms.FileField(label="Scan of the signed form")

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(str(p.pk), p.full_name) for p in people]


def add_domain_error(form: forms.Form, exc: DomainError) -> int:
    """Put a service's refusal on the field it names, or on the form; returns the status."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return exc.status
