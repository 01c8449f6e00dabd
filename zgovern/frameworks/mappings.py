"""Mappings between frameworks: which criteria of a target framework address each criterion
of a source framework (``SOC 2 CC6.1 -> ISO A.8.5, ...``). Format: ``data/FORMAT.md``."""

from __future__ import annotations

import collections.abc as cabc
import re
from dataclasses import dataclass
from functools import cached_property

import yaml

from zgovern.frameworks.framework import (
    HEADER_KEYS,
    NODE_ID,
    NODE_ID_HINT,
    FrameworkLibrary,
    check_header,
)
from zgovern.frameworks.yamlsource import (
    Document,
    Fields,
    LibraryError,
    Problem,
    Problems,
    Source,
    is_empty,
    join,
    read_document,
)

MAPPING_ID = re.compile(r"[a-z][a-z0-9_-]{0,79}")
MAPPING_ID_HINT = "use lowercase letters, digits, '-' or '_', starting with a letter"
MAPPING_KEYS = (*HEADER_KEYS, "id", "name", "description", "source", "target", "links")


@dataclass(frozen=True)
class Mapping:
    """A validated mapping. ``links`` pairs each source criterion id with its target ids,
    in file order; every id is a criterion of its framework."""

    id: str
    name: str
    description: str
    source: str  # framework id
    target: str  # framework id
    origin: str
    links: tuple[tuple[str, tuple[str, ...]], ...]

    @cached_property
    def _forward(self) -> dict[str, tuple[str, ...]]:
        return dict(self.links)

    @cached_property
    def _backward(self) -> dict[str, tuple[str, ...]]:
        backward: dict[str, list[str]] = {}
        for source_id, target_ids in self.links:
            for target_id in target_ids:
                backward.setdefault(target_id, []).append(source_id)
        return {key: tuple(value) for key, value in backward.items()}

    def targets(self, source_id: str) -> tuple[str, ...]:
        """Target criteria linked to ``source_id`` (empty when it has none)."""
        return self._forward.get(source_id, ())

    def sources(self, target_id: str) -> tuple[str, ...]:
        """Source criteria linked to ``target_id`` (empty when it has none)."""
        return self._backward.get(target_id, ())

    def pairs(self) -> cabc.Iterator[tuple[str, str]]:
        for source_id, target_ids in self.links:
            for target_id in target_ids:
                yield source_id, target_id


def load_mapping(
    source: Source,
    frameworks: cabc.Mapping[str, FrameworkLibrary],
    *,
    name: str | None = None,
) -> Mapping:
    """Load a mapping file and check every id against ``frameworks`` (by framework id).
    Raises :class:`LibraryError` listing every problem found."""
    return mapping_from_document(read_document(source, name=name), frameworks)


def mapping_from_document(
    document: Document, frameworks: cabc.Mapping[str, FrameworkLibrary]
) -> Mapping:
    problems = Problems(document.name)
    if document.root is None:
        raise LibraryError([Problem(document.name, None, "", "file is empty")])
    top = problems.mapping(document.root, "", MAPPING_KEYS)
    if top is None:
        raise LibraryError(problems.items)
    check_header(top, "mapping")
    mapping_id = top.text("id", pattern=MAPPING_ID, hint=MAPPING_ID_HINT, max_length=80)
    name = top.text("name", max_length=200)
    source = _framework(top, "source", frameworks)
    target = _framework(top, "target", frameworks)
    if source is not None and source is target:
        problems.add(top.line_of("target"), "target", "must differ from source")
    links = _read_links(top, source, target)
    problems.raise_if_any()
    return Mapping(
        id=mapping_id or "",
        name=name or "",
        description=top.text("description", required=False) or "",
        source=source.id if source else "",
        target=target.id if target else "",
        origin=document.name,
        links=links,
    )


def _framework(
    top: Fields, key: str, frameworks: cabc.Mapping[str, FrameworkLibrary]
) -> FrameworkLibrary | None:
    framework_id = top.text(key, max_length=40)
    if framework_id is None:
        return None
    if framework_id not in frameworks:
        known = ", ".join(sorted(frameworks)) or "none"
        top.problems.add(
            top.line_of(key), key, f"unknown framework '{framework_id}' (known: {known})"
        )
        return None
    return frameworks[framework_id]


def _read_links(
    top: Fields, source: FrameworkLibrary | None, target: FrameworkLibrary | None
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    node = top.node_of("links")
    if node is None:
        top.missing("links")
        return ()
    links: list[tuple[str, tuple[str, ...]]] = []
    for source_id, key_node, value_node in top.problems.entries(node, "links"):
        path = join("links", source_id)
        if source is not None:
            message = source.unknown_criterion_message(source_id)
            if message:
                top.problems.add(key_node, path, message)
        target_ids = _read_targets(top.problems, value_node, path, target)
        if target_ids:
            links.append((source_id, target_ids))
    return tuple(links)


def _read_targets(
    problems: Problems, node: yaml.Node, path: str, target: FrameworkLibrary | None
) -> tuple[str, ...]:
    items = problems.sequence(node, path)
    if not items and isinstance(node, yaml.SequenceNode):
        problems.add(node, path, "list at least one criterion, or leave the entry out")
    found: list[str] = []
    for item_path, item in items:
        value = problems.text(item, item_path)
        if value is None:
            if is_empty(item):
                problems.add(item, item_path, "must not be empty")
            continue
        if not NODE_ID.fullmatch(value):
            problems.add(item, item_path, f"'{value}' is not valid: {NODE_ID_HINT}")
        elif value in found:
            problems.add(item, item_path, f"'{value}' is listed twice")
        elif target is not None and (message := target.unknown_criterion_message(value)):
            problems.add(item, item_path, message)
        else:
            found.append(value)
    return tuple(found)
