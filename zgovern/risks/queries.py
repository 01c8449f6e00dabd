"""Reads of the risk register for the pages, the API, the exports and assessments: the
filtered and sorted list, the heat maps and the register's snapshot.

Filtering and sorting happen in the database on indexed columns (scores are stored), so
a page of a register of 10,000 risks costs a count and one page of rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from zgovern.risks import scales
from zgovern.risks.models import Category, Risk, RiskStatus, Treatment
from zgovern.tenancy.models import Organization

SORTS = {
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "inherent": ("inherent_score", "id"),
    "-inherent": ("-inherent_score", "-id"),
    "residual": ("residual_score", "id"),
    "-residual": ("-residual_score", "-id"),
    "review": ("review_date", "id"),
    "-review": ("-review_date", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
}
DEFAULT_SORT = "-inherent"
FLAGS = ("acceptance_expired", "review_overdue")


def risks(
    org: Organization,
    *,
    q: str = "",
    category: str = "",
    status: str = "",
    treatment: str | None = None,
    owner: str = "",
    min_score: int | None = None,
    flag: str = "",
    sort: str = "",
    today: date | None = None,
) -> QuerySet[Risk]:
    """The register filtered and sorted (``SORTS``; default highest inherent score first).
    ``flag`` is ``acceptance_expired`` or ``review_overdue``; ``owner`` an email."""
    today = today or timezone.localdate()
    rows = Risk.objects.filter(organization=org).select_related(
        "owner_user", "owner_person", "accepted_by"
    )
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(description__icontains=q))
    if category:
        rows = rows.filter(category=category)
    if status:
        rows = rows.filter(status=status)
    if treatment is not None:
        rows = rows.filter(treatment=treatment)
    if owner:
        rows = rows.filter(
            Q(owner_user__email__iexact=owner) | Q(owner_person__work_email__iexact=owner)
        )
    if min_score:
        rows = rows.filter(inherent_score__gte=min_score)
    if flag:
        rows = rows.filter(flag_filter(flag, today))
    return rows.order_by(*SORTS.get(sort or DEFAULT_SORT, SORTS[DEFAULT_SORT]))


def attach_controls(page: list[Risk]) -> list[Risk]:
    """Set ``linked_control_ids`` on a page of risks with one query over the link table."""
    through = Risk.controls.through
    rows = through.objects.filter(risk_id__in=[r.pk for r in page])
    linked: dict[int, list[int]] = {}
    for risk_id, control_id in rows.values_list("risk_id", "control_id").order_by("control_id"):
        linked.setdefault(risk_id, []).append(control_id)
    for risk in page:
        risk.linked_control_ids = linked.get(risk.pk, [])
    return page


def flag_filter(flag: str, today: date) -> Q:
    if flag == "acceptance_expired":
        return Q(treatment=Treatment.ACCEPT, acceptance_expires_on__lt=today)
    if flag == "review_overdue":
        return Q(review_date__lt=today) & ~Q(status=RiskStatus.CLOSED)
    return Q(pk__in=[])


def risk(org: Organization, risk_id: int) -> Risk | None:
    rows = Risk.objects.filter(organization=org, pk=risk_id)
    return rows.select_related("owner_user", "owner_person", "accepted_by").first()


def flag_counts(org: Organization, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    rows = Risk.objects.filter(organization=org)
    return {flag: rows.filter(flag_filter(flag, today)).count() for flag in FLAGS}


# -- heat maps ------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    likelihood: int
    impact: int
    count: int

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def band(self) -> str:
        """low (1-4), medium (5-9), high (10-16), critical (20-25)."""
        s = self.score
        return "low" if s <= 4 else "medium" if s <= 9 else "high" if s <= 16 else "critical"


@dataclass(frozen=True)
class HeatMap:
    rows: list[list[HeatCell]]  # impact 5 at the top, likelihood 1..5 left to right
    total: int
    unrated: int  # risks without this rating (no residual rating yet)


def heat_maps(org: Organization, *, include_closed: bool = False) -> dict[str, HeatMap]:
    """The inherent and residual heat maps: risks counted per (likelihood, impact), closed
    risks left out unless asked for. Two grouped queries, whatever the register's size."""
    rows = Risk.objects.filter(organization=org)
    if not include_closed:
        rows = rows.exclude(status=RiskStatus.CLOSED)
    inherent = Counter(
        {(r["likelihood"], r["impact"]): r["n"] for r in _grouped(rows, "likelihood", "impact")}
    )
    residual = Counter(
        {
            (r["residual_likelihood"], r["residual_impact"]): r["n"]
            for r in _grouped(rows, "residual_likelihood", "residual_impact")
        }
    )
    unrated = residual.pop((None, None), 0)
    return {"inherent": _grid(inherent, 0), "residual": _grid(residual, unrated)}


def _grouped(rows: QuerySet, first: str, second: str) -> list[dict[str, Any]]:
    from django.db.models import Count

    return list(rows.order_by().values(first, second).annotate(n=Count("id")))


def _grid(counts: Counter, unrated: int) -> HeatMap:
    grid = [
        [HeatCell(likelihood, impact, counts.get((likelihood, impact), 0)) for likelihood in
         range(1, 6)]
        for impact in range(5, 0, -1)
    ]  # fmt: skip
    return HeatMap(rows=grid, total=sum(counts.values()) + unrated, unrated=unrated)


# -- exports and snapshots ------------------------------------------------------------

EXPORT_HEADER = (
    "id", "title", "category", "owner", "likelihood", "impact", "inherent_score",
    "treatment", "treatment_plan", "residual_likelihood", "residual_impact",
    "residual_score", "review_date", "status", "accepted_by", "accepted_at",
    "acceptance_expires_on", "acceptance_expired", "review_overdue", "controls",
    "created_at", "updated_at",
)  # fmt: skip


def export_rows(rows: QuerySet[Risk], today: date | None = None):
    """One row per risk in ``EXPORT_HEADER`` order, read in chunks."""
    today = today or timezone.localdate()
    controls = _control_keys(rows)
    for r in rows.iterator(chunk_size=2000):
        yield (
            r.pk, r.title, r.category, r.owner_email, r.likelihood, r.impact, r.inherent_score,
            r.treatment, r.treatment_plan, r.residual_likelihood, r.residual_impact,
            r.residual_score, r.review_date, r.status,
            r.accepted_by.email if r.accepted_by_id else "", r.accepted_at,
            r.acceptance_expires_on, r.acceptance_expired(today), r.review_overdue(today),
            " ".join(controls.get(r.pk, [])), r.created_at, r.updated_at,
        )  # fmt: skip


def _control_keys(rows: QuerySet[Risk]) -> dict[int, list[str]]:
    """Control keys per risk, in one query over the link table."""
    through = Risk.controls.through
    links = through.objects.filter(risk__in=rows.order_by().values("pk")).values_list(
        "risk_id", "control__key"
    )
    result: dict[int, list[str]] = {}
    for risk_id, key in links.order_by("control__key"):
        result.setdefault(risk_id, []).append(key)
    return result


def register_snapshot(org: Organization, today: date) -> dict[str, Any]:
    """The whole register as a JSON-ready record: the scales' wording, one compact row per
    risk (columns named once in ``columns``), the counts and both heat maps."""
    rows = risks(org, sort="-inherent", today=today)
    columns = [c for c in EXPORT_HEADER if c not in ("created_at", "updated_at")]
    data = [[_json(v) for v in row[: len(columns)]] for row in export_rows(rows, today)]
    maps = heat_maps(org)
    return {
        "format": "zgovern.risk-register/1",
        "assessed_on": today.isoformat(),
        "scales": {
            axis: {
                str(lvl.level): {"name": lvl.name, "description": lvl.description}
                for lvl in scales.axis_levels(org, axis)
            }
            for axis in scales.AXES
        },
        "summary": {
            "risks": len(data),
            "by_status": dict(Counter(row[columns.index("status")] for row in data)),
            "acceptance_expired": sum(
                1 for row in data if row[columns.index("acceptance_expired")]
            ),
            "review_overdue": sum(1 for row in data if row[columns.index("review_overdue")]),
        },
        "heat_maps": {
            name: [[cell.count for cell in line] for line in m.rows] for name, m in maps.items()
        },
        "heat_map_axes": "rows are impact 5 to 1, columns likelihood 1 to 5",
        "columns": columns,
        "risks": data,
    }


def _json(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def categories() -> list[tuple[str, str]]:
    return list(Category.choices)
