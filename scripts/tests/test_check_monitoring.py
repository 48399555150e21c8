"""Tests of scripts/check_monitoring.py: the repository's monitoring files pass its static checks,
broken dashboards and rules are reported, and against a real Prometheus (MLOPS_TEST_PROMETHEUS_URL,
else a private one that scrapes itself) a typo'd expression is named as dead.

    .venv/bin/python -m pytest scripts/tests -q
"""

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "check_monitoring.py"
_spec = importlib.util.spec_from_file_location("check_monitoring", SCRIPT)
check_monitoring = importlib.util.module_from_spec(_spec)
sys.modules["check_monitoring"] = check_monitoring
_spec.loader.exec_module(check_monitoring)

needs_promtool = pytest.mark.skipif(
    not shutil.which("promtool"), reason="promtool is not installed"
)


def panel(panel_id: int, title: str, *exprs: str, x: int = 0) -> dict:
    datasource = {"type": "prometheus", "uid": "${datasource}"}
    return {
        "id": panel_id,
        "type": "timeseries",
        "title": title,
        "datasource": datasource,
        "gridPos": {"h": 8, "w": 12, "x": x, "y": 0},
        "targets": [
            {"refId": chr(65 + i), "expr": expr, "datasource": datasource}
            for i, expr in enumerate(exprs)
        ],
    }


def dashboard(*panels: dict, variables: list[dict] | None = None, uid: str = "test") -> dict:
    return {
        "uid": uid,
        "title": f"Test {uid}",
        "schemaVersion": 39,
        "templating": {"list": variables or []},
        "panels": list(panels),
    }


def query_variable(name: str, query: str, multi: bool = True) -> dict:
    return {
        "name": name,
        "type": "query",
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "definition": query,
        "query": {"qryType": 1, "query": query, "refId": "V"},
        "refresh": 2,
        "multi": multi,
        "includeAll": multi,
    }


# --- static checks ------------------------------------------------------------------------------


def test_the_repository_dashboards_are_valid() -> None:
    dashboards, problems = check_monitoring.check_dashboards(check_monitoring.DASHBOARDS_DIR)
    assert problems == []
    assert sorted(dashboards) == ["drift.json", "platform.json", "serving.json", "training.json"]
    for name, board in dashboards.items():
        names = [v["name"] for v in check_monitoring.variables(board)]
        assert "datasource" in names and "ray_cluster" in names, name
        assert sum(len(p.get("targets", [])) for p in check_monitoring.all_panels(board)) >= 10


def test_dashboard_problems_name_what_grafana_would_refuse() -> None:
    board = dashboard(
        panel(1, "Good", 'sum(up{job=~"$job"})'),
        panel(1, "Same id", "up", x=12),
        {**panel(3, "No targets"), "targets": []},
        panel(4, "Empty expr", ""),
        panel(5, "Equal on a multi-value variable", 'up{job="$job"}'),
        panel(6, "Unknown variable", 'up{instance=~"$node"}'),
        {**panel(7, "Past the grid"), "gridPos": {"h": 8, "w": 12, "x": 18, "y": 0}},
        variables=[query_variable("job", "label_values(up, job)")],
    )
    del board["uid"]
    board["schemaVersion"] = 27
    problems = "\n".join(check_monitoring.dashboard_problems("bad.json", board))
    for expected in [
        "`uid` must be a str",
        "schemaVersion 27 is older than Grafana 10",
        "panel 'Same id': `id` must be an integer unique",
        "panel 'No targets': has no targets",
        "panel 'Empty expr' [A]: target has no `expr`",
        "needs =~ or !~",
        "uses $node, which the dashboard does not declare",
        "gridPos reaches past the 24 columns",
    ]:
        assert expected in problems
    assert "panel 'Good'" not in problems


def test_a_dashboard_that_is_not_json_is_reported(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"title": "x",')
    dashboards, problems = check_monitoring.load_dashboards(tmp_path)
    assert dashboards == {}
    assert len(problems) == 1 and problems[0].startswith("broken.json: not valid JSON")


@pytest.mark.parametrize(
    ("expr", "probes"),
    [
        ("up == 0", ["up"]),
        ('up{job=~"ray.*"} == 0', ['up{job=~"ray.*"}']),
        ("(a / b) > 0.25\nand\nc >= 4", ["a / b", "c"]),
        ("sum(rate(x[5m])) > bool 0.1", ["sum(rate(x[5m]))"]),
        ("a > on(job) group_left(instance) b", ["a", "b"]),
        ('x{le=">", code="5xx"} < 3', ['x{le=">", code="5xx"}']),
        ("error_or_unless_total > 1", ["error_or_unless_total"]),
        (
            "histogram_quantile(0.99, sum by (le) (rate(h[5m]))) > 1000",
            ["histogram_quantile(0.99, sum by (le) (rate(h[5m])))"],
        ),
        ("(a or b * 0) / c", ["(a or b * 0) / c"]),
        ("a unless b", ["a", "b"]),
        ("a # or a comment > 1\n> 2", ["a # or a comment > 1"]),
    ],
)
def test_alert_probes_strip_comparisons_and_split_set_operators(
    expr: str, probes: list[str]
) -> None:
    assert [" ".join(p.split()) for p in check_monitoring.alert_probes(expr)] == probes


def test_rule_expressions_reads_plain_quoted_and_block_scalars(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(
        "groups:\n"
        "  - name: g\n"
        "    rules:\n"
        "      - alert: Plain\n"
        "        expr: up == 0  # a comment\n"
        "      - alert: Quoted\n"
        "        expr: 'up{job=\"a\"} == 0'\n"
        "      - record: job:up:sum\n"
        "        expr: |\n"
        "          sum by (job) (\n"
        "            up\n"
        "          )\n"
        "        labels:\n"
        "          x: y\n"
        "      - alert: Folded\n"
        "        expr: >-\n"
        "          up\n"
        "          > 1\n"
        "        for: 1m\n"
    )
    found = check_monitoring.rule_expressions(rules)
    assert [(name, " ".join(expr.split())) for name, expr in found] == [
        ("Plain", "up == 0"),
        ("Quoted", 'up{job="a"} == 0'),
        ("job:up:sum", "sum by (job) ( up )"),
        ("Folded", "up > 1"),
    ]


def test_every_repository_rule_is_read() -> None:
    path = check_monitoring.RULES_DIR / "mlops.yml"
    alerts = [line for line in path.read_text().splitlines() if line.strip().startswith("- alert:")]
    found = check_monitoring.rule_expressions(path)
    assert len(found) == len(alerts) >= 6
    assert all(expr.strip() for _, expr in found)


@needs_promtool
def test_static_checks_pass_on_the_repository(capsys: pytest.CaptureFixture[str]) -> None:
    alertmanager = [] if shutil.which("amtool") else ["--alertmanager-config", ""]
    assert check_monitoring.main(alertmanager) == 0, capsys.readouterr().err
    assert (
        "promtool check rules deploy/monitoring/prometheus/rules/mlops.yml: ok"
        in capsys.readouterr().out
    )


@needs_promtool
def test_a_rule_promtool_refuses_fails_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yml").write_text(
        "groups:\n  - name: g\n    rules:\n      - alert: Broken\n        expr: sum(up\n"
    )
    status = check_monitoring.main(
        ["--rules", str(tmp_path), "--prometheus-config", "", "--alertmanager-config", ""]
    )
    assert status == 1
    assert "promtool check rules" in capsys.readouterr().err


# --- live check ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def has_scraped_twice(url: str) -> bool:
    query = urllib.parse.urlencode({"query": "rate(up[1m])"})
    try:
        with urllib.request.urlopen(f"{url}/api/v1/query?{query}", timeout=2) as response:
            return bool(json.load(response)["data"]["result"])
    except OSError:
        return False


@pytest.fixture(scope="module")
def prometheus_url() -> Iterator[str]:
    """The test stack's Prometheus, or a private one scraping itself every second."""
    if os.environ.get("MLOPS_TEST_PROMETHEUS_URL"):
        yield os.environ["MLOPS_TEST_PROMETHEUS_URL"].rstrip("/")
        return
    binary = shutil.which("prometheus")
    if not binary:
        pytest.skip("no Prometheus: set MLOPS_TEST_PROMETHEUS_URL or install Debian's prometheus")
    port = free_port()
    with tempfile.TemporaryDirectory() as home:
        config = Path(home) / "prometheus.yml"
        config.write_text(
            json.dumps(
                {
                    "global": {"scrape_interval": "1s"},
                    "scrape_configs": [
                        {"job_name": "self", "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
                    ],
                }
            )
        )
        process = subprocess.Popen(
            [
                binary,
                "--config.file",
                str(config),
                "--storage.tsdb.path",
                f"{home}/data",
                "--web.listen-address",
                f"127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while not has_scraped_twice(url):
                assert process.poll() is None, "Prometheus exited"
                assert time.monotonic() < deadline, "Prometheus did not scrape twice within 30 s"
                time.sleep(0.5)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture
def monitoring(tmp_path: Path) -> tuple[Path, Path]:
    """A rules folder and a dashboards folder, each with live and typo'd expressions."""
    rules, dashboards = tmp_path / "rules", tmp_path / "dashboards"
    rules.mkdir()
    dashboards.mkdir()
    (rules / "test.yml").write_text(
        "groups:\n"
        "  - name: test\n"
        "    rules:\n"
        "      - alert: TargetDown\n"
        "        expr: up == 0\n"
        "      - alert: TypoRule\n"
        "        expr: sum(rate(up_typo_total[5m])) > 1\n"
    )
    board = dashboard(
        panel(1, "Targets up", 'sum by (job) (up{job=~"$job"})'),
        panel(2, "Typo panel", 'sum by (job) (upp{job=~"$job"})', x=12),
        panel(3, "Broken syntax", 'sum(up{job=~"$job"}'),
        panel(4, "GPU utilisation", "avg(ray_node_gpus_utilization)", x=12),
        panel(5, "Rate", "sum(rate(up[$__rate_interval]))"),
        variables=[query_variable("job", "label_values(up, job)")],
    )
    (dashboards / "test.json").write_text(json.dumps(board))
    return rules, dashboards


def run_live(prometheus_url: str, rules: Path, dashboards: Path, *extra: str) -> int:
    return check_monitoring.main(
        [
            "--prometheus",
            prometheus_url,
            "--rules",
            str(rules),
            "--dashboards",
            str(dashboards),
            "--prometheus-config",
            "",
            "--alertmanager-config",
            "",
            "--range",
            "15m",
            *extra,
        ]
    )


@needs_promtool
def test_live_check_names_each_dead_expression(
    prometheus_url: str, monitoring: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status = run_live(prometheus_url, *monitoring)
    out, err = capsys.readouterr()
    assert status == 1
    dead = [line for line in err.splitlines() if line.startswith("  - ")]
    assert len(dead) == 3, err
    assert any("test.json › Typo panel [A]" in line and "upp{" in line for line in dead)
    assert any(
        "test.json › Broken syntax [A]" in line and line.startswith("  - error in") for line in dead
    )
    assert any("test.yml › TypoRule" in line and "up_typo_total" in line for line in dead)
    table = out.splitlines()
    assert any(line.startswith("ok") and "test.json › Targets up [A]" in line for line in table)
    # `up == 0` returns nothing while every target is up; the check runs its left-hand side.
    assert any(line.startswith("ok") and "test.yml › TargetDown" in line for line in table)
    assert any(line.startswith("ok") and "test.json › $job" in line for line in table)
    if not check_monitoring.seen_gpus(check_monitoring.Prometheus(prometheus_url, 900, 15)):
        assert any(line.startswith("no-gpu") and "GPU utilisation" in line for line in table)


@needs_promtool
def test_live_check_passes_without_the_dead_expressions(
    prometheus_url: str, monitoring: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, dashboards = monitoring
    (rules / "test.yml").write_text(
        "groups:\n  - name: test\n    rules:\n      - alert: TargetDown\n        expr: up == 0\n"
    )
    board = json.loads((dashboards / "test.json").read_text())
    board["panels"] = [p for p in board["panels"] if p["title"] in ("Targets up", "Rate")]
    (dashboards / "test.json").write_text(json.dumps(board))
    assert run_live(prometheus_url, rules, dashboards) == 0, capsys.readouterr().err


@needs_promtool
def test_live_check_retries_for_as_long_as_it_may_wait(
    prometheus_url: str, monitoring: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    assert run_live(prometheus_url, *monitoring, "--wait", "1") == 1
    assert time.monotonic() - started < 30
    assert "return no series yet; trying again in 5 s" in capsys.readouterr().out
