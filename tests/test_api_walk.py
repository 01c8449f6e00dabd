"""Every operation of the OpenAPI document, walked with four callers: no token (401),
charlie's token from another organisation (404 on A's objects), bob's read-only token
(reads 200, writes 403), and alice's read-write token (never a 500)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from tests import walk
from zgovern.api import api
from zgovern.core import demo
from zgovern.core.actor import Actor
from zgovern.tenancy import services
from zgovern.tenancy.models import Membership
from zgovern.tenancy.roles import Role

_PARAM = re.compile(r"{(\w+)}")


def _token(org, user, read_only: bool) -> str:
    with scopes_disabled():
        membership = Membership.objects.get(organization=org, user=user)
    _, raw = services.create_api_token(
        org, membership, Actor.system("tests"), name="walk", read_only=read_only, expires_at=None
    )
    return raw


@pytest.fixture
def world(alice, bob, charlie, org_a, org_b):
    demo.populate(org_a, {Role.OWNER: alice, Role.AUDITOR: bob})
    demo.populate(org_b, {Role.OWNER: charlie})
    tokens = {
        "alice": _token(org_a, alice, read_only=False),
        "bob": _token(org_a, bob, read_only=True),
        "charlie": _token(org_b, charlie, read_only=False),
    }
    with scopes_disabled():
        values = walk.values_for(org_a)
    return {"values": values, "tokens": tokens}


def _operations():
    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation, schema


def _example(schema: dict, components: dict):
    """A small value of the right shape, so a write reaches the handler's own checks."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            return _example(schema[combinator][0], components)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _example(props[k], components) for k in schema.get("required", [])}
    return {"string": "walk", "integer": 1, "number": 1, "boolean": False, "array": []}.get(kind)


def _body(operation, schema) -> str | None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    components = schema.get("components", {}).get("schemas", {})
    return json.dumps(_example(content["schema"], components))


def _call(token: str | None, method: str, url: str, body: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return walk.call(
        Client(), method, url, data=body or "", content_type="application/json", **headers
    )


def _url(path: str, values: dict) -> str:
    missing = [p for p in _PARAM.findall(path) if p not in values]
    assert not missing, f"{path}: no object for {missing} (name it after a model's url_param)"
    return _PARAM.sub(lambda m: str(values[m[1]]), path)


def _secured(operation) -> bool:
    return bool(operation.get("security"))


def test_api_has_operations():
    assert sum(1 for _ in _operations()) >= 10


def test_anonymous_gets_401(world):
    for path, method, operation, schema in _operations():
        if not _secured(operation):
            continue
        response = _call(None, method, _url(path, world["values"]), _body(operation, schema))
        assert response.status_code == 401, (method, path, response.status_code)


def test_outsider_token_gets_404_on_objects(world):
    for path, method, operation, schema in _operations():
        if not _PARAM.search(path) or not _secured(operation):
            continue
        url = _url(path, world["values"])
        response = _call(world["tokens"]["charlie"], method, url, _body(operation, schema))
        assert response.status_code == 404, (method, path, response.status_code)


def test_read_only_token_reads_and_cannot_write(world):
    for path, method, operation, schema in _operations():
        if not _secured(operation):
            continue
        url = _url(path, world["values"])
        response = _call(world["tokens"]["bob"], method, url, _body(operation, schema))
        expected = 200 if method == "get" else 403
        assert response.status_code == expected, (method, path, response.status_code)


def test_owner_token_never_meets_a_server_error(world):
    for path, method, operation, schema in _operations():
        url = _url(path, world["values"])
        response = _call(world["tokens"]["alice"], method, url, _body(operation, schema))
        assert response.status_code < 500, (method, path, response.status_code)
