"""bench/readiness.py keeps working: its builder and measurements on a tiny organisation
(the benchmark itself is run by ``make bench``, never by the test suite)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench" / "readiness.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_readiness", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


def test_bench_builds_and_measures_a_tiny_organisation(db):
    bench = _bench()
    size = bench.Size("tiny", controls=10, evidence=40, intervals=300, open_intervals=100)
    org, owner = bench.build(size, "bench-tiny")
    assert bench.counts(org) == {
        "controls": 10, "evidence": 40, "links": 40, "intervals": 300, "open": 100,
    }  # fmt: skip
    result = bench.measure(org, owner, runs=1)
    assert result.assess_queries == 10  # one reads the states of the policies
    assert result.dashboard_queries > result.assess_queries
    assert result.assess_ms > 0 and result.dashboard_ms > 0
