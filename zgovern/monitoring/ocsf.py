"""Read a scanner's findings in OCSF (as Prowler writes them) into observations.

The file is a JSON array of OCSF *Detection Finding* objects (``class_uid`` 2004). Of each
finding we read ``status_code`` (PASS, FAIL or MANUAL), ``metadata.event_code`` (the
scanner's check id), ``resources[]`` (``uid``, ``type``, ``region``), ``cloud.account.uid``,
``cloud.provider`` and ``status_detail`` (the reason). A finding muted in the scanner
(``status`` "Suppressed") is recorded as skipped.

Every finding is checked before anything is used: a file that is not OCSF is refused with
the first problems located (``findings[3].metadata.event_code: missing``), and nothing is
recorded. Scanner check ids listed in ``data/ocsf_prowler.yaml`` are recorded under the
zGovern check they correspond to; the others under ``<product>.<event_code>``.
"""

from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zgovern.core.errors import DomainError
from zgovern.frameworks.yamlsource import LibraryError, Problem, Problems, read_document
from zgovern.integrations.base import Finding, ResourceRef
from zgovern.monitoring import registry
from zgovern.monitoring.models import CheckStatus
from zgovern.monitoring.recorder import Observation

MAPPING_FILE = Path(__file__).resolve().parent / "data" / "ocsf_prowler.yaml"
DETECTION_FINDING = 2004
MAX_PROBLEMS = 10
STATUSES = {"PASS": CheckStatus.PASS, "FAIL": CheckStatus.FAIL, "MANUAL": CheckStatus.SKIPPED}
EVENT_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")
PRODUCT = re.compile(r"[a-z0-9][a-z0-9_-]{0,29}")


class NotOcsf(DomainError):
    """The file is not OCSF findings; ``problems`` locates what is wrong (the first few)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("This is not an OCSF findings file: " + "; ".join(problems), field="file")


@dataclass
class Scan:
    """What an import file holds, ready for the recorder."""

    provider: str = ""
    product: str = ""
    observations: list[Observation] = field(default_factory=list)
    mapped: int = 0  # findings recorded under one of our checks
    unmapped: int = 0


def parse(data: bytes) -> Scan:
    """The findings of ``data`` (the file's bytes), grouped into one observation per check.
    Raises :class:`NotOcsf` naming what is wrong."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise NotOcsf(["the file is not UTF-8 text"]) from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise NotOcsf([f"the file is not JSON ({exc})"]) from None
    if not isinstance(document, list):
        raise NotOcsf([f"expected a JSON array of findings, found {_kind(document)}"])
    if not document:
        raise NotOcsf(["the array holds no findings"])
    problems: list[str] = []
    rows = [_finding(index, item, problems) for index, item in enumerate(document)]
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"and {len(problems) - MAX_PROBLEMS} more problems")
        raise NotOcsf(shown)
    return _group([row for row in rows if row is not None])


@dataclass(frozen=True)
class _Row:
    product: str
    provider: str
    event_code: str
    status: str
    reason: str
    resources: tuple[ResourceRef, ...]


def _finding(index: int, item: Any, problems: list[str]) -> _Row | None:
    at = f"findings[{index}]"
    if not isinstance(item, dict):
        problems.append(f"{at}: expected an object, found {_kind(item)}")
        return None
    before = len(problems)
    if item.get("class_uid") != DETECTION_FINDING:
        problems.append(f"{at}.class_uid: expected {DETECTION_FINDING} (Detection Finding)")
    metadata = _object(item, "metadata", at, problems)
    event_code = _text(metadata, "event_code", f"{at}.metadata", problems, EVENT_CODE)
    status_code = item.get("status_code")
    if status_code not in STATUSES:
        problems.append(f"{at}.status_code: expected PASS, FAIL or MANUAL, found {status_code!r}")
    resources = _resources(item.get("resources"), f"{at}.resources", problems)
    if len(problems) > before:
        return None
    product = _product(metadata)
    status = STATUSES[status_code]
    reason = _reason(item)
    if item.get("status") == "Suppressed":
        status, reason = CheckStatus.SKIPPED, f"muted in {product}: {reason}"
    account = _account(item)
    refs = tuple(
        ResourceRef(r["type"], r["uid"], r["name"], account=account, region=r["region"])
        for r in resources
    )
    return _Row(product, _provider(item), event_code or "", status, reason, refs)


def _object(item: dict, key: str, at: str, problems: list[str]) -> dict:
    value = item.get(key)
    if not isinstance(value, dict):
        problems.append(f"{at}.{key}: expected an object, found {_kind(value)}")
        return {}
    return value


def _text(item: dict, key: str, at: str, problems: list[str], pattern: re.Pattern) -> str | None:
    value = item.get(key)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        found = "nothing" if value is None else repr(value)[:60]
        problems.append(f"{at}.{key}: expected a check id, found {found}")
        return None
    return value


def _resources(value: Any, at: str, problems: list[str]) -> list[dict[str, str]]:
    if not isinstance(value, list) or not value:
        problems.append(f"{at}: expected a non-empty array of resources, found {_kind(value)}")
        return []
    found = []
    for index, resource in enumerate(value):
        uid = resource.get("uid") if isinstance(resource, dict) else None
        if not isinstance(uid, str) or not uid.strip():
            problems.append(f"{at}[{index}].uid: expected the resource's id")
            continue
        found.append(
            {
                "uid": uid.strip(),
                "type": _plain(resource.get("type")) or "resource",
                "name": _plain(resource.get("name")) or uid.strip(),
                "region": _plain(resource.get("region")),
            }
        )
    return found


def _plain(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _product(metadata: dict) -> str:
    product = metadata.get("product")
    name = _plain(product.get("name")).lower() if isinstance(product, dict) else ""
    return name if PRODUCT.fullmatch(name) else "ocsf"


def _provider(item: dict) -> str:
    cloud = item.get("cloud")
    provider = _plain(cloud.get("provider")).lower() if isinstance(cloud, dict) else ""
    return provider if PRODUCT.fullmatch(provider) else "ocsf"


def _account(item: dict) -> str:
    cloud = item.get("cloud")
    account = cloud.get("account") if isinstance(cloud, dict) else None
    return _plain(account.get("uid")) if isinstance(account, dict) else ""


def _reason(item: dict) -> str:
    detail = _plain(item.get("status_detail"))
    if detail:
        return detail
    info = item.get("finding_info")
    return _plain(info.get("title")) if isinstance(info, dict) else ""


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "text", bool: "true/false"}
    if value is None:
        return "nothing"
    return names.get(type(value), "a number" if isinstance(value, (int, float)) else "a value")


def _group(rows: list[_Row]) -> Scan:
    mapping = mappings()
    specs = registry.all_checks()
    scan = Scan(provider=rows[0].provider, product=rows[0].product)
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for row in rows:
        target = mapping.get(row.product, {}).get(row.event_code)
        spec = specs.get(target) if target else None
        check_id = spec.id if spec else f"{row.product}.{row.event_code}"
        for ref in row.resources:
            if spec is not None:
                ref = ResourceRef(
                    spec.resource_type, ref.external_id, ref.name, ref.account, ref.region
                )
            by_check[check_id].append(Finding(ref, row.status, row.reason))
        if spec is not None:
            scan.mapped += len(row.resources)
        else:
            scan.unmapped += len(row.resources)
    # A scan file covers what the scanner was asked to look at, not necessarily everything:
    # resources it does not mention keep their intervals.
    scan.observations = [Observation(c, f, complete=False) for c, f in sorted(by_check.items())]
    return scan


@functools.cache
def mappings() -> dict[str, dict[str, str]]:
    """product -> {scanner check id -> zGovern check id}, from ``data/ocsf_prowler.yaml``;
    raises ``LibraryError`` when a target is not a registered check."""
    return {product: dict(table) for product, table in load_mapping(MAPPING_FILE).items()}


def load_mapping(path: Path) -> dict[str, dict[str, str]]:
    document = read_document(path)
    problems = Problems(document.name)
    top = problems.mapping(document.root, "", ("product", "checks"))
    if top is None:
        raise LibraryError(problems.items)
    product = top.text("product", pattern=PRODUCT, hint="a lowercase product name") or ""
    known = registry.all_checks()
    table: dict[str, str] = {}
    node = top.node_of("checks")
    for key, _, value_node in problems.entries(node, "checks") if node is not None else []:
        target = problems.text(value_node, f"checks.{key}")
        if target not in known:
            problems.add(value_node, f"checks.{key}", f"'{target}' is not a registered check")
            continue
        table[key] = target
    if node is None:
        top.missing("checks")
    problems.raise_if_any()
    return {product: table}


__all__ = ["NotOcsf", "Problem", "Scan", "load_mapping", "mappings", "parse"]
