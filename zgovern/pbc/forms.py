"""Forms of the request-list and exceptions pages. They parse and bound the input; the
rules (criteria, members, dates, states) live in the services."""

from __future__ import annotations

from django import forms

from zgovern.core.errors import DomainError
from zgovern.pbc.models import Origin, RequestStatus, ResponseKind, Severity
from zgovern.pbc.queries import LATE, ON_TIME, OVERDUE

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RequestFilterForm(forms.Form):
    q = forms.CharField(label="Search", max_length=200, required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *RequestStatus.choices], required=False)
    timeliness = forms.ChoiceField(
        label="Timeliness",
        required=False,
        choices=[
            ("", "Any"),
            (OVERDUE, "Overdue (unanswered, past target)"),
            (LATE, "Late (overdue or answered late)"),
            (ON_TIME, "On time"),
        ],
    )
    assignee = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args, members: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "Anyone"), *members]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data["q"].strip(),
            "status": data["status"],
            "timeliness": data["timeliness"],
            "assignee_id": data["assignee"],
        }


class RequestForm(forms.Form):
    reference = forms.CharField(max_length=40, help_text="The auditor's number, e.g. PBC-001.")
    title = forms.CharField(max_length=300)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=10_000
    )
    criteria = forms.CharField(
        max_length=2_000,
        required=False,
        help_text="Criteria of the audit's framework, e.g. CC6.1, CC6.2.",
    )
    due_date = forms.DateField(widget=_DATE, required=False)
    assignee_email = forms.ChoiceField(label="Assignee", required=False)
    origin = forms.ChoiceField(label="Asked by", choices=Origin.choices, initial=Origin.AUDITOR)

    def __init__(self, *args, emails: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee_email"].choices = [("", "Nobody yet"), *((e, e) for e in emails)]


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV (UTF-8) or XLSX file with the columns below.")


class TargetForm(forms.Form):
    target_hours = forms.IntegerField(
        label="Response target (hours)", min_value=1, max_value=24 * 90
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=20_000
    )


class LinkForm(forms.Form):
    evidence_id = forms.IntegerField(label="Evidence id", min_value=1, max_value=2**63 - 1)


class UploadForm(forms.Form):
    file = forms.FileField()
    title = forms.CharField(
        max_length=200, required=False, help_text="Empty: the request's reference and title."
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept the answer"), ("reject", "Reject and reopen")]
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2_000,
        help_text="Required when rejecting.",
    )


class ExceptionForm(forms.Form):
    control = forms.ChoiceField()
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000)
    period_from = forms.DateField(widget=_DATE)
    period_to = forms.DateField(widget=_DATE)
    severity = forms.ChoiceField(choices=Severity.choices)

    def __init__(self, *args, controls: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["control"].choices = controls


class ResponseForm(forms.Form):
    kind = forms.ChoiceField(label="Response", choices=ResponseKind.choices)
    text = forms.CharField(
        label="Management's response", max_length=10_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    responded_on = forms.DateField(widget=_DATE, required=False, help_text="Empty means today.")
    remediated_on = forms.DateField(
        widget=_DATE, required=False, help_text="Required when already remediated."
    )
    evidence_ids = forms.CharField(
        label="Evidence ids",
        max_length=2_000,
        required=False,
        help_text="Ids of library items, separated by spaces.",
    )

    def clean_evidence_ids(self) -> list[int]:
        parts = self.cleaned_data["evidence_ids"].replace(",", " ").split()
        if not all(p.isdigit() and len(p) < 19 for p in parts):
            raise forms.ValidationError("Give evidence ids as numbers separated by spaces.")
        return [int(p) for p in parts]


def add_domain_error(form: forms.Form, exc: DomainError) -> int:
    """Put a service's refusal on the field it names, or on the form; returns the status."""
    names = {
        "assignee_email": "assignee_email",
        "criteria": "criteria",
        "answer": "answer",
        "decision_note": "note",
        "response_text": "text",
        "evidence_ids": "evidence_ids",
    }
    field = names.get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)
    return exc.status
