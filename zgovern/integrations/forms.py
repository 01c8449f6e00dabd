"""Integration forms, generated from each provider's pydantic schemas.

A schema field becomes a form field by its type: text, whole number, yes/no, a choice, a
list of texts (one per line), or — for anything more structured, such as AWS member
accounts — JSON. Credential fields are password inputs that never render their value:
the page says whether credentials are set, and offers to replace them. The provider's
schema has the last word: its complaints are put on the fields they name.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from typing import Any

from django import forms
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from zgovern.core.errors import DomainError
from zgovern.integrations.models import INTERVAL_DEFAULT, INTERVAL_MAX, INTERVAL_MIN
from zgovern.integrations.services import NAME_MAX, InvalidSettings

CONFIG, CREDENTIALS = "config", "credentials"
TEXT_MAX = 10_000


def add_domain_error(form: forms.Form, exc: DomainError) -> int:
    """Put a service's refusal on the fields it names; returns the HTTP status."""
    if isinstance(exc, InvalidSettings):
        for name, message in exc.errors:
            key = f"{exc.field}__{name.split('.')[0]}" if name else None
            form.add_error(
                key if key in form.fields else None, f"{name}: {message}" if name else message
            )
        return exc.status
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return exc.status


# -- schema fields --------------------------------------------------------------------


def _plain_type(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``None`` (``str | None`` -> ``str``), and whether it was optional."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [arg for arg in args if arg is not type(None)]
        return (rest[0] if len(rest) == 1 else annotation), True
    return annotation, False


def _kind(annotation: Any) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation in (str, SecretStr):
        return "text"
    if origin is typing.Literal or (
        isinstance(annotation, type) and issubclass(annotation, enum.Enum)
    ):
        return "choice"
    if origin is list and args and args[0] is str:
        return "lines"
    return "json"


def _choices(annotation: Any) -> list[tuple[str, str]]:
    if typing.get_origin(annotation) is typing.Literal:
        return [(str(v), str(v)) for v in typing.get_args(annotation)]
    return [(str(member.value), str(member.value)) for member in annotation]


def form_field(name: str, info: FieldInfo, *, secret: bool) -> tuple[forms.Field, str]:
    """The form field for one schema field, and its kind."""
    annotation, optional = _plain_type(info.annotation)
    kind = _kind(annotation)
    required = info.is_required() and not optional and kind != "bool"
    common = {
        "label": name.replace("_", " ").capitalize(),
        "required": required,
        "help_text": info.description or "",
    }
    # A new integration's form starts from the schema's defaults (a checkbox that defaults
    # to on must render checked); secrets never have a visible starting value.
    default = info.get_default(call_default_factory=True)
    if not secret and default is not None and default is not PydanticUndefined:
        common["initial"] = initial_value(kind, default)
    if secret and kind == "text":
        return forms.CharField(
            max_length=TEXT_MAX,
            strip=True,
            widget=forms.PasswordInput(render_value=False),
            **common,
        ), kind
    if kind == "bool":
        return forms.BooleanField(**common), kind
    if kind == "int":
        return forms.IntegerField(**common), kind
    if kind == "choice":
        return forms.ChoiceField(choices=[("", "—"), *_choices(annotation)], **common), kind
    if kind == "lines":
        common["help_text"] = " ".join(filter(None, [common["help_text"], "One per line."]))
        return forms.CharField(
            max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}), **common
        ), kind
    if kind == "text":
        return forms.CharField(max_length=TEXT_MAX, **common), kind
    common["help_text"] = " ".join(filter(None, [common["help_text"], "JSON."]))
    return forms.CharField(
        max_length=TEXT_MAX * 10, widget=forms.Textarea(attrs={"rows": 4}), **common
    ), kind


def initial_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "lines":
        return "\n".join(str(item) for item in value)
    if kind == "json":
        return json.dumps(value, indent=2)
    return value


class SchemaFormMixin:
    """Adds a pydantic schema's fields to a form under ``<group>__<name>``."""

    def add_schema(
        self,
        group: str,
        schema: type[BaseModel],
        *,
        secret: bool,
        values: dict | None,
        optional: bool = False,
    ) -> None:
        """``optional``: the group may be left empty as a whole (the schema still decides
        once anything is entered)."""
        self._kinds = getattr(self, "_kinds", {})
        for name, info in schema.model_fields.items():
            field, kind = form_field(name, info, secret=secret)
            field.required = field.required and not optional
            key = f"{group}__{name}"
            self.fields[key] = field
            self._kinds[key] = kind
            if values and not secret and name in values:
                self.initial.setdefault(key, initial_value(kind, values[name]))

    def schema_values(self, group: str) -> dict[str, Any]:
        """What was entered for ``group``, in the schema's terms (empty optional fields are
        left out, so the schema's defaults apply)."""
        values: dict[str, Any] = {}
        for key, kind in self._kinds.items():
            if not key.startswith(f"{group}__"):
                continue
            raw = self.cleaned_data.get(key)
            name = key.split("__", 1)[1]
            if kind == "bool":
                values[name] = bool(raw)
            elif raw in (None, ""):
                continue
            elif kind == "lines":
                values[name] = [line.strip() for line in raw.splitlines() if line.strip()]
            elif kind == "json":
                values[name] = self._json(key, raw)
            else:
                values[name] = raw
        return values

    def _json(self, key: str, raw: str) -> Any:
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, RecursionError) as exc:
            self.add_error(key, f"Not valid JSON ({exc}).")
            return None


# -- the forms ------------------------------------------------------------------------


class IntegrationForm(SchemaFormMixin, forms.Form):
    """Name, schedule and configuration; with ``with_credentials`` also the credentials
    (when adding an integration)."""

    name = forms.CharField(max_length=NAME_MAX)
    interval_hours = forms.IntegerField(
        label="Run every (hours)",
        min_value=INTERVAL_MIN,
        max_value=INTERVAL_MAX,
        initial=INTERVAL_DEFAULT,
    )
    enabled = forms.BooleanField(
        required=False, initial=True, label="Run on the schedule",
        help_text="When off, the checks run only when someone asks.",
    )  # fmt: skip

    def __init__(
        self, *args, provider, config: dict | None = None, with_credentials: bool, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.add_schema(CONFIG, provider.config_schema, secret=False, values=config)
        if with_credentials:
            self.add_schema(
                CREDENTIALS, provider.credentials_schema, secret=True, values=None, optional=True
            )
        self.with_credentials = with_credentials

    def settings(self) -> dict[str, Any]:
        """The service's keyword arguments."""
        values = {
            "name": self.cleaned_data["name"],
            "interval_hours": self.cleaned_data["interval_hours"],
            "enabled": self.cleaned_data["enabled"],
            "config": self.schema_values(CONFIG),
        }
        if self.with_credentials:
            values["credentials"] = self.schema_values(CREDENTIALS) or None
        return values


class CredentialsForm(SchemaFormMixin, forms.Form):
    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_schema(CREDENTIALS, provider.credentials_schema, secret=True, values=None)

    def credentials(self) -> dict[str, Any]:
        return self.schema_values(CREDENTIALS)


class ProviderForm(forms.Form):
    provider = forms.ChoiceField(choices=())

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(p.key, p.name) for p in providers]
