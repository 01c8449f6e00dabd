"""Check metadata as data: each provider's ``checks.yaml``, loaded and validated.

A check is one entry of metadata plus one evaluator function (the provider's
``evaluators()``). The file, ``zgovern/integrations/<provider>/checks.yaml``::

    format: 1                 # optional; must be 1
    provider: aws             # optional; when given, must be the provider's key
    checks:
      - id: aws.iam.console_mfa           # <provider>.<service>.<name>, lowercase
        title: Console users have MFA      # up to 200 characters
        provider: aws                     # optional when given at the top
        service: iam                      # the inventory service the check reads
        resource_type: aws.iam.user       # what one finding is about
        severity: high                    # low | medium | high | critical
        criteria: [soc2:CC6.1]            # framework criteria it evidences
        controls: [mfa-enforced]          # keys of the default control set
        remediation: >-                   # what to do about a failure
          Enable an MFA device for every user who signs in to the console.
        permission: iam:GenerateCredentialReport   # text, or a list of texts
        description: >-                   # optional
          Longer explanation.

A top-level list of checks (without ``format``/``provider``) is read the same way.
Unknown and repeated keys are errors. :func:`load_checks` raises one
:class:`~zgovern.frameworks.yamlsource.LibraryError` listing every problem with its file,
line and field, including ids without an evaluator and evaluators without metadata;
nothing of a file with a problem is used. ``zgovern checks validate`` runs it for every
registered provider.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from zgovern.frameworks import library
from zgovern.frameworks.yamlsource import (
    Fields,
    LibraryError,
    Problem,
    Problems,
    read_document,
)
from zgovern.integrations.base import Provider

FORMAT_VERSION = 1
SEVERITIES = ("low", "medium", "high", "critical")
CHECK_ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9][a-z0-9_]*){2,5}")
CHECK_ID_HINT = "use <provider>.<service>.<name> in lowercase letters, digits and '_'"
DOTTED = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9][a-z0-9_]*)+")
DOTTED_HINT = "use lowercase dotted words such as aws.iam.user"
SERVICE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
SERVICE_HINT = "use lowercase letters, digits, '-' or '_'"
PERMISSION = re.compile(r"[^\s\x00]{1,200}")
PERMISSION_HINT = "a permission name without spaces, such as iam:ListUsers"

TOP_KEYS = ("format", "provider", "checks")
CHECK_KEYS = (
    "id", "title", "provider", "service", "resource_type", "severity", "criteria", "controls",
    "remediation", "permission", "description",
)  # fmt: skip


@dataclass(frozen=True)
class CheckSpec:
    """One check's metadata. ``criteria`` are ``framework:criterion`` references and
    ``controls`` keys of the default control set, both verified when loaded."""

    id: str
    title: str
    provider: str
    service: str
    resource_type: str
    severity: str
    criteria: tuple[str, ...]
    controls: tuple[str, ...]
    remediation: str
    permissions: tuple[str, ...]
    description: str = ""
    origin: str = ""

    @property
    def permission(self) -> str:
        """The permissions as one line, for messages."""
        return ", ".join(self.permissions)


def load_checks(provider: Provider) -> tuple[CheckSpec, ...]:
    """Read and validate ``provider``'s checks.yaml against its evaluators.

    Raises :class:`LibraryError` with every problem found."""
    path = Path(provider.checks_file())
    specs = parse_checks(read_document(path), provider.key)
    evaluators = dict(provider.evaluators())
    problems = [
        Problem(spec.origin, None, "checks", f"'{spec.id}' has no evaluator in the provider")
        for spec in specs
        if spec.id not in evaluators
    ]
    known = {spec.id for spec in specs}
    problems += [
        Problem(str(path), None, "checks", f"evaluator '{check_id}' has no metadata in this file")
        for check_id in sorted(evaluators)
        if check_id not in known
    ]
    if problems:
        raise LibraryError(problems)
    return specs


def parse_checks(document, provider_key: str) -> tuple[CheckSpec, ...]:
    """The checks of a parsed file, each located problem recorded; raises at the end."""
    problems = Problems(document.name)
    if document.root is None:
        raise LibraryError([Problem(document.name, None, "", "file is empty")])
    entries = _entries(document.root, problems, provider_key)
    specs: list[CheckSpec] = []
    first_line: dict[str, int | None] = {}
    for fields in entries:
        spec = _check(fields, provider_key, document.name)
        if spec is None:
            continue
        if spec.id in first_line:
            problems.add(
                fields.node_of("id"),
                fields.at("id"),
                f"duplicate id '{spec.id}' (first defined on line {first_line[spec.id]})",
            )
            continue
        first_line[spec.id] = fields.line_of("id")
        specs.append(spec)
    problems.raise_if_any()
    return tuple(specs)


def _entries(root: yaml.Node, problems: Problems, provider_key: str) -> list[Fields]:
    if isinstance(root, yaml.SequenceNode):
        items = problems.sequence(root, "checks")
    else:
        top = problems.mapping(root, "", TOP_KEYS)
        if top is None:
            raise LibraryError(problems.items)
        _check_header(top, provider_key)
        items = top.items("checks")
    result = []
    for path, node in items:
        fields = problems.mapping(node, path, CHECK_KEYS)
        if fields is not None:
            result.append(fields)
    return result


def _check_header(top: Fields, provider_key: str) -> None:
    if top.node_of("format") is not None:
        version = top.integer("format", minimum=0, maximum=10**6)
        if version is not None and version != FORMAT_VERSION:
            top.problems.add(
                top.line_of("format"), "format", f"unsupported format {version} (expected 1)"
            )
    provider = top.text("provider", required=False)
    if provider is not None and provider != provider_key:
        top.problems.add(
            top.line_of("provider"), "provider", f"expected '{provider_key}', got '{provider}'"
        )


def _check(fields: Fields, provider_key: str, origin: str) -> CheckSpec | None:
    """One entry; ``None`` when it has problems (recorded in ``fields.problems``)."""
    before = len(fields.problems.items)
    check_id = fields.text("id", pattern=CHECK_ID, hint=CHECK_ID_HINT, max_length=120)
    if check_id is not None and not check_id.startswith(f"{provider_key}."):
        fields.problems.add(
            fields.node_of("id"), fields.at("id"), f"must start with '{provider_key}.'"
        )
    provider = fields.text("provider", required=False) or provider_key
    if provider != provider_key:
        fields.problems.add(
            fields.node_of("provider"),
            fields.at("provider"),
            f"expected '{provider_key}', got '{provider}'",
        )
    spec = CheckSpec(
        id=check_id or "",
        title=fields.text("title", max_length=200) or "",
        provider=provider_key,
        service=fields.text("service", pattern=SERVICE, hint=SERVICE_HINT, max_length=40) or "",
        resource_type=fields.text("resource_type", pattern=DOTTED, hint=DOTTED_HINT, max_length=80)
        or "",
        severity=_severity(fields),
        criteria=_criteria(fields),
        controls=_controls(fields),
        remediation=fields.text("remediation", max_length=4000) or "",
        permissions=_permissions(fields),
        description=fields.text("description", required=False, max_length=4000) or "",
        origin=origin,
    )
    return spec if len(fields.problems.items) == before else None


def _severity(fields: Fields) -> str:
    value = fields.text("severity", max_length=20)
    if value is not None and value not in SEVERITIES:
        fields.problems.add(
            fields.node_of("severity"),
            fields.at("severity"),
            f"'{value}' is not one of: {', '.join(SEVERITIES)}",
        )
    return value or ""


def _criteria(fields: Fields) -> tuple[str, ...]:
    frameworks = library.load_builtin_frameworks()
    found: list[str] = []
    for value, node, path in fields.texts("criteria", required=True):
        ref = library.parse_criterion_ref(value)
        if ref is None:
            fields.problems.add(node, path, f"'{value}' is not a reference like soc2:CC6.1")
            continue
        framework = frameworks.get(ref.framework)
        if framework is None:
            known = ", ".join(sorted(frameworks))
            fields.problems.add(node, path, f"unknown framework '{ref.framework}' (known: {known})")
            continue
        message = framework.unknown_criterion_message(ref.criterion)
        if message is not None:
            fields.problems.add(node, path, message)
            continue
        found.append(str(ref))
    return tuple(found)


def _controls(fields: Fields) -> tuple[str, ...]:
    control_set = library.load_default_controls()
    keys = {control.key for control in control_set.controls}
    found: list[str] = []
    for value, node, path in fields.texts("controls"):
        if value not in keys:
            fields.problems.add(node, path, f"'{value}' is not a control of the default set")
            continue
        found.append(value)
    return tuple(found)


def _permissions(fields: Fields) -> tuple[str, ...]:
    node = fields.node_of("permission")
    if isinstance(node, yaml.SequenceNode):
        values = fields.texts("permission", pattern=PERMISSION, hint=PERMISSION_HINT, required=True)
        return tuple(value for value, _, _ in values)
    value = fields.text("permission", pattern=PERMISSION, hint=PERMISSION_HINT, max_length=200)
    return (value,) if value else ()


__all__ = [
    "CHECK_ID",
    "SEVERITIES",
    "CheckSpec",
    "LibraryError",
    "Problem",
    "load_checks",
    "parse_checks",
]
