"""Reading IAM and S3 policy documents: who a statement lets in, whether it grants
everything, whether it refuses plain-HTTP requests."""

from __future__ import annotations

import json
from typing import Any

# Condition keys that pin a wildcard principal to known callers: a statement limited by one
# of them is not public (the same rule AWS applies to decide whether a policy is public).
LIMITING_KEYS = frozenset(
    {
        "aws:sourceip",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:userid",
    }
)


def statements(document: Any) -> list[dict[str, Any]]:
    """A policy's statements as a list of dicts, whatever shape the document has."""
    if isinstance(document, str):
        document = json.loads(document)
    found = document.get("Statement", []) if isinstance(document, dict) else []
    if isinstance(found, dict):
        found = [found]
    return [s for s in found if isinstance(s, dict)] if isinstance(found, list) else []


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def grants_everything(document: Any) -> bool:
    """Whether a policy allows every action on every resource without a condition."""
    return any(
        s.get("Effect") == "Allow"
        and not s.get("Condition")
        and any(a in ("*", "*:*") for a in as_list(s.get("Action")))
        and "*" in as_list(s.get("Resource"))
        for s in statements(document)
    )


def anyone(principal: Any) -> bool:
    """Whether a principal element names everybody (``*`` or ``{"AWS": "*"}``)."""
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return "*" in as_list(principal.get("AWS"))
    return False


def _condition_keys(statement: dict[str, Any]) -> set[str]:
    condition = statement.get("Condition") or {}
    keys: set[str] = set()
    if isinstance(condition, dict):
        for operands in condition.values():
            if isinstance(operands, dict):
                keys.update(str(k).lower() for k in operands)
    return keys


def public_statements(document: Any) -> list[str]:
    """The actions each public Allow statement grants to anybody, e.g. ``["s3:GetObject"]``."""
    granted: list[str] = []
    for s in statements(document):
        if s.get("Effect") != "Allow" or not anyone(s.get("Principal")):
            continue
        if _condition_keys(s) & LIMITING_KEYS:
            continue
        granted.extend(str(a) for a in as_list(s.get("Action")) or ["(all actions)"])
    return granted


def denies_insecure_transport(document: Any) -> bool:
    """Whether a bucket policy refuses every request made without TLS
    (Deny, anyone, s3:* or *, ``Bool: aws:SecureTransport = false``)."""
    for s in statements(document):
        if s.get("Effect") != "Deny" or not anyone(s.get("Principal")):
            continue
        if not any(a in ("*", "s3:*") for a in as_list(s.get("Action"))):
            continue
        for operator, operands in (s.get("Condition") or {}).items():
            if str(operator).lower() != "bool" or not isinstance(operands, dict):
                continue
            for key, value in operands.items():
                if str(key).lower() == "aws:securetransport" and any(
                    str(v).lower() == "false" for v in as_list(value)
                ):
                    return True
    return False
