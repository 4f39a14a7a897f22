"""The benchmarks' figures judged against their targets, and written for a machine."""

import json

import pytest

from bench.results import Result, p50_p95, write_json


@pytest.mark.parametrize(
    ("value", "target", "passed"),
    [
        (240.0, "< 250 ms", True),
        (250.0, "< 250 ms", False),
        (10.0, "<= 10x", True),
        (1_250.0, "< 1,000 ms", False),
        (230.0, ">= 200 req/s", True),
        (0.09, ">= 0.1x", False),
        (12.0, "", None),
    ],
)
def test_a_figure_passes_when_it_meets_its_target(value, target, passed):
    assert Result("figure", value, "unit", target).passed is passed


def test_the_json_holds_every_figure_with_its_pass_flag(tmp_path):
    path = tmp_path / "bench.json"
    results = [Result("fast", 20, "ms p50", "< 50 ms"), Result("floor", 9e5, "rows/s")]
    write_json(path, results, contacts=1000, database="postgresql", commit="abc1234")
    written = json.loads(path.read_text())
    assert (written["contacts"], written["commit"]) == (1000, "abc1234")
    assert [(r["name"], r["passed"]) for r in written["results"]] == [
        ("fast", True),
        ("floor", None),
    ]


def test_the_p95_of_twenty_runs_is_the_second_slowest_and_of_fewer_the_slowest():
    assert p50_p95([float(n) for n in range(1, 21)]) == (10.5, 19.0)
    assert p50_p95([3.0, 1.0, 2.0]) == (2.0, 3.0)
