"""Populations and samples as tables: for the CSV/XLSX exports and the audit bundle."""

from __future__ import annotations

from typing import Any

from zgovern.fieldwork import populations
from zgovern.fieldwork.models import Sample
from zgovern.fieldwork.populations import Population

SAMPLE_HEADER = (
    "sample",
    "population",
    "method",
    "seed",
    "size",
    "population size",
    "period start",
    "period end",
    "drawn at",
    "drawn by",
    "order",
    "item",
    "label",
    "verdict",
    "evidence",
)


def population_rows(listed: Population) -> list[list[Any]]:
    return [list(item.columns) for item in listed.items]


def sample_rows(org, sample: Sample) -> list[list[Any]]:
    """One row per sampled item, with the sample's seed and the item's evidence."""
    found = populations.evidence(org, sample.population, sample.chosen_keys)
    head = [
        sample.pk,
        sample.population,
        sample.method,
        sample.seed,
        sample.size,
        len(sample.population_keys),
        sample.period_start,
        sample.period_end,
        sample.created_at,
        sample.created_by_label,
    ]
    return [
        [
            *head,
            order,
            item.key,
            item.label,
            item.verdict,
            "; ".join(f"{name}: {value}" for name, value in item.facts),
        ]
        for order, item in enumerate(found, start=1)
    ]
