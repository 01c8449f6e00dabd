"""Reading library files with every problem located by file, line and field.

A library file comes in as a path, bytes or text; :func:`read_document` decodes it as strict
UTF-8 and composes it into a YAML node tree (never constructing Python objects, so tags
cannot run code). Aliases are refused: they are not needed by the format and would let a
small upload expand exponentially.

Loaders then read the tree through :class:`Fields`, whose typed getters record a
:class:`Problem` and return ``None`` instead of raising. That way one pass finds every
problem in a file, and :meth:`Problems.raise_if_any` reports them together in a single
:class:`LibraryError`, so nothing is ever half-loaded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

MAX_BYTES = 2 * 1024 * 1024

STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
_WHOLE_NUMBER = re.compile(r"[-+]?[0-9]+")

Source = str | bytes | os.PathLike


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a library file. ``line`` is 1-based; ``field`` is a path such as
    ``nodes[2].children[0].id`` (empty when the problem concerns the whole file)."""

    source: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class LibraryError(Exception):
    """A library file (or set of files) was rejected. ``problems`` lists every problem found,
    each with its location; nothing from the rejected input was loaded."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def line_of(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def join(path: str, key: str | int) -> str:
    """The field path of ``key`` inside ``path``: ``a.b``, ``a[3]``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Problems:
    """The problems found in one file so far."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[Problem] = []

    def add(self, at: yaml.Node | int | None, field: str, message: str) -> None:
        line = at if isinstance(at, int) or at is None else line_of(at)
        self.items.append(Problem(self.source, line, field, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise LibraryError(sorted(self.items, key=lambda p: p.line or 0))

    def mapping(self, node: yaml.Node | None, path: str, allowed: Collection[str]) -> Fields | None:
        """Read ``node`` as a mapping with keys from ``allowed``; ``None`` (with a problem
        recorded) when it is something else."""
        if not isinstance(node, yaml.MappingNode):
            self.add(node, path, f"must be a mapping (key: value pairs), not {kind_of(node)}")
            return None
        return Fields(node, path, self, allowed)

    def entries(self, node: yaml.Node, path: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
        """A mapping whose keys are data (not field names), as (key, key node, value node)
        triples; duplicate and non-text keys are reported and left out."""
        if not isinstance(node, yaml.MappingNode):
            self.add(node, path, f"must be a mapping (key: value pairs), not {kind_of(node)}")
            return []
        result: list[tuple[str, yaml.Node, yaml.Node]] = []
        first_line: dict[str, int | None] = {}
        for key_node, value_node in node.value:
            key = self.text(key_node, path)
            if key is None:
                continue
            if key in first_line:
                self.add(
                    key_node,
                    join(path, key),
                    f"duplicate key (first given on line {first_line[key]})",
                )
                continue
            first_line[key] = line_of(key_node)
            result.append((key, key_node, value_node))
        return result

    def sequence(self, node: yaml.Node, path: str) -> list[tuple[str, yaml.Node]]:
        """The items of a list as (field path, node) pairs; a problem if it is not a list."""
        if not isinstance(node, yaml.SequenceNode):
            self.add(node, path, f"must be a list, not {kind_of(node)}")
            return []
        return [(join(path, index), item) for index, item in enumerate(node.value)]

    def text(self, node: yaml.Node, path: str) -> str | None:
        """A scalar read as text; numbers are kept exactly as written (``1.10`` stays
        ``1.10``). Empty or null gives ``None`` without a problem: callers decide whether a
        value is required."""
        if isinstance(node, yaml.ScalarNode) and node.tag in (STR_TAG, INT_TAG, FLOAT_TAG):
            return node.value.strip() or None
        if isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG:
            return None
        self.add(node, path, f"must be text, not {kind_of(node)}")
        return None


def kind_of(node: yaml.Node | None) -> str:
    """How a node reads to a person: used in 'must be X, not Y' messages."""
    if node is None:
        return "nothing"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return {
        BOOL_TAG: f"a true/false value ({node.value}); quote it if it is meant as text",
        NULL_TAG: "an empty value",
        INT_TAG: "a number",
        FLOAT_TAG: "a decimal number",
        STR_TAG: "text",
    }.get(node.tag, f"a value tagged {node.tag}")


class Fields:
    """One mapping being read. Unknown and duplicate keys are recorded on construction; the
    getters record missing or mistyped values and return ``None`` for them."""

    def __init__(
        self, node: yaml.MappingNode, path: str, problems: Problems, allowed: Collection[str]
    ) -> None:
        self.node = node
        self.path = path
        self.problems = problems
        self.line = line_of(node)
        self.values: dict[str, yaml.Node] = {}
        self.key_nodes: dict[str, yaml.Node] = {}  # every key seen, known or not
        for key_node, value_node in node.value:
            self._take(key_node, value_node, allowed)

    def _take(self, key_node: yaml.Node, value_node: yaml.Node, allowed: Collection[str]) -> None:
        if not (isinstance(key_node, yaml.ScalarNode) and key_node.tag == STR_TAG):
            self.problems.add(key_node, self.path or "(top level)", "keys must be plain text")
            return
        key = key_node.value
        if key in self.key_nodes:
            first = line_of(self.key_nodes[key])
            self.problems.add(
                key_node, self.at(key), f"duplicate key (first given on line {first})"
            )
            return
        self.key_nodes[key] = key_node
        if key not in allowed:
            expected = ", ".join(sorted(allowed))
            self.problems.add(key_node, self.at(key), f"unknown key (expected one of: {expected})")
        else:
            self.values[key] = value_node

    def at(self, key: str) -> str:
        return join(self.path, key)

    def node_of(self, key: str) -> yaml.Node | None:
        return self.values.get(key)

    def line_of(self, key: str) -> int | None:
        return line_of(self.values.get(key)) or self.line

    def missing(self, key: str) -> None:
        self.problems.add(self.line_of(key), self.at(key), "is required")

    def text(
        self,
        key: str,
        *,
        required: bool = True,
        pattern: re.Pattern[str] | None = None,
        hint: str = "",
        max_length: int = 2000,
    ) -> str | None:
        """The text at ``key``; ``pattern`` must match all of it (``hint`` explains it)."""
        node = self.values.get(key)
        value = self.problems.text(node, self.at(key)) if node is not None else None
        if value is None:
            if required and (node is None or is_empty(node)):
                self.missing(key)
            return None
        return check_text(self.problems, node, self.at(key), value, pattern, hint, max_length)

    def integer(self, key: str, *, minimum: int, maximum: int) -> int | None:
        node = self.values.get(key)
        if node is None or is_empty(node):
            self.missing(key)
            return None
        if not (isinstance(node, yaml.ScalarNode) and node.tag == INT_TAG):
            self.problems.add(node, self.at(key), f"must be a whole number, not {kind_of(node)}")
            return None
        if not _WHOLE_NUMBER.fullmatch(node.value):
            self.problems.add(node, self.at(key), "must be a plain decimal whole number")
            return None
        value = int(node.value)
        if not minimum <= value <= maximum:
            self.problems.add(node, self.at(key), f"must be between {minimum} and {maximum}")
            return None
        return value

    def boolean(self, key: str, *, default: bool) -> bool:
        node = self.values.get(key)
        if node is None or is_empty(node):
            return default
        if not (isinstance(node, yaml.ScalarNode) and node.tag == BOOL_TAG):
            self.problems.add(node, self.at(key), f"must be true or false, not {kind_of(node)}")
            return default
        return node.value.lower() in ("true", "yes", "on")

    def items(self, key: str, *, required: bool = True) -> list[tuple[str, yaml.Node]]:
        """The items of the list at ``key`` as (field path, node) pairs. A required list
        must have at least one item."""
        node = self.values.get(key)
        if node is None or is_empty(node):
            if required:
                self.missing(key)
            return []
        items = self.problems.sequence(node, self.at(key))
        if required and not items and isinstance(node, yaml.SequenceNode):
            self.problems.add(node, self.at(key), "must list at least one item")
        return items

    def mappings(
        self, key: str, allowed: Collection[str], *, required: bool = True
    ) -> Iterator[Fields]:
        """Each item of the list at ``key``, read as a mapping with ``allowed`` keys."""
        for path, node in self.items(key, required=required):
            fields = self.problems.mapping(node, path, allowed)
            if fields is not None:
                yield fields

    def texts(
        self,
        key: str,
        *,
        pattern: re.Pattern[str] | None = None,
        hint: str = "",
        required: bool = False,
    ) -> list[tuple[str, yaml.Node, str]]:
        """A list of distinct texts, each matching ``pattern`` when given, as (value, node,
        field path) triples."""
        result: list[tuple[str, yaml.Node, str]] = []
        seen: set[str] = set()
        for path, node in self.items(key, required=required):
            value = self.problems.text(node, path)
            if value is None:
                if is_empty(node):
                    self.problems.add(node, path, "must not be empty")
                continue
            if check_text(self.problems, node, path, value, pattern, hint, 200) is None:
                continue
            if value in seen:
                self.problems.add(node, path, f"'{value}' is listed twice")
                continue
            seen.add(value)
            result.append((value, node, path))
        return result


def check_text(
    problems: Problems,
    node: yaml.Node,
    path: str,
    value: str,
    pattern: re.Pattern[str] | None,
    hint: str,
    max_length: int,
) -> str | None:
    if len(value) > max_length:
        problems.add(node, path, f"is too long ({len(value)} characters; at most {max_length})")
        return None
    if pattern is not None and not pattern.fullmatch(value):
        problems.add(node, path, f"'{value}' is not valid: {hint}")
        return None
    return value


def is_empty(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and (
        node.tag == NULL_TAG or (node.tag == STR_TAG and not node.value.strip())
    )


@dataclass(frozen=True)
class Document:
    """A parsed library file: its display name and its root node (``None`` when empty)."""

    name: str
    root: yaml.Node | None

    def top_level(self, key: str) -> yaml.Node | None:
        """The value node of a top-level key, unvalidated (used to tell file kinds apart)."""
        if not isinstance(self.root, yaml.MappingNode):
            return None
        for key_node, value_node in self.root.value:
            if key_node.value == key:
                return value_node
        return None


def read_document(source: Source, *, name: str | None = None) -> Document:
    """Parse a library file. ``source`` is a path (``pathlib.Path`` or another
    ``os.PathLike``), raw ``bytes`` (an upload) or YAML text. A ``str`` is always text,
    never a path, so uploaded content can never make us read a file on the server.
    ``name`` labels problems (default: the path, ``<upload>`` or ``<text>``). Raises
    :class:`LibraryError` for unreadable, oversized, non-UTF-8 or malformed input."""
    name, data = _read_bytes(source, name)
    text = _decode(name, data)
    return Document(name, _compose(name, text))


def _read_bytes(source: Source, name: str | None) -> tuple[str, bytes]:
    if isinstance(source, bytes):
        return name or "<upload>", source
    if isinstance(source, os.PathLike):
        path = Path(source)
        name = name or str(path)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise _fail(name, None, f"file is larger than {MAX_BYTES // 1024} KiB")
            return name, path.read_bytes()
        except OSError as exc:
            raise _fail(name, None, f"cannot read file: {exc.strerror or exc}") from exc
    try:
        return name or "<text>", source.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _fail(name or "<text>", None, "text contains invalid characters") from exc


def _decode(name: str, data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise _fail(name, None, f"file is larger than {MAX_BYTES // 1024} KiB")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        raise _fail(name, line, f"file is not valid UTF-8 text (byte 0x{byte:02x})") from exc


class _Loader(yaml.SafeLoader):
    """Composes nodes only, and refuses aliases where they occur."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (*name) are not supported", mark
            )
        return super().compose_node(parent, index)


def _compose(name: str, text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or exc.context or "syntax error"
        if exc.context and detail.startswith("but "):  # "expected X, but found Y"
            detail = f"{exc.context}, {detail}"
        raise _fail(name, mark.line + 1 if mark else None, f"not valid YAML: {detail}") from exc
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise _fail(name, line, f"not valid YAML: {exc.reason}") from exc
    except yaml.YAMLError as exc:
        raise _fail(name, None, f"not valid YAML: {exc}") from exc
    except RecursionError as exc:
        raise _fail(name, None, "not valid YAML: nested too deeply") from exc


def _fail(name: str, line: int | None, message: str) -> LibraryError:
    return LibraryError([Problem(name, line, "", message)])
