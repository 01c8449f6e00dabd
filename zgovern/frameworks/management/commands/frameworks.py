"""``zgovern frameworks``: check and inspect the framework library.

    zgovern frameworks validate            check every built-in file and print a summary
    zgovern frameworks validate FILE ...   check the given files (frameworks, mappings or
                                           control sets, told apart by their ``kind:``)
    zgovern frameworks list                list the built-in frameworks
    zgovern frameworks list FRAMEWORK      print one framework's tree of criteria

``validate`` exits with status 1 and prints every problem, located by file, line and field,
when anything is wrong.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zgovern.frameworks import library
from zgovern.frameworks.library import (
    ControlSet,
    FrameworkLibrary,
    LibraryError,
    LibrarySummary,
    Mapping,
)


class Command(BaseCommand):
    help = "Validate or list framework libraries, mappings and control sets."
    requires_system_checks: list[str] = []  # pure data: no database or app checks needed

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{validate,list}")
        validate = actions.add_parser("validate", help="check library files")
        validate.add_argument("files", nargs="*", metavar="FILE", help="files to check")
        listing = actions.add_parser("list", help="list frameworks or one framework's tree")
        listing.add_argument("framework", nargs="?", help="a framework id, e.g. soc2")

    def handle(self, *args, action: str, **options) -> None:
        if action == "validate":
            self._validate(options["files"])
        else:
            self._list(options["framework"])

    def _validate(self, files: list[str]) -> None:
        try:
            summary = library.validate_files(files) if files else library.validate_all()
        except LibraryError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            count = len(exc.problems)
            raise CommandError(f"{_plural(count, 'problem')} found") from exc
        self._print_summary(summary)
        self.stdout.write(self.style.SUCCESS("OK: no problems found"))

    def _print_summary(self, summary: LibrarySummary) -> None:
        if summary.frameworks:
            self.stdout.write("Frameworks")
            for framework in summary.frameworks:
                self.stdout.write(f"  {_framework_line(framework)}")
        if summary.mappings:
            self.stdout.write("Mappings")
            for mapping in summary.mappings:
                self.stdout.write(f"  {_mapping_line(mapping)}")
        if summary.control_sets:
            self.stdout.write("Control sets")
            known = {**_builtin_frameworks(), **{f.id: f for f in summary.frameworks}}
            for control_set in summary.control_sets:
                self.stdout.write(f"  {control_set.id}: {len(control_set.controls)} controls")
                for line in _coverage_lines(control_set, known):
                    self.stdout.write(f"    {line}")

    def _list(self, framework_id: str | None) -> None:
        try:
            frameworks = library.load_builtin_frameworks()
        except LibraryError as exc:
            raise CommandError(f"the built-in library is invalid:\n{exc}") from exc
        if framework_id is None:
            for framework in frameworks.values():
                self.stdout.write(_framework_line(framework))
            return
        if framework_id not in frameworks:
            known = ", ".join(sorted(frameworks))
            raise CommandError(f"unknown framework '{framework_id}' (known: {known})")
        self._print_tree(frameworks[framework_id])

    def _print_tree(self, framework: FrameworkLibrary) -> None:
        self.stdout.write(f"{framework.name} {framework.version}")
        for category in framework.categories:
            scope = "always in scope" if category.always_in_scope else "optional"
            self.stdout.write(f"  category {category.id}: {category.name} ({scope})")
        criteria = {criterion.id: criterion for criterion in framework.criteria}
        groups = {node.id: node for node in framework.nodes}
        pending = [(node_id, 1) for node_id in reversed(framework.roots)]
        while pending:
            node_id, depth = pending.pop()
            indent = "  " * depth
            if node_id in groups:
                self.stdout.write(f"{indent}{node_id} {groups[node_id].title}")
                pending.extend((child, depth + 1) for child in reversed(groups[node_id].children))
            elif node_id in criteria:
                criterion = criteria[node_id]
                self.stdout.write(f"{indent}{node_id} {criterion.title} [{criterion.category}]")


def _framework_line(framework: FrameworkLibrary) -> str:
    required = ", ".join(sorted(framework.required_categories)) or "none"
    return (
        f"{framework.id}: {framework.name} {framework.version}: "
        f"{len(framework.criteria)} criteria in {_plural(len(framework.categories), 'category')} "
        f"(always in scope: {required})"
    )


def _mapping_line(mapping: Mapping) -> str:
    pairs = sum(1 for _ in mapping.pairs())
    return (
        f"{mapping.id}: {mapping.source} -> {mapping.target}: "
        f"{len(mapping.links)} criteria linked by {pairs} links"
    )


def _coverage_lines(control_set: ControlSet, known: dict[str, FrameworkLibrary]) -> list[str]:
    lines: list[str] = []
    referenced = {ref.framework for control in control_set.controls for ref in control.criteria}
    for framework_id in sorted(referenced):
        framework = known[framework_id]
        every = control_set.coverage(framework)
        line = f"{framework_id}: {len(every.covered)}/{every.total} criteria covered"
        if framework.required_categories and len(framework.categories) > 1:
            required = control_set.coverage(framework, framework.required_categories)
            names = ", ".join(sorted(framework.required_categories))
            line += f"; {names}: {len(required.covered)}/{required.total}"
        lines.append(line)
        if every.uncovered:
            lines.append(f"  not covered: {', '.join(every.uncovered)}")
    return lines


def _builtin_frameworks() -> dict[str, FrameworkLibrary]:
    try:
        return library.load_builtin_frameworks()
    except LibraryError:
        return {}  # already reported by validation; coverage then uses the files alone


def _plural(count: int, noun: str) -> str:
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun[:-1]}ies" if noun.endswith("y") else f"{count} {noun}s"
