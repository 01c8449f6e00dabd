"""Enumerate every organisation route (web and API) and fill its path parameters.

A route's parameters are filled from the organisation's objects: a parameter named like a
tenant model's ``url_param`` (or ``<model_name>_id``) gets the primary key of that model's
first row in the organisation. Routes with any other parameter must be listed in
``EXTRA_VALUES``; an unknown parameter fails the walk instead of silently skipping it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from zgovern.tenancy.models import TenantModel

ORG_PREFIX = "o/<slug:org_slug>/"
# Path parameters that are not object ids, with a value valid in every organisation.
EXTRA_VALUES = {
    "check_id": "aws.iam.console_mfa",
    "population": "new_hires",
    "questionnaire_key": "security",
}


def call(client, method: str, url: str, **kwargs):
    """``client.<method>(url)`` with a streamed body read at once, so the file behind it
    (a bundle download, say) is closed rather than left for the garbage collector.
    Reading it is what closes it: the test client then closes the response with the
    request-finished handlers held back, whereas ``response.close()`` would run them and
    drop the test's database connection (with ``CONN_MAX_AGE = 0``, on PostgreSQL)."""
    response = getattr(client, method)(url, **kwargs)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


_CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class WebRoute:
    template: str  # e.g. "o/<slug:org_slug>/settings/members/<int:member_id>/"
    name: str

    @property
    def params(self) -> list[str]:
        return [m["name"] for m in _CONVERTER.finditer(self.template)]

    def url(self, values: dict[str, object]) -> str:
        return "/" + _CONVERTER.sub(lambda m: str(values[m["name"]]), self.template)


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            yield from _walk(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern):
            yield WebRoute(route, f"{namespace}:{pattern.name}" if namespace else str(pattern.name))


def org_web_routes() -> list[WebRoute]:
    return [r for r in _walk(get_resolver().url_patterns) if r.template.startswith(ORG_PREFIX)]


def tenant_models() -> list[type[TenantModel]]:
    return [m for m in apps.get_models() if issubclass(m, TenantModel) and not m._meta.abstract]


def param_models() -> dict[str, type[TenantModel]]:
    mapping: dict[str, type[TenantModel]] = {}
    for model in tenant_models():
        for name in filter(None, (model.url_param, f"{model._meta.model_name}_id")):
            mapping[name] = model
    return mapping


def values_for(org, extra: dict[str, object] | None = None) -> dict[str, object]:
    """Every fillable parameter's value in ``org`` (call inside the org's scope)."""
    values: dict[str, object] = {"org_slug": org.slug, **EXTRA_VALUES, **(extra or {})}
    for name, model in param_models().items():
        row = model.objects.filter(organization=org).order_by("pk").first()
        if row is not None:
            values[name] = row.pk
    return values


def missing_params(params: list[str], values: dict[str, object]) -> list[str]:
    return [p for p in params if p not in values]
