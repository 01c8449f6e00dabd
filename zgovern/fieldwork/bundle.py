"""The bundle's populations and samples section: every population of the period (CSV and
XLSX) and every sample of the audit with its seed, the population it was drawn from and
each chosen item's evidence, so an auditor can redraw it offline."""

from __future__ import annotations

import json

from zgovern.fieldwork import populations, tables
from zgovern.fieldwork.models import PopulationKind, Sample

SECTION = "populations"


def write(ctx) -> None:
    for kind in PopulationKind.values:
        listed = populations.population(ctx.org, kind, ctx.start, ctx.end)
        ctx.add_table(
            f"populations/{kind}",
            listed.header,
            tables.population_rows(listed),
            f"Population - {listed.title}",
            SECTION,
        )
    samples = list(Sample.objects.filter(organization=ctx.org, audit=ctx.audit).order_by("pk"))
    rows = []
    for sample in samples:
        rows.extend(tables.sample_rows(ctx.org, sample))
        drawn = {
            "sample": sample.pk,
            "population": sample.population,
            "method": sample.method,
            "seed": sample.seed,
            "size": sample.size,
            "period": [sample.period_start.isoformat(), sample.period_end.isoformat()],
            "population_keys": sample.population_keys,
            "chosen_keys": sample.chosen_keys,
            "redraw": "random.Random(seed).sample(population_keys, size) == chosen_keys",
        }
        data = json.dumps(drawn, indent=2, ensure_ascii=False).encode()
        ctx.add_bytes(
            f"populations/samples/sample-{sample.pk}.json",
            data,
            f"Sample {sample.pk}: how it was drawn",
            SECTION,
        )
    ctx.add_table(
        "populations/samples", tables.SAMPLE_HEADER, rows, "Samples and their evidence", SECTION
    )
