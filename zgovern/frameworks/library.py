"""The framework library: the built-in frameworks, mappings and default control set, and
the entry points for loading and validating library files.

Everything here is data: no database. The built-in files live under ``data/`` (format:
``data/FORMAT.md``). Every loader either returns fully validated, immutable objects or
raises one :class:`LibraryError` that lists every problem with its file, line and field.

    load_framework(path_or_text)   one framework file (built-in or a customer's upload)
    load_builtin_frameworks()      {"soc2": ..., "iso27001": ...}, loaded once per process
    load_mappings()                {"soc2-iso27001": ...}, checked against the frameworks
    load_default_controls()        the default ControlSet, checked against the frameworks
    validate_all()                 every built-in file, plus coverage rules -> LibrarySummary
    validate_files(paths)          given files (any kind) against the built-ins -> LibrarySummary
"""

from __future__ import annotations

import collections.abc as cabc
import functools
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from zgovern.frameworks.controlset import (
    DOMAINS,
    FREQUENCIES,
    SEVERITIES,
    ControlSet,
    ControlTemplate,
    Coverage,
    EvidenceRequirement,
    PolicyTemplate,
    control_set_from_document,
    load_control_set,
)
from zgovern.frameworks.framework import (
    Category,
    Criterion,
    CriterionRef,
    FrameworkLibrary,
    Node,
    framework_from_document,
    load_framework,
    parse_criterion_ref,
)
from zgovern.frameworks.mappings import Mapping, load_mapping, mapping_from_document
from zgovern.frameworks.yamlsource import (
    Document,
    LibraryError,
    Problem,
    line_of,
    read_document,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
FRAMEWORKS_DIR = DATA_DIR / "frameworks"
MAPPINGS_DIR = DATA_DIR / "mappings"
CONTROLS_DIR = DATA_DIR / "controls"
DEFAULT_CONTROLS = CONTROLS_DIR / "default.yaml"
KINDS = ("framework", "mapping", "control_set")


@dataclass(frozen=True)
class LibrarySummary:
    """What a validation run loaded (everything in it is valid)."""

    frameworks: tuple[FrameworkLibrary, ...]
    mappings: tuple[Mapping, ...]
    control_sets: tuple[ControlSet, ...]


def load_builtin_frameworks() -> dict[str, FrameworkLibrary]:
    """Every built-in framework by id, read from disk once per process."""
    return dict(_builtin_frameworks())


def load_mappings() -> dict[str, Mapping]:
    """Every built-in mapping by id, checked against the built-in frameworks."""
    return dict(_builtin_mappings())


@functools.cache
def load_default_controls() -> ControlSet:
    """The default control set, checked against the built-in frameworks."""
    return load_control_set(DEFAULT_CONTROLS, _builtin_frameworks())


@functools.cache
def _builtin_frameworks() -> cabc.Mapping[str, FrameworkLibrary]:
    problems: list[Problem] = []
    frameworks = _frameworks(_documents(_files(FRAMEWORKS_DIR), problems), problems)
    _raise(problems)
    return MappingProxyType(frameworks)


@functools.cache
def _builtin_mappings() -> cabc.Mapping[str, Mapping]:
    problems: list[Problem] = []
    documents = _documents(_files(MAPPINGS_DIR), problems)
    mappings = _mappings(documents, _builtin_frameworks(), problems)
    _raise(problems)
    return MappingProxyType(mappings)


def validate_all() -> LibrarySummary:
    """Read every built-in file afresh and check it, then check that the default control
    set covers every criterion of every built-in framework. Raises one
    :class:`LibraryError` with the problems of all files."""
    problems: list[Problem] = []
    frameworks = _frameworks(_documents(_files(FRAMEWORKS_DIR), problems), problems)
    mappings = _mappings(_documents(_files(MAPPINGS_DIR), problems), frameworks, problems)
    control_sets = _control_sets(_documents(_files(CONTROLS_DIR), problems), frameworks, problems)
    default = next((c for c in control_sets if c.origin == str(DEFAULT_CONTROLS)), None)
    if default is None and not problems:
        problems.append(Problem(str(DEFAULT_CONTROLS), None, "", "default control set missing"))
    if default is not None:
        problems.extend(coverage_problems(default, frameworks.values()))
    _raise(problems)
    return LibrarySummary(tuple(frameworks.values()), tuple(mappings.values()), tuple(control_sets))


def validate_files(paths: cabc.Iterable[str | Path]) -> LibrarySummary:
    """Check the given files, whatever their kind (from their ``kind:`` key; framework when
    absent). Mappings and control sets resolve references against the built-in frameworks
    and any frameworks among the files (a file's framework wins over a built-in with the
    same id). Raises one :class:`LibraryError` with the problems of all files."""
    problems: list[Problem] = []
    files = [Path(path) for path in paths]
    by_kind: dict[str, list[Document]] = {kind: [] for kind in KINDS}
    for document in _documents(files, problems):
        kind = _kind(document, problems)
        if kind is not None:
            by_kind[kind].append(document)
    frameworks = _frameworks(by_kind["framework"], problems)
    known = dict(frameworks)
    if by_kind["mapping"] or by_kind["control_set"]:
        known = {**_builtin_or_report(problems), **frameworks}
    mappings = _mappings(by_kind["mapping"], known, problems)
    control_sets = _control_sets(by_kind["control_set"], known, problems)
    _raise(problems, order=[str(path) for path in files])
    return LibrarySummary(tuple(frameworks.values()), tuple(mappings.values()), tuple(control_sets))


def coverage_problems(
    control_set: ControlSet, frameworks: cabc.Iterable[FrameworkLibrary]
) -> list[Problem]:
    """A problem for each criterion no control of ``control_set`` maps to."""
    found: list[Problem] = []
    for framework in frameworks:
        for criterion_id in control_set.coverage(framework).uncovered:
            found.append(
                Problem(
                    control_set.origin,
                    None,
                    "controls",
                    f"{framework.id}:{criterion_id} is not covered by any control",
                )
            )
    return found


def _files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def _documents(paths: cabc.Iterable[Path], problems: list[Problem]) -> list[Document]:
    documents: list[Document] = []
    for path in paths:
        try:
            documents.append(read_document(path))
        except LibraryError as exc:
            problems.extend(exc.problems)
    return documents


def _kind(document: Document, problems: list[Problem]) -> str | None:
    node = document.top_level("kind")
    if node is None:
        return "framework"
    value = getattr(node, "value", None)
    if value in KINDS:
        return value
    problems.append(
        Problem(
            document.name,
            line_of(node),
            "kind",
            f"unknown kind (expected one of: {', '.join(KINDS)})",
        )
    )
    return None


def _frameworks(documents: list[Document], problems: list[Problem]) -> dict[str, FrameworkLibrary]:
    frameworks: dict[str, FrameworkLibrary] = {}
    for document in documents:
        try:
            framework = framework_from_document(document)
        except LibraryError as exc:
            problems.extend(exc.problems)
            continue
        if framework.id in frameworks:
            other = frameworks[framework.id].origin
            problems.append(
                Problem(
                    document.name,
                    None,
                    "id",
                    f"framework id '{framework.id}' is also used by {other}",
                )
            )
            continue
        frameworks[framework.id] = framework
    return frameworks


def _mappings(
    documents: list[Document],
    frameworks: cabc.Mapping[str, FrameworkLibrary],
    problems: list[Problem],
) -> dict[str, Mapping]:
    mappings: dict[str, Mapping] = {}
    for document in documents:
        try:
            mapping = mapping_from_document(document, frameworks)
        except LibraryError as exc:
            problems.extend(exc.problems)
            continue
        if mapping.id in mappings:
            other = mappings[mapping.id].origin
            problems.append(
                Problem(
                    document.name, None, "id", f"mapping id '{mapping.id}' is also used by {other}"
                )
            )
            continue
        mappings[mapping.id] = mapping
    return mappings


def _control_sets(
    documents: list[Document],
    frameworks: cabc.Mapping[str, FrameworkLibrary],
    problems: list[Problem],
) -> list[ControlSet]:
    control_sets: list[ControlSet] = []
    for document in documents:
        try:
            control_sets.append(control_set_from_document(document, frameworks))
        except LibraryError as exc:
            problems.extend(exc.problems)
    return control_sets


def _builtin_or_report(problems: list[Problem]) -> dict[str, FrameworkLibrary]:
    try:
        return load_builtin_frameworks()
    except LibraryError as exc:
        problems.extend(exc.problems)
        return {}


def _raise(problems: list[Problem], order: list[str] | None = None) -> None:
    """Raise all ``problems``, grouped by file in ``order`` (when given) and by line."""
    if not problems:
        return
    if order is not None:
        rank = {source: index for index, source in enumerate(order)}
        problems = sorted(problems, key=lambda p: (rank.get(p.source, len(rank)), p.line or 0))
    raise LibraryError(problems)


__all__ = [
    "DOMAINS",
    "FREQUENCIES",
    "SEVERITIES",
    "Category",
    "ControlSet",
    "ControlTemplate",
    "Coverage",
    "Criterion",
    "CriterionRef",
    "EvidenceRequirement",
    "FrameworkLibrary",
    "LibraryError",
    "LibrarySummary",
    "Mapping",
    "Node",
    "PolicyTemplate",
    "Problem",
    "coverage_problems",
    "load_builtin_frameworks",
    "load_control_set",
    "load_default_controls",
    "load_framework",
    "load_mapping",
    "load_mappings",
    "parse_criterion_ref",
    "validate_all",
    "validate_files",
]
