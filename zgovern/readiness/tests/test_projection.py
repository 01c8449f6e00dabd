"""Projection of the audit-ready date from daily scores."""

from datetime import date, timedelta

from zgovern.readiness.projection import fit_line, project

START = date(2026, 10, 1)


def series(scores):
    return [(START + timedelta(days=i), s) for i, s in enumerate(scores)]


def test_fit_recovers_a_straight_line():
    fit = fit_line([0, 1, 2, 3], [1, 3, 5, 7])
    assert round(fit.slope, 9) == 2 and round(fit.intercept, 9) == 1 and fit.slope_se == 0


def test_steady_climb_gives_a_date_and_a_tight_range():
    points = series([0.5 + 0.01 * i for i in range(20)])  # 0.69 on day 19, +1%/day
    result = project(points)
    assert result.status == "projected"
    assert result.date == START + timedelta(days=50)  # 31 more points of 1%
    assert result.earliest == result.latest == result.date
    assert "a week" in result.message


def test_noisy_climb_gives_a_wider_range():
    wobble = [0.02 if i % 2 else -0.02 for i in range(20)]
    points = series([0.5 + 0.01 * i + w for i, w in enumerate(wobble)])
    result = project(points)
    assert result.status == "projected"
    assert result.earliest < result.date < result.latest


def test_flat_or_falling_trend_does_not_converge():
    assert project(series([0.6] * 10)).status == "not_converging"
    result = project(series([0.7 - 0.01 * i for i in range(10)]))
    assert result.status == "not_converging"
    assert "no audit-ready date" in result.message


def test_too_little_history():
    result = project(series([0.1, 0.2, 0.3]))
    assert result.status == "insufficient_data"
    assert "needs 5 days" in result.message


def test_already_ready():
    assert project(series([0.9, 1.0])).status == "ready"


def test_only_the_recent_window_counts():
    # A long flat start followed by four weeks of climbing still projects from the climb.
    points = series([0.2] * 60 + [0.2 + 0.02 * i for i in range(1, 29)])
    assert project(points).status == "projected"
