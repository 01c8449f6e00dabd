"""Forms of the accounts pages. They parse and bound the input; the rules live in the
services."""

from __future__ import annotations

from django import forms

from zgovern.identity.models import AccountStatus, MfaState

LINKED = [("", "Linked or not"), ("yes", "Linked to a person"), ("no", "Unlinked"),
          ("service", "Service accounts")]  # fmt: skip


class FilterForm(forms.Form):
    q = forms.CharField(label="Search", max_length=200, required=False)
    system = forms.SlugField(max_length=60, required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *AccountStatus.choices], required=False)
    mfa = forms.ChoiceField(
        label="MFA", choices=[("", "Any MFA"), *MfaState.choices], required=False
    )
    linked = forms.ChoiceField(choices=LINKED, required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {name: self.cleaned_data[name].strip() for name in self.fields}


class LinkForm(forms.Form):
    person_id = forms.IntegerField(label="Person", min_value=1)


class ServiceForm(forms.Form):
    owner_id = forms.IntegerField(label="Owner", min_value=1)
    note = forms.CharField(max_length=500, required=False, help_text="What it is used for.")


class AliasForm(forms.Form):
    alias = forms.CharField(
        max_length=254, help_text="An old email, a GitHub login, a username in another system."
    )


class UserListForm(forms.Form):
    file = forms.FileField(help_text="A CSV (UTF-8) or XLSX file with the columns below.")


class SettingsForm(forms.Form):
    revocation_business_days = forms.IntegerField(
        label="Revocation window (business days)", min_value=0, max_value=30,
        help_text="How long after a leaver's last day every account must be revoked.",
    )  # fmt: skip
    onboarding_days = forms.IntegerField(
        label="Onboarding window (days)", min_value=1, max_value=365,
        help_text="Days after the start date by which a background check and security "
        "training must be completed.",
    )  # fmt: skip
