"""Forms of the evidence pages. They parse and bound the input; the rules (allowed file
types, size, periods, what a correction may change) live in the services."""

from __future__ import annotations

from django import forms

from zgovern.core.errors import DomainError
from zgovern.evidence.models import EvidenceItem, EvidenceSource
from zgovern.evidence.validation import DESCRIPTION_MAX, KIND_MAX, TITLE_MAX, URL_MAX

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class FilterForm(forms.Form):
    kind = forms.SlugField(max_length=KIND_MAX, required=False)
    source = forms.ChoiceField(
        choices=[("", "Any source"), *EvidenceSource.choices], required=False
    )
    collected_from = forms.DateField(label="Collected from", required=False, widget=_DATE)
    collected_to = forms.DateField(label="Collected until", required=False, widget=_DATE)

    def clean(self):
        data = super().clean()
        start, end = data.get("collected_from"), data.get("collected_to")
        if start and end and end < start:
            self.add_error("collected_to", "The range ends before it starts.")
        return data

    def filters(self) -> dict:
        """The valid filters (an invalid form filters nothing)."""
        if not self.is_valid():
            return {}
        return {
            "kind": self.cleaned_data["kind"].lower(),
            "source": self.cleaned_data["source"],
            "collected_from": self.cleaned_data["collected_from"],
            "collected_to": self.cleaned_data["collected_to"],
        }


class _Describe(forms.Form):
    """What every item carries besides its content."""

    title = forms.CharField(max_length=TITLE_MAX)
    kind = forms.CharField(
        max_length=KIND_MAX,
        help_text="The kind of evidence a control asks for, e.g. access_review.",
        widget=forms.TextInput(attrs={"list": "evidence-kinds", "autocomplete": "off"}),
    )
    description = forms.CharField(
        max_length=DESCRIPTION_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    period_start = forms.DateField(label="Period from", required=False, widget=_DATE)
    period_end = forms.DateField(
        label="Period until",
        required=False,
        widget=_DATE,
        help_text="The days this evidence covers; leave both empty for a point in time.",
    )
    collected_at = forms.DateTimeField(
        label="Collected at (UTC)",
        required=False,
        widget=_DATETIME,
        help_text="When the evidence was produced; empty means now.",
    )
    tags = forms.CharField(
        max_length=2000, required=False, help_text="Optional labels, separated by commas."
    )

    def clean_tags(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]

    def described(self) -> dict:
        return {name: self.cleaned_data[name] for name in _Describe.base_fields}


class UploadForm(_Describe):
    file = forms.FileField(help_text="PDF, image, spreadsheet, document, text or ZIP.")


class LinkForm(_Describe):
    url = forms.CharField(
        label="Address", max_length=URL_MAX, help_text="A full http:// or https:// address."
    )


class CorrectForm(_Describe):
    """A correction: every field starts at the original's value; the content field shown
    depends on the original's source."""

    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the item is corrected; kept in the activity log.",
    )
    file = forms.FileField(required=False, help_text="Optional: a new version of the file.")
    url = forms.CharField(label="Address", max_length=URL_MAX, required=False)

    field_order = ["reason"]

    def __init__(self, *args, original: EvidenceItem, **kwargs) -> None:
        kwargs.setdefault("initial", _initial(original))
        super().__init__(*args, **kwargs)
        self.original = original
        self.fields[
            "collected_at"
        ].help_text = "Empty keeps the original's time, or means now when you give new content."
        if original.source != EvidenceSource.UPLOAD:
            del self.fields["file"]
        if original.source != EvidenceSource.LINK:
            del self.fields["url"]

    def content(self) -> dict:
        """New content only: an unchanged address is no new content."""
        url = self.cleaned_data.get("url") or None
        if url is not None and url.strip() == self.original.link_url:
            url = None
        return {"uploaded_file": self.cleaned_data.get("file") or None, "url": url}


def _initial(item: EvidenceItem) -> dict:
    return {
        "title": item.title,
        "kind": item.kind,
        "description": item.description,
        "period_start": item.period_start,
        "period_end": item.period_end,
        "tags": ", ".join(item.tags or []),
        "url": item.link_url,
    }


def add_domain_error(form: forms.Form, exc: DomainError) -> int:
    """Put a service's refusal on the field it names, or on the form; returns the status."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return exc.status
