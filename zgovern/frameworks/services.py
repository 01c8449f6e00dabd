"""Writes of the frameworks module: adopting a framework (built-in or custom), scoping its
categories and criteria, adopting the default control set, and versioning the system
description. Every change is recorded in the activity log in its own transaction."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from zgovern.controls.models import (
    Control,
    ControlCheck,
    ControlCriterion,
    ControlPolicy,
    EvidenceRequirement,
)
from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.frameworks import library
from zgovern.frameworks.framework import FrameworkLibrary
from zgovern.frameworks.models import Category, Criterion, Framework, SystemDescription
from zgovern.tenancy.activity import record

MAX_CUSTOM_BYTES = 2 * 1024 * 1024
SYSTEM_FIELDS = (
    "services", "infrastructure", "data", "people", "third_parties", "boundaries", "narrative",
)  # fmt: skip
MAX_TEXT = 20_000
MAX_REASON = 2000


class FrameworkFileError(DomainError):
    """An uploaded framework file was refused. ``problems`` lists every problem with its
    file, line and field; ``message`` is the same list as text. Nothing was stored."""

    def __init__(self, problems: list[library.Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems), field="file")
        self.problems = problems


def _text(value: object, field: str, limit: int) -> str:
    """``value`` stripped, or a refusal naming ``field``: text only, storable by both
    databases (no NUL, no lone surrogates), at most ``limit`` characters."""
    if not isinstance(value, str):
        raise DomainError(f"{field} must be text.", field=field)
    if "\x00" in value:
        raise DomainError(f"{field} must not contain NUL characters.", field=field)
    try:
        value.encode()
    except UnicodeEncodeError:
        raise DomainError(f"{field} must be valid Unicode text.", field=field) from None
    value = value.strip()
    if len(value) > limit:
        raise DomainError(f"{field} is longer than {limit:,} characters.", field=field)
    return value


def builtin(key: str) -> FrameworkLibrary:
    frameworks = library.load_builtin_frameworks()
    if key not in frameworks:
        raise NotFound(f"No built-in framework {key!r}; choose {', '.join(frameworks)}.")
    return frameworks[key]


def adopt_framework(
    org, actor: Actor, source: FrameworkLibrary, *, is_custom: bool = False
) -> Framework:
    """Copy ``source`` into ``org``: its categories (required ones in scope) and its
    criteria tree. Refuses (409) a framework the organisation already has, also when
    two requests adopt it at the same time."""
    already = Conflict(f"{source.name} is already adopted.", field="framework")
    if Framework.objects.filter(organization=org, key=source.id).exists():
        raise already
    try:
        with transaction.atomic():
            framework = Framework.objects.create(
                organization=org, key=source.id, name=source.name, version=source.version,
                description=source.description, is_custom=is_custom,
            )  # fmt: skip
            categories = _copy_categories(org, framework, source)
            _copy_tree(org, framework, source, categories)
            record(org, actor, "framework.adopted", framework, {"version": source.version})
    except IntegrityError:
        # Only the (organization, key) constraint can fail here: a concurrent adoption won.
        raise already from None
    return framework


def adopt_builtin(
    org, actor: Actor, key: str, *, with_default_controls: bool = True
) -> tuple[Framework, int]:
    """Adopt the built-in framework ``key`` and, unless told otherwise, the default
    controls for it, all or nothing. Returns the framework and how many controls were
    created."""
    source = builtin(key)
    with transaction.atomic():
        framework = adopt_framework(org, actor, source)
        created = adopt_default_controls(org, actor) if with_default_controls else 0
    return framework, created


def _copy_categories(org, framework: Framework, source: FrameworkLibrary) -> dict[str, Category]:
    categories = {}
    for position, cat in enumerate(source.categories):
        categories[cat.id] = Category.objects.create(
            organization=org, framework=framework, key=cat.id, name=cat.name,
            description=cat.description, always_in_scope=cat.always_in_scope,
            in_scope=cat.always_in_scope, position=position,
            scope_reason="Always in scope." if cat.always_in_scope else "",
        )  # fmt: skip
    return categories


def _copy_tree(org, framework, source: FrameworkLibrary, categories) -> None:
    """Insert groups and criteria in document order, parents before children."""
    rows: dict[str, Criterion] = {}
    position = 0

    def visit(node_id: str) -> None:
        nonlocal position
        leaf = source.has_criterion(node_id)
        item = source.criterion(node_id) if leaf else source.node(node_id)
        parent = rows.get(item.parent) if item.parent else None
        rows[node_id] = Criterion.objects.create(
            organization=org, framework=framework, parent=parent, ref=node_id,
            title=item.title, description=item.description, position=position,
            category=categories[_category_of(source, node_id)], assessable=leaf,
        )  # fmt: skip
        position += 1
        if not leaf:
            for child in source.node(node_id).children:
                visit(child)

    for root in source.roots:
        visit(root)


def _category_of(source: FrameworkLibrary, node_id: str) -> str:
    if source.has_criterion(node_id):
        return source.criterion(node_id).category
    node = source.node(node_id)
    return node.category or _category_of(source, node.children[0])


def adopt_custom_framework(org, actor: Actor, content: bytes, filename: str) -> Framework:
    """Validate an uploaded framework file and adopt it. A file that is not a valid
    framework raises :class:`FrameworkFileError` (a ``DomainError`` on ``file``) listing
    every problem with its line and field; an unreadable one a ``DomainError``; a built-in
    or already adopted id ``Conflict``. Nothing is stored then."""
    if len(content) > MAX_CUSTOM_BYTES:
        raise DomainError("The file is larger than 2 MB.", field="file")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DomainError(f"The file is not UTF-8 (byte {exc.start}).", field="file") from None
    name = _file_name(filename)
    try:
        source = library.load_framework(text, name=name)
    except library.LibraryError as exc:
        raise FrameworkFileError(list(exc.problems)) from None
    if source.id in library.load_builtin_frameworks():
        raise Conflict(
            f"{source.id!r} is a built-in framework; give yours another id.", field="file"
        )
    return adopt_framework(org, actor, source, is_custom=True)


def _file_name(filename: str) -> str:
    """The upload's name as shown in messages: printable, without any directory part."""
    base = re.split(r"[\\/]", filename or "")[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable())[:100]
    return cleaned or "upload"


def set_category_scope(org, actor: Actor, category_id: int, *, in_scope: bool, reason: str):
    """Put an optional category in or out of scope; the reason is required either way."""
    reason = _text(reason, "reason", MAX_REASON)
    if not reason:
        raise DomainError("Say why this category is in or out of scope.", field="reason")
    with transaction.atomic():
        category = Category.objects.filter(organization=org, pk=category_id).first()
        if category is None:
            raise NotFound("No such category.")
        if category.always_in_scope and not in_scope:
            raise DomainError(f"{category.name} is always in scope.", field="in_scope")
        before = category.in_scope
        category.in_scope, category.scope_reason = in_scope, reason
        category.save(update_fields=["in_scope", "scope_reason"])
        record(org, actor, "framework.category_scoped", category,
               {"in_scope": [before, in_scope], "reason": reason})  # fmt: skip
    return category


def set_criterion_applicability(
    org, actor: Actor, criterion_id: int, *, not_applicable: bool, justification: str
):
    """Mark a criterion not applicable (a justification is required) or applicable again."""
    justification = _text(justification, "justification", MAX_REASON)
    if not_applicable and not justification:
        raise DomainError(
            "A criterion marked not applicable needs a justification.", field="justification"
        )
    with transaction.atomic():
        criterion = Criterion.objects.filter(
            organization=org, pk=criterion_id, assessable=True
        ).first()
        if criterion is None:
            raise NotFound("No such criterion.")
        criterion.not_applicable = not_applicable
        criterion.na_justification = justification if not_applicable else ""
        criterion.save(update_fields=["not_applicable", "na_justification"])
        record(org, actor, "framework.criterion_applicability", criterion,
               {"not_applicable": not_applicable, "justification": justification})  # fmt: skip
    return criterion


def adopt_default_controls(org, actor: Actor) -> int:
    """Create the default controls that address the organisation's adopted criteria, and
    link existing ones to newly adopted criteria. Returns how many controls were created.
    Controls the organisation already has (by key) keep their edits. Two concurrent runs:
    one wins, the other answers 409."""
    try:
        with transaction.atomic():
            return _adopt_default_controls(org, actor)
    except IntegrityError:
        raise Conflict("The default controls are being adopted already; reload.") from None


def _adopt_default_controls(org, actor: Actor) -> int:
    control_set = library.load_default_controls()
    criteria = {
        (c.framework.key, c.ref): c
        for c in Criterion.objects.filter(organization=org, assessable=True).select_related(
            "framework"
        )
    }
    existing = {c.key: c for c in Control.objects.filter(organization=org)}
    linked = set(
        ControlCriterion.objects.filter(organization=org).values_list("control_id", "criterion_id")
    )
    created = 0
    for template in control_set.controls:
        targets = [criteria[(r.framework, r.criterion)] for r in template.criteria
                   if (r.framework, r.criterion) in criteria]  # fmt: skip
        if not targets:
            continue
        control = existing.get(template.key)
        if control is None:
            control = _create_from_template(org, template)
            created += 1
        ControlCriterion.objects.bulk_create(
            [ControlCriterion(organization=org, control=control, criterion=c)
             for c in targets if (control.id, c.id) not in linked]
        )  # fmt: skip
    record(org, actor, "controls.defaults_adopted", None, {"created": created})
    return created


def _create_from_template(org, template) -> Control:
    control = Control.objects.create(
        organization=org, key=template.key, name=template.name,
        description=template.description, domain=template.domain,
        frequency=template.frequency, severity=template.severity, template_key=template.key,
    )  # fmt: skip
    ControlCheck.objects.bulk_create(
        [ControlCheck(organization=org, control=control, check_id=c) for c in template.checks]
    )
    EvidenceRequirement.objects.bulk_create(
        [EvidenceRequirement(organization=org, control=control, kind=e.kind,
                             description=e.description[:300], freshness_days=e.freshness_days)
         for e in template.evidence]
    )  # fmt: skip
    ControlPolicy.objects.bulk_create(
        [ControlPolicy(organization=org, control=control, policy_key=p) for p in template.policies]
    )
    return control


def save_system_description(org, actor: Actor, fields: dict[str, str]) -> SystemDescription:
    """Store a new version of the system description (earlier versions are kept). Fields
    left out are stored empty. Two saves at the same moment: one wins, the other answers
    409 rather than overwrite it."""
    unknown = set(fields) - set(SYSTEM_FIELDS)
    if unknown:
        raise DomainError(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    values = {name: _text(fields.get(name, ""), name, MAX_TEXT) for name in SYSTEM_FIELDS}
    try:
        with transaction.atomic():
            latest = SystemDescription.objects.filter(organization=org).order_by("-version")
            latest = latest.first()
            version = SystemDescription.objects.create(
                organization=org, version=(latest.version + 1) if latest else 1,
                created_by=actor.user if actor.user is not None else None, **values,
            )  # fmt: skip
            record(org, actor, "system_description.saved", version, {"version": version.version})
    except IntegrityError:
        raise Conflict(
            "Someone saved a new version at the same moment; reload and try again."
        ) from None
    return version
