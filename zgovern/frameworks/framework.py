"""Framework libraries: a framework's categories and its tree of criteria, read from a
framework file (format: ``data/FORMAT.md``).

The tree may be written nested (``children:``), flat (each node names its ``parent:``), or
a mix of both. Nodes with children are groups (:class:`Node`, e.g. the series ``CC6``);
leaves are the criteria controls are mapped to (:class:`Criterion`, e.g. ``CC6.1``). A
node's category is its own ``category:`` or, failing that, its nearest ancestor's; when a
framework defines a single category, every criterion defaults to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import yaml

from zgovern.frameworks.yamlsource import (
    Document,
    Fields,
    LibraryError,
    Problem,
    Problems,
    Source,
    read_document,
)

FORMAT_VERSION = 1
MAX_DEPTH = 8

FRAMEWORK_ID = re.compile(r"[a-z][a-z0-9_-]{0,39}")
FRAMEWORK_ID_HINT = "use lowercase letters, digits, '-' or '_', starting with a letter"
CATEGORY_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
CATEGORY_ID_HINT = "use lowercase letters, digits or '_', starting with a letter"
NODE_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?")
NODE_ID_HINT = "use letters, digits, '.', '-' or '_', starting and ending with a letter or digit"

HEADER_KEYS = ("kind", "format")
FRAMEWORK_KEYS = (
    *HEADER_KEYS, "id", "name", "version", "publisher", "description", "categories", "nodes",
)  # fmt: skip
CATEGORY_KEYS = ("id", "name", "description", "always_in_scope")
NODE_KEYS = ("id", "title", "description", "category", "parent", "children")


@dataclass(frozen=True)
class Category:
    """A scoping unit: SOC 2's Security (always in scope) or Privacy (optional)."""

    id: str
    name: str
    description: str
    always_in_scope: bool


@dataclass(frozen=True)
class Node:
    """A group of criteria, such as the series ``CC6`` or the theme ``A.8``."""

    id: str
    title: str
    description: str
    parent: str | None
    category: str | None
    children: tuple[str, ...]


@dataclass(frozen=True)
class Criterion:
    """A leaf of the tree: the unit controls map to and readiness is measured against."""

    framework: str
    id: str
    title: str
    description: str
    category: str
    parent: str | None
    path: tuple[str, ...]  # ancestor ids, root first

    @property
    def ref(self) -> str:
        return f"{self.framework}:{self.id}"


@dataclass(frozen=True)
class CriterionRef:
    """A reference to a criterion of some framework, written ``framework:criterion``."""

    framework: str
    criterion: str

    def __str__(self) -> str:
        return f"{self.framework}:{self.criterion}"


@dataclass(frozen=True)
class FrameworkLibrary:
    """A loaded, validated framework. Tuples keep document order; lookups raise KeyError."""

    id: str
    name: str
    version: str
    publisher: str
    description: str
    origin: str  # the file it was loaded from, for messages
    categories: tuple[Category, ...]
    roots: tuple[str, ...]
    nodes: tuple[Node, ...] = field(repr=False)
    criteria: tuple[Criterion, ...] = field(repr=False)

    @cached_property
    def _criteria(self) -> dict[str, Criterion]:
        return {criterion.id: criterion for criterion in self.criteria}

    @cached_property
    def _nodes(self) -> dict[str, Node]:
        return {node.id: node for node in self.nodes}

    def criterion(self, criterion_id: str) -> Criterion:
        return self._criteria[criterion_id]

    def node(self, node_id: str) -> Node:
        return self._nodes[node_id]

    def category(self, category_id: str) -> Category:
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    def has_criterion(self, criterion_id: str) -> bool:
        return criterion_id in self._criteria

    def criteria_in(self, category_ids: set[str] | frozenset[str]) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.category in category_ids)

    @property
    def required_categories(self) -> frozenset[str]:
        return frozenset(c.id for c in self.categories if c.always_in_scope)

    def unknown_criterion_message(self, criterion_id: str) -> str | None:
        """Why ``criterion_id`` cannot be referenced, or ``None`` if it can."""
        if criterion_id in self._criteria:
            return None
        if criterion_id in self._nodes:
            return f"'{criterion_id}' is a group in {self.id}, not a criterion"
        return f"unknown {self.id} criterion '{criterion_id}'"


def load_framework(source: Source, *, name: str | None = None) -> FrameworkLibrary:
    """Load and validate a framework file (see :func:`read_document` for ``source``).
    Raises :class:`LibraryError` listing every problem found."""
    return framework_from_document(read_document(source, name=name))


def framework_from_document(document: Document) -> FrameworkLibrary:
    problems = Problems(document.name)
    if document.root is None:
        raise LibraryError([Problem(document.name, None, "", "file is empty")])
    top = problems.mapping(document.root, "", FRAMEWORK_KEYS)
    if top is None:
        raise LibraryError(problems.items)
    check_header(top, "framework")
    framework_id = top.text("id", pattern=FRAMEWORK_ID, hint=FRAMEWORK_ID_HINT, max_length=40)
    name = top.text("name", max_length=200)
    version = top.text("version", max_length=60)
    publisher = top.text("publisher", required=False, max_length=200) or ""
    description = top.text("description", required=False) or ""
    categories = _read_categories(top)
    raw = _read_nodes(top)
    tree = _Tree(raw, categories, problems, framework_id or "")
    criteria, nodes, roots = tree.build()
    if not criteria and raw and not problems:
        problems.add(top.line_of("nodes"), "nodes", "defines no criteria")
    problems.raise_if_any()
    # raise_if_any() guarantees the required fields below were present.
    return FrameworkLibrary(
        id=framework_id or "",
        name=name or "",
        version=version or "",
        publisher=publisher,
        description=description,
        origin=document.name,
        categories=tuple(categories.values()),
        roots=roots,
        nodes=nodes,
        criteria=criteria,
    )


def check_header(top: Fields, kind: str) -> None:
    """``kind`` (optional, must match) and ``format`` (optional, must be supported)."""
    found = top.text("kind", required=False)
    if found is not None and found != kind:
        top.problems.add(top.line_of("kind"), "kind", f"expected '{kind}', got '{found}'")
    if top.node_of("format") is not None:
        version = top.integer("format", minimum=0, maximum=10**6)
        if version is not None and version != FORMAT_VERSION:
            top.problems.add(
                top.line_of("format"), "format", f"unsupported format {version} (expected 1)"
            )


def _read_categories(top: Fields) -> dict[str, Category]:
    categories: dict[str, Category] = {}
    first_line: dict[str, int | None] = {}
    for item in top.mappings("categories", CATEGORY_KEYS):
        category_id = item.text("id", pattern=CATEGORY_ID, hint=CATEGORY_ID_HINT, max_length=40)
        name = item.text("name", max_length=200)
        description = item.text("description", required=False) or ""
        always = item.boolean("always_in_scope", default=False)
        if category_id is None or name is None:
            continue
        if category_id in categories:
            top.problems.add(
                item.line_of("id"),
                item.at("id"),
                f"duplicate category id '{category_id}' (first defined on line "
                f"{first_line[category_id]})",
            )
            continue
        categories[category_id] = Category(category_id, name, description, always)
        first_line[category_id] = item.line_of("id")
    return categories


@dataclass
class _RawNode:
    """A node as written, before parents, categories and kinds are worked out."""

    id: str
    title: str  # "" when missing (already reported)
    description: str
    category: str | None
    category_line: int | None
    parent: str | None  # explicit ``parent:``
    parent_line: int | None
    enclosing: str | None  # the node it is nested under
    line: int | None
    path: str


def _read_nodes(top: Fields) -> list[_RawNode]:
    raw: list[_RawNode] = []
    for path, node in top.items("nodes"):
        _read_node(top.problems, node, path, None, 1, raw)
    return raw


def _read_node(
    problems: Problems,
    node: yaml.Node,
    path: str,
    enclosing: str | None,
    depth: int,
    out: list[_RawNode],
) -> None:
    fields = problems.mapping(node, path, NODE_KEYS)
    if fields is None:
        return
    node_id = fields.text("id", pattern=NODE_ID, hint=NODE_ID_HINT, max_length=64)
    title = fields.text("title", max_length=300)
    category = fields.text("category", required=False, max_length=40)
    parent = fields.text("parent", required=False, max_length=64)
    if node_id is not None:
        out.append(
            _RawNode(
                id=node_id,
                title=title or "",
                description=fields.text("description", required=False) or "",
                category=category,
                category_line=fields.line_of("category"),
                parent=parent,
                parent_line=fields.line_of("parent"),
                enclosing=enclosing,
                line=fields.line_of("id"),
                path=path,
            )
        )
    children = fields.items("children", required=False)
    if children and depth >= MAX_DEPTH:
        problems.add(fields.line_of("children"), fields.at("children"), "nested too deeply")
        return
    for child_path, child in children:
        # A child of a node without a usable id is read for its own problems only.
        _read_node(problems, child, child_path, node_id, depth + 1, out)


class _Tree:
    """Links raw nodes into a tree: unique ids, known parents, no cycles, known categories."""

    def __init__(
        self,
        raw: list[_RawNode],
        categories: dict[str, Category],
        problems: Problems,
        framework_id: str,
    ) -> None:
        self.categories = categories
        self.problems = problems
        self.framework_id = framework_id
        self.by_id: dict[str, _RawNode] = {}
        self.broken: set[str] = set()  # in a cycle, or below one
        self.orphans: set[str] = set()  # parent already reported; spare them more noise
        for node in raw:
            self._register(node)
        self.parent: dict[str, str | None] = {n.id: self._parent_of(n) for n in self.by_id.values()}

    def _register(self, node: _RawNode) -> None:
        first = self.by_id.get(node.id)
        if first is not None:
            self.problems.add(
                node.line,
                f"{node.path}.id",
                f"duplicate id '{node.id}' (first defined on line {first.line})",
            )
        else:
            self.by_id[node.id] = node

    def _parent_of(self, node: _RawNode) -> str | None:
        if node.parent is None:
            return node.enclosing
        if node.enclosing is not None and node.parent != node.enclosing:
            self.problems.add(
                node.parent_line,
                f"{node.path}.parent",
                f"parent '{node.parent}' contradicts nesting under '{node.enclosing}'",
            )
            return node.enclosing
        if node.parent not in self.by_id:
            self.orphans.add(node.id)
            self.problems.add(
                node.parent_line, f"{node.path}.parent", f"unknown parent '{node.parent}'"
            )
            return None
        return node.parent

    def build(self) -> tuple[tuple[Criterion, ...], tuple[Node, ...], tuple[str, ...]]:
        self._find_cycles()
        children: dict[str, list[str]] = {node_id: [] for node_id in self.by_id}
        roots: list[str] = []
        for node_id, parent in self.parent.items():
            if node_id in self.broken:
                continue
            (children[parent] if parent is not None else roots).append(node_id)
        criteria: list[Criterion] = []
        nodes: list[Node] = []
        for node_id, raw in self.by_id.items():
            if node_id in self.broken or not raw.title:
                continue
            category = self._category(raw, is_group=bool(children[node_id]))
            if children[node_id]:
                nodes.append(self._node(raw, category, tuple(children[node_id])))
            elif category is not None:
                criteria.append(self._criterion(raw, category))
        return tuple(criteria), tuple(nodes), tuple(roots)

    def _find_cycles(self) -> None:
        """Walk up from every node; a walk that comes back to itself is a cycle. Nodes known
        to reach a root are remembered so each link is followed about once."""
        rooted: set[str] = set()
        for start in self.by_id:
            chain: list[str] = []
            on_chain: set[str] = set()
            current: str | None = start
            while current is not None and current not in rooted | on_chain | self.broken:
                chain.append(current)
                on_chain.add(current)
                current = self.parent[current]
            if current is None or current in rooted:
                rooted.update(chain)
            elif current in self.broken:
                self.broken.update(chain)
            else:
                self.broken.update(chain)
                self._report_cycle(chain[chain.index(current) :])
        self._break_descendants()

    def _report_cycle(self, cycle: list[str]) -> None:
        # Point at the member written first, where a reader will start looking.
        first = min(cycle, key=lambda node_id: self.by_id[node_id].line or 0)
        at = cycle.index(first)
        ordered = cycle[at:] + cycle[:at]
        raw = self.by_id[first]
        shown = " -> ".join([*ordered, first])
        self.problems.add(
            raw.parent_line, f"{raw.path}.parent", f"parent links form a cycle: {shown}"
        )

    def _break_descendants(self) -> None:
        changed = True
        while changed:
            changed = False
            for node_id, parent in self.parent.items():
                if parent in self.broken and node_id not in self.broken:
                    self.broken.add(node_id)
                    changed = True

    def _category(self, raw: _RawNode, *, is_group: bool) -> str | None:
        """The node's effective category; a problem when it names an unknown one, or when a
        criterion ends up with none."""
        if raw.category is not None and raw.category not in self.categories:
            self.problems.add(
                raw.category_line, f"{raw.path}.category", f"unknown category '{raw.category}'"
            )
            return None
        node: _RawNode | None = raw
        while node is not None:
            if node.category is not None:
                return node.category if node.category in self.categories else None
            parent = self.parent.get(node.id)
            node = self.by_id.get(parent) if parent is not None else None
        if len(self.categories) == 1:
            return next(iter(self.categories))
        if not is_group and self.categories and raw.id not in self.orphans:
            self.problems.add(
                raw.line,
                f"{raw.path}.category",
                "no category: set one on this criterion or on a node above it",
            )
        return None

    def _ancestors(self, node_id: str) -> tuple[str, ...]:
        path: list[str] = []
        parent = self.parent[node_id]
        while parent is not None:
            path.append(parent)
            parent = self.parent[parent]
        return tuple(reversed(path))

    def _node(self, raw: _RawNode, category: str | None, children: tuple[str, ...]) -> Node:
        return Node(raw.id, raw.title, raw.description, self.parent[raw.id], category, children)

    def _criterion(self, raw: _RawNode, category: str) -> Criterion:
        return Criterion(
            framework=self.framework_id,
            id=raw.id,
            title=raw.title,
            description=raw.description,
            category=category,
            parent=self.parent[raw.id],
            path=self._ancestors(raw.id),
        )


def parse_criterion_ref(text: str) -> CriterionRef | None:
    """``soc2:CC6.1`` -> CriterionRef; ``None`` when the text is not of that shape."""
    framework, sep, criterion = text.partition(":")
    if not sep or not FRAMEWORK_ID.fullmatch(framework) or not NODE_ID.fullmatch(criterion):
        return None
    return CriterionRef(framework, criterion)


__all__ = [
    "Category",
    "Criterion",
    "CriterionRef",
    "FrameworkLibrary",
    "LibraryError",
    "Node",
    "framework_from_document",
    "load_framework",
    "parse_criterion_ref",
]
