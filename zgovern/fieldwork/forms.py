"""Forms of the fieldwork pages; the rules beyond shape are the services'."""

from __future__ import annotations

from django import forms

from zgovern.core.errors import DomainError
from zgovern.fieldwork.models import CommentTarget
from zgovern.fieldwork.services import COMMENT_MAX, NOTE_MAX, SAMPLE_MAX, SEED_MAX


class SampleForm(forms.Form):
    """A seeded random sample (``size``, optional ``seed``) or, with ``method=manual``,
    the items ticked in the population's table (``keys``)."""

    method = forms.ChoiceField(
        choices=[("random", "random"), ("manual", "manual")],
        initial="random",
        widget=forms.HiddenInput,
    )
    size = forms.IntegerField(
        required=False, min_value=1, max_value=SAMPLE_MAX, label="Sample size"
    )
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=SEED_MAX,
        label="Seed (blank: chosen for you, and stored)",
    )
    keys = forms.MultipleChoiceField(required=False, choices=[])
    note = forms.CharField(required=False, max_length=NOTE_MAX, label="Note")

    def __init__(self, *args, keys: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Unknown keys are the service's to name, so every submitted value is accepted here.
        submitted = self.data.getlist("keys") if hasattr(self.data, "getlist") else []
        self.fields["keys"].choices = [(k, k) for k in dict.fromkeys([*keys, *submitted])]

    def for_service(self) -> dict:
        data = self.cleaned_data
        if data["method"] == "manual":
            return {"keys": data["keys"], "note": data["note"]}
        return {"size": data["size"], "seed": data["seed"], "note": data["note"]}


class CommentForm(forms.Form):
    target_kind = forms.ChoiceField(choices=CommentTarget.choices, widget=forms.HiddenInput)
    target_id = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    body = forms.CharField(
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Comment (mention a member with @their-address)",
    )


class GrantForm(forms.Form):
    email = forms.CharField(max_length=254, label="Auditor's email")
    expires_at = forms.DateTimeField(
        label="Access ends (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class AccessLogFilter(forms.Form):
    auditor = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    audit = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


def add_domain_error(form: forms.Form, exc: DomainError) -> int:
    """Put a service's refusal on the field it names, or on the form; returns the status."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return exc.status
