"""Forms of the risk register pages. They parse and bound the input; the rules (scores,
acceptance, owners, controls) live in the services."""

from __future__ import annotations

from django import forms

from zgovern.controls.models import Control
from zgovern.core.errors import DomainError
from zgovern.risks.models import Category, Risk, RiskStatus, Treatment
from zgovern.risks.queries import SORTS

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LEVEL_CHOICES = [(n, str(n)) for n in range(1, 6)]
SORT_LABELS = {
    "-inherent": "Highest inherent score", "inherent": "Lowest inherent score",
    "-residual": "Highest residual score", "residual": "Lowest residual score",
    "review": "Review date, soonest", "-review": "Review date, latest", "title": "Title",
    "-title": "Title, Z to A", "-updated": "Recently changed", "updated": "Least recently changed",
    "-created": "Newest", "created": "Oldest",
}  # fmt: skip


class FilterForm(forms.Form):
    q = forms.CharField(label="Search", max_length=200, required=False)
    category = forms.ChoiceField(choices=[("", "Any category"), *Category.choices], required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *RiskStatus.choices], required=False)
    treatment = forms.ChoiceField(
        choices=[("any", "Any treatment"), *Treatment.choices], required=False
    )
    flag = forms.ChoiceField(
        choices=[("", "Any"), ("acceptance_expired", "Acceptance expired"),
                 ("review_overdue", "Review overdue")], required=False,
    )  # fmt: skip
    sort = forms.ChoiceField(choices=[(k, SORT_LABELS[k]) for k in SORTS], required=False)

    def filters(self) -> dict:
        """The valid filters, ready for :func:`zgovern.risks.queries.risks`."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = {name: (self.cleaned_data[name] or "").strip() for name in self.fields}
        treatment = data.pop("treatment")
        data["treatment"] = None if treatment in ("", "any") else treatment
        return data


def _control_choices(org) -> list[tuple[int, str]]:
    rows = Control.objects.filter(organization=org).order_by("key").values_list("pk", "key", "name")
    return [(pk, f"{key}: {name}") for pk, key, name in rows]


class RiskForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                  max_length=10_000)  # fmt: skip
    category = forms.ChoiceField(choices=Category.choices)
    owner_email = forms.CharField(
        label="Owner's email", max_length=254, required=False,
        help_text="A member of the organisation or a person on the roster.",
    )  # fmt: skip
    likelihood = forms.TypedChoiceField(choices=LEVEL_CHOICES, coerce=int)
    impact = forms.TypedChoiceField(choices=LEVEL_CHOICES, coerce=int)
    treatment = forms.ChoiceField(
        choices=[c for c in Treatment.choices if c[0] != Treatment.ACCEPT], required=False,
        help_text="To accept a risk, use Accept on its page: it records the approver.",
    )  # fmt: skip
    treatment_plan = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                     max_length=10_000)  # fmt: skip
    residual_likelihood = forms.TypedChoiceField(
        choices=[("", "Not rated"), *LEVEL_CHOICES], coerce=int, empty_value=None, required=False
    )
    residual_impact = forms.TypedChoiceField(
        choices=[("", "Not rated"), *LEVEL_CHOICES], coerce=int, empty_value=None, required=False
    )
    review_date = forms.DateField(widget=_DATE, required=False)
    status = forms.ChoiceField(choices=[("", "From the treatment"), *RiskStatus.choices],
                               required=False)  # fmt: skip
    control_ids = forms.TypedMultipleChoiceField(
        label="Linked controls", coerce=int, required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )  # fmt: skip

    def __init__(self, *args, org=None, accepted: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["control_ids"].choices = _control_choices(org) if org is not None else []
        if accepted:  # keeping an accepted risk accepted is allowed
            self.fields["treatment"].choices = Treatment.choices

    def fields_for_service(self) -> dict:
        return dict(self.cleaned_data)


def risk_initial(risk: Risk) -> dict:
    fields = ("title", "description", "category", "likelihood", "impact", "treatment",
              "treatment_plan", "residual_likelihood", "residual_impact", "review_date",
              "status")  # fmt: skip
    initial = {name: getattr(risk, name) for name in fields}
    initial["owner_email"] = risk.owner_email
    initial["control_ids"] = [c.pk for c in risk.controls.all()]
    return initial


class AcceptanceForm(forms.Form):
    approver_email = forms.CharField(
        label="Approver's email", max_length=254, required=False,
        help_text="An owner, admin or member who approves living with this risk.",
    )  # fmt: skip
    expires_on = forms.DateField(
        widget=_DATE, required=False, help_text="When the acceptance must be reviewed; after today."
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           max_length=10_000)  # fmt: skip


class AssessmentForm(forms.Form):
    title = forms.CharField(max_length=200, required=False,
                            help_text="Default: Risk assessment and today's date.")  # fmt: skip
    period_start = forms.DateField(widget=_DATE, required=False)
    period_end = forms.DateField(widget=_DATE, required=False)


def add_domain_error(form: forms.Form, exc: DomainError) -> int:
    """Put a service's refusal on the field it names, or on the form; returns the status."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return exc.status
