"""Forms of the vendor pages. They parse and bound the input; the rules live in the
services. The questionnaire form is built from an assessment's own copy of the questions
and is the same for the vendor's link and for internal answers."""

from __future__ import annotations

from django import forms

from zgovern.core.errors import DomainError
from zgovern.vendors import queries, questionnaires
from zgovern.vendors.models import (
    Vendor,
    VendorConclusion,
    VendorCriticality,
    VendorDataCategory,
    VendorDocumentKind,
)

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SORT_CHOICES = [
    ("name", "Name A to Z"), ("-name", "Name Z to A"), ("criticality", "Most critical first"),
    ("next_review_due", "Next review (soonest)"), ("contract_end", "Contract end (soonest)"),
    ("-last_assessed_at", "Assessed (latest)"), ("last_assessed_at", "Assessed (oldest)"),
]  # fmt: skip


class FilterForm(forms.Form):
    q = forms.CharField(label="Search", max_length=200, required=False)
    criticality = forms.ChoiceField(
        choices=[("", "Any criticality"), *VendorCriticality.choices], required=False
    )
    data_category = forms.ChoiceField(
        label="Accesses", choices=[("", "Any data"), *VendorDataCategory.choices], required=False
    )
    subprocessor = forms.ChoiceField(
        choices=[("", "Either"), ("yes", "Subprocessors"), ("no", "Not subprocessors")],
        required=False,
    )
    flag = forms.ChoiceField(
        choices=[("", "Flagged or not"), ("any", "Any flag"), *queries.FLAGS.items()],
        required=False,
    )
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False)

    def clean_q(self) -> str:
        value = self.cleaned_data["q"]
        if "\x00" in value:
            raise forms.ValidationError("NUL characters are not allowed.")
        return value.strip()

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        data["sort"] = data["sort"] or "name"
        return data


class VendorForm(forms.Form):
    name = forms.CharField(max_length=200)
    service = forms.CharField(max_length=300, required=False, help_text="What they do for us.")
    owner_email = forms.EmailField(
        label="Owner's email", max_length=254, required=False,
        help_text="A member of this organisation.",
    )  # fmt: skip
    criticality = forms.ChoiceField(choices=VendorCriticality.choices)
    data_categories = forms.MultipleChoiceField(
        label="Data they access", choices=VendorDataCategory.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    contract_start = forms.DateField(widget=_DATE, required=False)
    contract_end = forms.DateField(widget=_DATE, required=False)
    contact_name = forms.CharField(max_length=200, required=False)
    contact_email = forms.EmailField(
        max_length=254, required=False, help_text="Where assessment links are sent."
    )
    is_subprocessor = forms.BooleanField(label="Subprocessor", required=False)
    public_description = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown on the Trust Center's subprocessor list.",
    )  # fmt: skip


def vendor_initial(vendor: Vendor) -> dict:
    data = {name: getattr(vendor, name) for name in VendorForm.base_fields if name != "owner_email"}
    data["data_categories"] = vendor.data_category_list
    data["owner_email"] = vendor.owner.email if vendor.owner_id else ""
    return data


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=VendorDocumentKind.choices)
    title = forms.CharField(max_length=200, required=False)
    period_start = forms.DateField(widget=_DATE, required=False, help_text="SOC 2: required.")
    period_end = forms.DateField(widget=_DATE, required=False)
    expires_on = forms.DateField(
        widget=_DATE, required=False,
        help_text="SOC 2: defaults to a year after the period ends.",
    )  # fmt: skip
    file = forms.FileField(required=False)


class StartForm(forms.Form):
    questionnaire = forms.ChoiceField(choices=())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].choices = [
            (key, q.title) for key, q in sorted(questionnaires.catalog().items())
        ]


class SendForm(forms.Form):
    email = forms.EmailField(
        max_length=254, required=False, help_text="Default: the vendor's contact."
    )
    days = forms.IntegerField(min_value=1, max_value=60, initial=14, label="Link lasts (days)")


class ConclusionForm(forms.Form):
    conclusion = forms.ChoiceField(choices=VendorConclusion.choices)
    notes = forms.CharField(
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required unless acceptable: the reasons or the conditions.",
    )  # fmt: skip


class CadenceForm(forms.Form):
    low = forms.IntegerField(min_value=1, max_value=60, label="Low (months)")
    medium = forms.IntegerField(min_value=1, max_value=60, label="Medium (months)")
    high = forms.IntegerField(min_value=1, max_value=60, label="High (months)")
    critical = forms.IntegerField(min_value=1, max_value=60, label="Critical (months)")


def answers_from_post(questions: list[dict], data, files) -> tuple[dict, dict]:
    """The answers (``q_<id>``, ``c_<id>``) and attachments (``f_<id>``) of a posted
    questionnaire form, unvalidated."""
    answers = {
        q["id"]: {"answer": data.get(f"q_{q['id']}", ""), "comment": data.get(f"c_{q['id']}", "")}
        for q in questions
    }
    uploads = {q["id"]: files.get(f"f_{q['id']}") for q in questions if files.get(f"f_{q['id']}")}
    return answers, uploads


def add_domain_error(form: forms.Form, exc: DomainError) -> int:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return exc.status


def question_sections(questions: list[dict], values: dict | None = None) -> list[tuple[str, list]]:
    """The questions grouped by section, each with the answer and comment given so far
    (so a refused form comes back filled in)."""
    values = values or {}
    grouped: dict[str, list] = {}
    for q in questions:
        given = values.get(q["id"]) or {}
        item = (q, given.get("answer", ""), given.get("comment", ""))
        grouped.setdefault(q.get("section", ""), []).append(item)
    return list(grouped.items())
