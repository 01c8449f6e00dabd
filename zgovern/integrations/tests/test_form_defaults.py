"""A new integration's form starts from the provider schema's defaults."""

from zgovern.integrations.aws.provider import PROVIDER
from zgovern.integrations.forms import form_field


def _initial(name: str, *, secret: bool = False):
    field, _ = form_field(name, PROVIDER.config_schema.model_fields[name], secret=secret)
    return field.initial


def test_checkbox_defaulting_to_on_starts_checked():
    assert _initial("include_own_account") is True


def test_required_fields_without_default_start_empty():
    assert _initial("regions") is None


def test_secrets_never_get_a_starting_value():
    for name, info in PROVIDER.credentials_schema.model_fields.items():
        field, _ = form_field(name, info, secret=True)
        assert field.initial is None, name
