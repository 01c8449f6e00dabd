"""Geometry of the burn-up chart: pure functions, no database."""

from datetime import date, timedelta

from zgovern.readiness import chart
from zgovern.readiness.projection import project, trend

TODAY = date(2026, 11, 30)


def climb(days: int, start: float, per_day: float, wobble: float = 0.0):
    first = TODAY - timedelta(days=days - 1)
    return [
        (first + timedelta(days=i), start + per_day * i + (wobble if i % 2 else -wobble))
        for i in range(days)
    ]


def build(points):
    return chart.burn_up("SOC 2", points, project(points), trend(points), TODAY)


def test_actual_line_spans_the_plot_from_left_and_rises():
    drawing = build(climb(30, 0.4, 0.01))
    xs = [x for x, _ in drawing.actual]
    ys = [y for _, y in drawing.actual]
    assert len(drawing.actual) == 30
    assert xs[0] == chart.LEFT and xs == sorted(xs)
    assert ys == sorted(ys, reverse=True)  # rising readiness: y shrinks (SVG y grows down)
    assert drawing.last == drawing.actual[-1]


def test_y_scale_maps_0_and_100_percent_to_the_plot_edges():
    drawing = build([(TODAY - timedelta(days=1), 0.0), (TODAY, 1.0)])
    assert drawing.actual[0][1] == drawing.bottom
    assert drawing.actual[-1][1] == drawing.top == drawing.target_y
    assert [t.label for t in drawing.y_ticks] == ["0%", "25%", "50%", "75%", "100%"]


def test_projection_line_reaches_100_percent_on_the_projected_date():
    points = climb(30, 0.4, 0.01)  # 0.69 today, +1%/day: 100% in 31 days
    drawing = build(points)
    result = project(points)
    assert result.date == TODAY + timedelta(days=31)
    end_x, end_y = drawing.trend[-1]
    assert end_y == drawing.target_y
    # The chart's right edge is the projected date (a tight range): the line ends there.
    assert end_x == drawing.right
    assert drawing.x_ticks[0].pos == drawing.left


def test_band_spans_earliest_to_latest_at_the_target():
    points = climb(28, 0.3, 0.012, wobble=0.03)
    result = project(points)
    assert result.earliest < result.date < result.latest
    drawing = build(points)
    pivot, fast, slow = drawing.band
    assert fast[1] == slow[1] == drawing.target_y
    assert pivot[0] < fast[0] < drawing.trend[-1][0] < slow[0]
    assert slow[0] == drawing.right  # the latest date is the chart's right edge


def test_open_ended_range_runs_the_band_to_the_right_edge_below_target():
    points = climb(10, 0.3, 0.004, wobble=0.05)
    result = project(points)
    assert result.status == "projected" and result.latest is None
    drawing = build(points)
    assert len(drawing.band) == 4
    assert drawing.band[2][0] == drawing.band[3][0] == drawing.right
    assert drawing.band[3][1] > drawing.target_y  # the slow edge has not reached 100%


def test_no_projection_draws_no_trend_or_band_and_says_why():
    points = [(TODAY - timedelta(days=i), 0.5) for i in range(9, -1, -1)]
    drawing = build(points)
    assert drawing.trend == [] and drawing.band == []
    assert "no audit-ready date" in drawing.desc
    assert "50% on" in drawing.desc


def test_empty_history_still_draws_axes_and_says_so():
    drawing = chart.burn_up("ISO 27001", [], project([]), None, TODAY)
    assert drawing.actual == [] and drawing.last is None
    assert drawing.x_ticks and drawing.today_x == drawing.left
    assert "No readiness history" in drawing.desc and drawing.rows == []


def test_x_ticks_are_few_and_dated():
    ticks = chart.x_ticks(TODAY - timedelta(days=60), TODAY, lambda d: float(d.toordinal()))
    assert 2 <= len(ticks) <= chart.MAX_X_TICKS
    assert ticks[0].label == "1 Oct"
    long = chart.x_ticks(date(2026, 1, 1), date(2028, 6, 1), lambda d: 0.0)
    assert long[0].label == "Jan 2026" and len(long) <= chart.MAX_X_TICKS


def test_svg_points_and_view_box():
    drawing = build(climb(6, 0.5, 0.01))
    assert drawing.view_box == f"0 0 {chart.WIDTH} {chart.HEIGHT}"
    assert drawing.actual_svg.count(",") == 6
    assert chart.svg_points([(1.0, 2.5), (3.25, 4.0)]) == "1,2.5 3.25,4"
    assert drawing.rows[-1] == (TODAY, 0.55)
