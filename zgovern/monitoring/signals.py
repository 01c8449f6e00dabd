"""Signals of monitoring, for what happens downstream of a run without monitoring knowing
it (alerts, for one)."""

from django.dispatch import Signal

# Sent after a run's observations are recorded and committed, with ``run`` (a CheckRun).
# Sent robustly: a receiver's error is logged, never raised into the run.
run_recorded = Signal()
