"""Forms of the audit pages; the rules live in the services."""

from __future__ import annotations

from django import forms

from zgovern.audits.models import Audit, AuditStatus, AuditType
from zgovern.frameworks.models import Framework

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditForm(forms.Form):
    name = forms.CharField(max_length=200)
    framework = forms.ChoiceField()
    audit_type = forms.ChoiceField(label="Type", choices=AuditType.choices)
    status = forms.ChoiceField(choices=AuditStatus.choices, required=False)
    period_start = forms.DateField(widget=_DATE, required=False, help_text="Type 2 only.")
    period_end = forms.DateField(
        widget=_DATE, required=False, help_text="The last day of the period, or a Type 1's date."
    )
    firm = forms.CharField(label="Audit firm", max_length=200, required=False)
    lead_auditor = forms.CharField(max_length=200, required=False)
    fieldwork_start = forms.DateField(widget=_DATE, required=False)
    draft_due = forms.DateField(label="Draft report due", widget=_DATE, required=False)
    final_due = forms.DateField(label="Final report due", widget=_DATE, required=False)

    def __init__(self, *args, org=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        frameworks = Framework.objects.filter(organization=org).order_by("name")
        self.fields["framework"].choices = [(f.key, f.name) for f in frameworks]

    def data_for_service(self, editing: bool) -> dict:
        data = dict(self.cleaned_data)
        if editing:
            data.pop("framework")
        if not data.get("status"):
            data.pop("status", None)
        return data


def audit_initial(audit: Audit) -> dict:
    names = [name for name in AuditForm.base_fields if name != "framework"]
    return {**{name: getattr(audit, name) for name in names}, "framework": audit.framework.key}


def add_domain_error(form: forms.Form, exc) -> int:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    return exc.status
