"""Every organisation URL and every API operation, walked with four callers:

- anonymous: sent to sign-in (web) or 401 (API);
- charlie, owner of another organisation: 404 on anything of organisation A;
- bob, read-only member of A: reads succeed, every write answers 403;
- alice, owner of A: never a 500, even with an empty form; and 404 for B's objects.

New routes are covered by this walk without new test code, as long as their object
parameters follow the ``url_param`` convention (see tests/walk.py).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from tests import walk
from zgovern.core import demo
from zgovern.tenancy.roles import Role

WRITE_METHODS = ("post",)


@pytest.fixture
def world(alice, bob, charlie, org_a, org_b):
    """Both organisations hold one object of every kind (each app's demo records)."""
    demo.populate(org_a, {Role.OWNER: alice, Role.AUDITOR: bob})
    demo.populate(org_b, {Role.OWNER: charlie})
    with scopes_disabled():
        values_a = walk.values_for(org_a)
        values_b = walk.values_for(org_b)
    return {"a": values_a, "b": {**values_b, "org_slug": org_a.slug}}


def _routes_with_urls(values):
    routes = walk.org_web_routes()
    assert routes, "no organisation routes found"
    for route in routes:
        missing = walk.missing_params(route.params, values)
        assert not missing, (
            f"{route.template} ({route.name}): no object for {missing}; add demo records "
            "for its model or name the parameter after the model's url_param"
        )
        yield route, route.url(values)


def test_anonymous_is_sent_to_sign_in(world):
    for route, url in _routes_with_urls(world["a"]):
        for method in ("get", "post"):
            response = walk.call(Client(), method, url)
            assert response.status_code == 302, (route.name, method, response.status_code)
            assert "/account/login/" in response["Location"], (route.name, method)


def test_outsider_gets_404_everywhere(world, charlie_client):
    for route, url in _routes_with_urls(world["a"]):
        for method in ("get", "post"):
            status = walk.call(charlie_client, method, url).status_code
            assert status == 404, (route.name, method, url, status)


def test_read_only_member_reads_but_cannot_write(world, bob_client):
    for route, url in _routes_with_urls(world["a"]):
        status = walk.call(bob_client, "get", url).status_code
        assert status in (200, 302, 405), (route.name, url, status)
        for method in WRITE_METHODS:
            status = walk.call(bob_client, method, url).status_code
            assert status == 403, (route.name, method, url, status)


def test_owner_never_meets_a_server_error(world, alice_client):
    for route, url in _routes_with_urls(world["a"]):
        for method in ("get", "post"):
            status = walk.call(alice_client, method, url).status_code
            assert status < 500, (route.name, method, url, status)


def test_another_organisations_object_ids_answer_404(world, alice_client):
    """Org A's URLs carrying org B's object ids: the scope hides B's rows."""
    for route, url in _routes_with_urls(world["b"]):
        object_params = [p for p in route.params if p in walk.param_models()]
        if not object_params:
            continue
        for method in ("get", "post"):
            status = walk.call(alice_client, method, url).status_code
            assert status in (404, 405), (route.name, method, url, status)
