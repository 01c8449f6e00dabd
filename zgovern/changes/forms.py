"""The filter form of the change records list (also read by its exports)."""

from __future__ import annotations

from django import forms

from zgovern.changes import queries

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SORT_LABELS = {
    "-merged_at": "Newest first", "merged_at": "Oldest first",
    "repository": "Repository A to Z", "-repository": "Repository Z to A",
    "author": "Author A to Z", "-author": "Author Z to A",
    "number": "Pull request number", "-number": "Pull request number, highest first",
    "approved": "Unapproved first", "-approved": "Approved first",
}  # fmt: skip


class FilterForm(forms.Form):
    repository = forms.CharField(max_length=200, required=False)
    approval = forms.ChoiceField(
        choices=[("", "Any"), ("approved", "Approved"), ("unapproved", "Unapproved (flagged)")],
        required=False,
    )
    author = forms.CharField(max_length=100, required=False)
    merged_from = forms.DateField(label="Merged from", widget=_DATE, required=False)
    merged_to = forms.DateField(label="Merged until", widget=_DATE, required=False)
    sort = forms.ChoiceField(
        choices=[(key, SORT_LABELS[key]) for key in queries.sort_choices()], required=False
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("merged_from"), data.get("merged_to")
        if start and end and end < start:
            self.add_error("merged_to", "The end of the period is before its start.")
        for name in ("repository", "author"):
            if "\x00" in (data.get(name) or ""):
                self.add_error(name, "Contains a NUL character.")
        return data

    def filters(self) -> dict:
        """The valid filters (an invalid form filters nothing)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "repository": data["repository"].strip(), "approval": data["approval"],
            "author": data["author"].strip(), "merged_from": data["merged_from"],
            "merged_to": data["merged_to"], "sort": data["sort"] or queries.DEFAULT_SORT,
        }  # fmt: skip
