"""The findings page's filter form and the run-a-scan form."""

from __future__ import annotations

from django import forms

from zgovern.findings.models import Category, FindingStatus, Kind, Severity


def _choices(choices, blank: str) -> list:
    return [("", blank), *choices]


class FilterForm(forms.Form):
    category = forms.ChoiceField(choices=_choices(Category.choices, "Any category"), required=False)
    severity = forms.ChoiceField(choices=_choices(Severity.choices, "Any severity"), required=False)
    kind = forms.ChoiceField(
        choices=_choices(Kind.choices, "Summaries and exceptions"), required=False
    )
    control = forms.SlugField(max_length=80, required=False, label="Control key")
    system = forms.CharField(max_length=100, required=False)
    status = forms.ChoiceField(choices=FindingStatus.choices, required=False, initial="open")

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"status": FindingStatus.OPEN}
        data = {k: (v or "").strip() for k, v in self.cleaned_data.items()}
        data["status"] = data["status"] or FindingStatus.OPEN
        return data


class ScanForm(forms.Form):
    period_start = forms.DateField(required=False, help_text="Empty: the last 6 months.")
    period_end = forms.DateField(required=False)
    audit_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class SettingsForm(forms.Form):
    review_cadence_months = forms.IntegerField(
        min_value=1, max_value=12, label="Access reviews every (months)"
    )
    vendor_reassessment_months = forms.IntegerField(
        min_value=1, max_value=36, label="Critical vendors reassessed within (months)"
    )
    training_months = forms.IntegerField(
        min_value=1, max_value=36, label="Security training repeated within (months)"
    )
    plan_test_months = forms.IntegerField(
        min_value=1, max_value=36, label="Incident response plan tested within (months)"
    )
