"""Checks the production monitoring in deploy/monitoring: alert rules, Prometheus and Alertmanager
configs, Grafana dashboards; with --prometheus, that every PromQL expression of the dashboards and
rules returns series from a real Prometheus. Standard library only; run it with the venv's Python.

    scripts/check_monitoring.py                      # static checks
    scripts/check_monitoring.py --prometheus URL     # and every expression against URL

Static checks: `promtool check rules` on every rules file, `promtool check config` on the example
Prometheus config, `amtool check-config` on the Alertmanager config (Debian's
prometheus-alertmanager package is installed when amtool is missing), and the dashboards' JSON
(the fields Grafana needs and the dashboards use: see dashboard_problems).

Live check: every dashboard query (variables replaced by the values that label_values finds, or
`.*`; Grafana's $__ variables by fixed durations) and every rule expression (its comparisons and
set operators stripped, so that a healthy system's alert still returns the series it compares) is
run as a range query over --range up to now; each must return at least one series. Queries over
GPU metrics may be empty where Prometheus has seen no GPU. Prints a table of expression -> series
and exits 1 naming each dead one. --wait retries the dead ones for that long (series of the last
requests take up to ~30 s to reach Prometheus).
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MONITORING = ROOT / "deploy" / "monitoring"
RULES_DIR = MONITORING / "prometheus" / "rules"
PROMETHEUS_CONFIG = MONITORING / "prometheus" / "prometheus.yml"
ALERTMANAGER_CONFIG = MONITORING / "alertmanager" / "alertmanager.yml"
DASHBOARDS_DIR = MONITORING / "grafana" / "dashboards"

# Grafana 10.x/11.x read schema 36 to 41 (and migrate older ones); the dashboards say 39.
MIN_SCHEMA_VERSION = 36
PANEL_TYPES = {
    "row",
    "timeseries",
    "stat",
    "bargauge",
    "gauge",
    "table",
    "text",
    "piechart",
    "heatmap",
    "barchart",
    "state-timeline",
    "status-history",
    "histogram",
}
VARIABLE_TYPES = {"query", "datasource", "custom", "constant", "interval", "textbox"}
UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
VARIABLE_REF = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")
LABEL_MATCHER = re.compile(r'(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
LABEL_VALUES = re.compile(
    r"^\s*label_values\(\s*(?:(?P<selector>.+?)\s*,\s*)?(?P<label>\w+)\s*\)\s*$", re.S
)
GPU_METRIC = re.compile(r"\bray_node_(?:gpus|gram)_\w+")
NUMBER = re.compile(r"^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0x[0-9a-fA-F]+|Inf|NaN)$", re.I)


# --- static checks ------------------------------------------------------------------------------


def run_tool(argv: list[str]) -> tuple[int, str]:
    """Runs a checker; its exit status and its stdout and stderr together."""
    done = subprocess.run(argv, capture_output=True, text=True)
    return done.returncode, (done.stdout + done.stderr).strip()


def ensure_amtool() -> str | None:
    """amtool's path, installing Debian's prometheus-alertmanager package when it is missing."""
    found = shutil.which("amtool")
    if found:
        return found
    script = ROOT / "scripts" / "lib" / "debian_packages.sh"
    subprocess.run(
        [
            "bash",
            "-c",
            f'source "{script}" && ensure_debian_program /usr/bin/amtool prometheus-alertmanager',
        ],
        check=False,
    )
    return shutil.which("amtool")


def check_rules(promtool: str, rules_dir: Path) -> list[str]:
    """`promtool check rules` on each rules file; the problems found."""
    files = sorted(rules_dir.glob("*.yml")) + sorted(rules_dir.glob("*.yaml"))
    if not files:
        return [f"no rules files (*.yml) in {rules_dir}"]
    problems = []
    for path in files:
        status, output = run_tool([promtool, "check", "rules", str(path)])
        print(f"promtool check rules {display(path)}: {'ok' if status == 0 else 'FAILED'}")
        if status != 0:
            problems.append(f"promtool check rules {display(path)}:\n{indent(output)}")
            continue
        # The expression extractor below must see every rule promtool saw.
        counted = re.search(r"SUCCESS: (\d+) rules found", output)
        extracted = len(rule_expressions(path))
        if counted and int(counted.group(1)) != extracted:
            problems.append(
                f"{display(path)}: promtool found {counted.group(1)} rules but this script read "
                f"{extracted} `expr:` entries; write each expr as a plain or block (|, >) scalar"
            )
    return problems


def without_kubernetes_discovery(config: str, none_file: Path) -> str:
    """The config with each kubernetes_sd_configs block replaced by an empty file_sd_configs one,
    for a promtool built without Kubernetes discovery (Debian's): the rest is still checked."""
    lines, out, skip_deeper_than = config.splitlines(), [], None
    for line in lines:
        depth = len(line) - len(line.lstrip())
        if skip_deeper_than is not None:
            if not line.strip() or depth > skip_deeper_than:
                continue
            skip_deeper_than = None
        match = re.match(r"^(\s*)kubernetes_sd_configs:\s*$", line)
        if match:
            out.append(f'{match.group(1)}file_sd_configs: [{{files: ["{none_file}"]}}]')
            skip_deeper_than = depth
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def check_prometheus_config(promtool: str, path: Path) -> list[str]:
    status, output = run_tool([promtool, "check", "config", str(path)])
    note = ""
    if status != 0 and "field kubernetes_sd_configs not found" in output:
        # Checked in a copy beside a copy of its rules, which it names relatively.
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / path.name
            copy.write_text(without_kubernetes_discovery(path.read_text(), Path(tmp) / "none.json"))
            shutil.copytree(path.parent / "rules", Path(tmp) / "rules")
            status, output = run_tool([promtool, "check", "config", str(copy)])
        note = " (kubernetes_sd_configs not checked: this promtool has no Kubernetes discovery)"
    print(f"promtool check config {display(path)}: {'ok' if status == 0 else 'FAILED'}{note}")
    return [] if status == 0 else [f"promtool check config {display(path)}:\n{indent(output)}"]


def check_alertmanager_config(path: Path) -> list[str]:
    amtool = ensure_amtool()
    if not amtool:
        return [
            "amtool is missing: install Debian's prometheus-alertmanager package "
            f"to check {display(path)}"
        ]
    status, output = run_tool([amtool, "check-config", str(path)])
    print(f"amtool check-config {display(path)}: {'ok' if status == 0 else 'FAILED'}")
    return [] if status == 0 else [f"amtool check-config {display(path)}:\n{indent(output)}"]


def load_dashboards(dashboards_dir: Path) -> tuple[dict[str, dict], list[str]]:
    """The dashboards by file name, and the files that are not JSON objects."""
    dashboards, problems = {}, []
    files = sorted(dashboards_dir.glob("*.json"))
    if not files:
        problems.append(f"no dashboards (*.json) in {dashboards_dir}")
    for path in files:
        try:
            dashboard = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            problems.append(f"{path.name}: not valid JSON: {error}")
            continue
        if not isinstance(dashboard, dict):
            problems.append(f"{path.name}: not a JSON object")
            continue
        dashboards[path.name] = dashboard
    return dashboards, problems


def all_panels(dashboard: dict) -> list[dict]:
    """The panels, those inside collapsed rows included."""
    found = []
    for panel in dashboard.get("panels") or []:
        if isinstance(panel, dict):
            found.append(panel)
            found.extend(p for p in panel.get("panels") or [] if isinstance(p, dict))
    return found


def variables(dashboard: dict) -> list[dict]:
    listed = (dashboard.get("templating") or {}).get("list")
    return [v for v in listed if isinstance(v, dict)] if isinstance(listed, list) else []


def variable_query(variable: dict) -> str:
    query = variable.get("query")
    if isinstance(query, dict):
        query = query.get("query")
    return query or variable.get("definition") or ""


def datasource_problem(where: str, datasource: object) -> str | None:
    if not (
        isinstance(datasource, dict)
        and datasource.get("type") == "prometheus"
        and isinstance(datasource.get("uid"), str)
    ):
        wanted = '{"type": "prometheus", "uid": ...}'
        return f"{where}: datasource must be {wanted}, not {json.dumps(datasource)}"
    return None


def dashboard_problems(name: str, dashboard: dict) -> list[str]:
    """What Grafana would refuse or show broken in one dashboard (classic JSON model)."""
    problems = []
    for key, kind in [
        ("title", str),
        ("uid", str),
        ("schemaVersion", int),
        ("panels", list),
        ("templating", dict),
    ]:
        if not isinstance(dashboard.get(key), kind):
            problems.append(f"{name}: `{key}` must be a {kind.__name__}")
    if isinstance(dashboard.get("uid"), str) and not UID.match(dashboard["uid"]):
        problems.append(f"{name}: uid {dashboard['uid']!r} must be 1-40 letters, digits, - or _")
    if (
        isinstance(dashboard.get("schemaVersion"), int)
        and dashboard["schemaVersion"] < MIN_SCHEMA_VERSION
    ):
        problems.append(
            f"{name}: schemaVersion {dashboard['schemaVersion']} is older than Grafana 10 "
            f"({MIN_SCHEMA_VERSION})"
        )
    if dashboard.get("id") is not None:
        problems.append(f"{name}: `id` must be null or absent (Grafana assigns it)")
    if not isinstance((dashboard.get("templating") or {}).get("list"), list):
        problems.append(f"{name}: `templating.list` must be a list")

    declared: dict[str, dict] = {}
    for variable in variables(dashboard):
        var_name = variable.get("name")
        where = f"{name}: variable {var_name!r}"
        if not isinstance(var_name, str) or not re.match(r"^\w+$", var_name):
            problems.append(f"{where}: `name` must be a word")
            continue
        if var_name in declared:
            problems.append(f"{where}: declared twice")
        declared[var_name] = variable
        if variable.get("type") not in VARIABLE_TYPES:
            problems.append(f"{where}: unknown type {variable.get('type')!r}")
        if variable.get("type") == "query":
            if problem := datasource_problem(where, variable.get("datasource")):
                problems.append(problem)
            if not LABEL_VALUES.match(variable_query(variable)):
                problems.append(
                    f"{where}: query must be label_values(...), not {variable_query(variable)!r}"
                )
            if variable.get("refresh") not in (1, 2):
                problems.append(f"{where}: refresh must be 1 (on load) or 2 (on time range change)")
    multi_value = {n for n, v in declared.items() if v.get("multi") or v.get("includeAll")}

    ids, grid_problem = set(), False
    for panel in all_panels(dashboard):
        title = panel.get("title")
        where = f"{name}: panel {title!r}"
        if not isinstance(title, str) or not title.strip():
            problems.append(f"{name}: a panel (id {panel.get('id')}) has no title")
        if panel.get("type") not in PANEL_TYPES:
            problems.append(f"{where}: unknown type {panel.get('type')!r}")
        if not isinstance(panel.get("id"), int) or panel["id"] in ids:
            problems.append(f"{where}: `id` must be an integer unique in the dashboard")
        ids.add(panel.get("id"))
        grid = panel.get("gridPos")
        if not (isinstance(grid, dict) and all(isinstance(grid.get(k), int) for k in "hwxy")):
            problems.append(f"{where}: gridPos must have integer h, w, x, y")
        elif grid["x"] + grid["w"] > 24 and not grid_problem:
            problems.append(f"{where}: gridPos reaches past the 24 columns")
            grid_problem = True
        if panel.get("type") in ("row", "text"):
            continue
        if problem := datasource_problem(where, panel.get("datasource")):
            problems.append(problem)
        targets = panel.get("targets")
        if not isinstance(targets, list) or not targets:
            problems.append(f"{where}: has no targets")
            continue
        ref_ids = set()
        for target in targets:
            ref_id = target.get("refId") if isinstance(target, dict) else None
            if not isinstance(ref_id, str) or ref_id in ref_ids:
                problems.append(f"{where}: each target needs a refId unique in the panel")
            ref_ids.add(ref_id)
            expr = target.get("expr") if isinstance(target, dict) else None
            if not isinstance(expr, str) or not expr.strip():
                problems.append(f"{where} [{ref_id}]: target has no `expr`")
                continue
            if problem := datasource_problem(f"{where} [{ref_id}]", target.get("datasource")):
                problems.append(problem)
            problems += variable_use_problems(f"{where} [{ref_id}]", expr, declared, multi_value)
    return problems


def variable_use_problems(
    where: str, expr: str, declared: dict[str, dict], multi_value: set[str]
) -> list[str]:
    """Unknown variables, and multi-value ones (sent as a regex: a|b) matched with = or !=."""
    problems = []
    for match in VARIABLE_REF.finditer(expr):
        var = next(group for group in match.groups() if group)
        if not var.startswith("__") and var not in declared:
            problems.append(f"{where}: uses ${var}, which the dashboard does not declare")
    for label, op, value in LABEL_MATCHER.findall(expr):
        used = {next(g for g in m.groups() if g) for m in VARIABLE_REF.finditer(value)}
        if op in ("=", "!=") and used & multi_value:
            problems.append(f'{where}: multi-value variable in {label}{op}"{value}" needs =~ or !~')
    return problems


def check_dashboards(dashboards_dir: Path) -> tuple[dict[str, dict], list[str]]:
    dashboards, problems = load_dashboards(dashboards_dir)
    seen_uids: dict[str, str] = {}
    for name, dashboard in dashboards.items():
        found = dashboard_problems(name, dashboard)
        uid = dashboard.get("uid")
        if isinstance(uid, str):
            if uid in seen_uids:
                found.append(f"{name}: uid {uid!r} is also the uid of {seen_uids[uid]}")
            seen_uids[uid] = name
        print(f"dashboard {name}: {'ok' if not found else 'FAILED'}")
        problems += found
    return dashboards, problems


# --- PromQL to run ------------------------------------------------------------------------------


def rule_expressions(path: Path) -> list[tuple[str, str]]:
    """(rule name, expr) of each rule of a rules file. A small reader for the usual layout (no YAML
    library here): `expr:` as a plain, quoted or block (| or >) scalar; check_rules compares the
    count with promtool's."""
    lines = path.read_text().splitlines()
    found, name, i = [], "?", 0
    while i < len(lines):
        line = lines[i]
        named = re.match(r"^\s*(?:-\s+)?(alert|record):\s*(.+?)\s*$", line)
        if named:
            name = named.group(2).strip("'\"")
        keyed = re.match(r"^(\s*)(?:-\s+)?expr:\s*(.*?)\s*$", line)
        i += 1
        if not keyed:
            continue
        # "- expr: ..." opens a list item: the key itself sits two columns further in.
        key_depth = len(keyed.group(1)) + (2 if line.lstrip().startswith("-") else 0)
        value = keyed.group(2)
        body = []
        while i < len(lines) and (
            not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > key_depth
        ):
            body.append(lines[i])
            i += 1
        if value[:1] in ("|", ">"):
            depth = min((len(b) - len(b.lstrip()) for b in body if b.strip()), default=0)
            expr = "\n".join(b[depth:] for b in body).strip()
        elif value[:1] == '"':
            expr = json.loads(" ".join([value, *(b.strip() for b in body)]))
        elif value[:1] == "'":
            expr = " ".join([value, *(b.strip() for b in body)])[1:-1].replace("''", "'")
        else:
            expr = " ".join(
                [re.sub(r"\s+#.*$", "", value), *(b.strip() for b in body if b.strip())]
            )
        found.append((name, expr))
    return found


@dataclass
class Operator:
    position: int
    end: int
    level: int  # 1: or, 2: and/unless, 3: comparison


def top_level_operators(expr: str) -> list[Operator]:
    """The set operators and comparisons outside any (), [], {}, string and # comment."""
    found, depth, i = [], 0, 0
    while i < len(expr):
        char = expr[i]
        if char == "#":
            newline = expr.find("\n", i)
            i = len(expr) if newline < 0 else newline
            continue
        if char in "\"'`":
            end = i + 1
            while end < len(expr) and expr[end] != char:
                end += 2 if expr[end] == "\\" else 1
            i = end + 1
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0:
            word = re.match(r"(or|and|unless)\b", expr[i:])
            if word and (i == 0 or not re.match(r"\w", expr[i - 1])):
                found.append(Operator(i, i + len(word.group(1)), 1 if word.group(1) == "or" else 2))
                i += len(word.group(1))
                continue
            comparison = re.match(r"==|!=|>=|<=|>|<", expr[i:])
            if comparison:
                found.append(Operator(i, i + len(comparison.group(0)), 3))
                i += len(comparison.group(0))
                continue
        i += 1
    return found


def strip_parentheses(expr: str) -> str:
    expr = expr.strip()
    while expr.startswith("(") and expr.endswith(")"):
        depth = 0
        for i, char in enumerate(expr):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and i < len(expr) - 1:
                return expr  # "(a) / (b)": the first ( closes before the end
        expr = expr[1:-1].strip()
    return expr


OPERATOR_MODIFIERS = re.compile(
    r"^\s*(?:bool\b)?\s*(?:(?:on|ignoring)\s*\([^)]*\))?"
    r"\s*(?:(?:group_left|group_right)\s*(?:\([^)]*\))?)?"
)


def alert_probes(expr: str) -> list[str]:
    """What must return series for an alert expression to be alive: each operand of its top-level
    set operators (or, and, unless) and comparisons, number literals left out. `up == 0` -> `up`."""
    expr = strip_parentheses(expr)
    operators = top_level_operators(expr)
    if not operators:
        return [expr]
    level = min(op.level for op in operators)
    operands, start = [], 0
    for op in (op for op in operators if op.level == level):
        operands.append(expr[start : op.position])
        start = op.end
    operands.append(expr[start:])
    probes = []
    for index, operand in enumerate(operands):
        if index:
            operand = OPERATOR_MODIFIERS.sub("", operand, count=1)
        if not NUMBER.match(strip_parentheses(operand)):
            probes += alert_probes(operand)
    return probes


# --- live check ---------------------------------------------------------------------------------


class PromQLError(Exception):
    pass


class Prometheus:
    def __init__(self, url: str, range_seconds: int, step_seconds: int) -> None:
        self.url = url.rstrip("/")
        self.range_seconds = range_seconds
        self.step_seconds = step_seconds

    def _get(self, path: str, params: list[tuple[str, str]]) -> object:
        query = urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=60) as response:
                body = json.load(response)
        except urllib.error.HTTPError as error:
            try:
                body = json.load(error)
            except ValueError:
                raise PromQLError(f"HTTP {error.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise PromQLError(f"Prometheus at {self.url} did not answer: {error}") from None
        if body.get("status") != "success":
            raise PromQLError(body.get("error") or "Prometheus refused the query")
        return body["data"]

    def _window(self) -> list[tuple[str, str]]:
        end = time.time()
        return [("start", f"{end - self.range_seconds:.3f}"), ("end", f"{end:.3f}")]

    def series_count(self, expr: str) -> int:
        data = self._get(
            "/api/v1/query_range",
            [("query", expr), *self._window(), ("step", str(self.step_seconds))],
        )
        return len(data["result"])

    def label_values(self, label: str, selector: str | None) -> list[str]:
        params = self._window() + ([("match[]", selector)] if selector else [])
        return sorted(self._get(f"/api/v1/label/{label}/values", params))


@dataclass
class Probe:
    source: str
    expr: str
    is_variable: bool = False
    series: int | None = None
    error: str | None = None
    gpu_only: bool = False

    @property
    def alive(self) -> bool:
        return self.error is None and (bool(self.series) or self.gpu_only)


def grafana_builtins(prometheus: Prometheus) -> dict[str, str]:
    seconds = prometheus.range_seconds
    return {
        "__rate_interval": "1m",
        "__interval": f"{prometheus.step_seconds}s",
        "__interval_ms": str(prometheus.step_seconds * 1000),
        "__range": f"{seconds}s",
        "__range_s": str(seconds),
        "__range_ms": str(seconds * 1000),
    }


def promql_string_content(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def promql_regex_literal(value: str) -> str:
    """`value` matched literally by a regex inside a PromQL string, as Grafana sends it."""
    return promql_string_content(re.sub(r"([\\^$*+?.()|{}\[\]])", r"\\\1", value))


def substitute(expr: str, values: dict[str, str]) -> str:
    return VARIABLE_REF.sub(lambda m: values.get(next(g for g in m.groups() if g), ".*"), expr)


def dashboard_probes(name: str, dashboard: dict, prometheus: Prometheus) -> list[Probe]:
    """The dashboard's variables (resolved in order through label_values) and its queries with
    the variables' values: each multi-value variable as the regex of all its values."""
    values = grafana_builtins(prometheus)
    probes = []
    for variable in variables(dashboard):
        if variable.get("type") != "query":
            continue
        query = variable_query(variable)
        probe = Probe(f"{name} › ${variable['name']}", query, is_variable=True)
        parts = LABEL_VALUES.match(query)
        found: list[str] = []
        if parts:
            selector = parts.group("selector")
            try:
                found = prometheus.label_values(
                    parts.group("label"), substitute(selector, values) if selector else None
                )
                probe.series = len(found)
            except PromQLError as error:
                probe.error = str(error)
        else:
            probe.error = "not a label_values(...) query"
        probes.append(probe)
        if not found:
            values[variable["name"]] = ".*"
        elif variable.get("multi") or variable.get("includeAll"):
            values[variable["name"]] = "(" + "|".join(promql_regex_literal(v) for v in found) + ")"
        else:
            values[variable["name"]] = promql_string_content(found[0])
    for panel in all_panels(dashboard):
        for target in panel.get("targets") or []:
            if isinstance(target, dict) and isinstance(target.get("expr"), str):
                probes.append(
                    Probe(
                        f"{name} › {panel.get('title')} [{target.get('refId')}]",
                        substitute(target["expr"], values),
                    )
                )
    return probes


def rule_probes(rules_dir: Path) -> list[Probe]:
    probes = []
    for path in sorted(rules_dir.glob("*.y*ml")):
        for name, expr in rule_expressions(path):
            parts = alert_probes(expr)
            for index, part in enumerate(parts):
                label = f" (operand {index + 1} of {len(parts)})" if len(parts) > 1 else ""
                probes.append(Probe(f"{path.name} › {name}{label}", part))
    return probes


def run_probes(probes: list[Probe], prometheus: Prometheus, has_gpus: bool) -> None:
    for probe in probes:
        if probe.is_variable:
            continue  # resolved while their dashboard's probes were made
        probe.error, probe.gpu_only = None, False
        try:
            probe.series = prometheus.series_count(probe.expr)
        except PromQLError as error:
            probe.error = str(error)
            continue
        probe.gpu_only = not probe.series and not has_gpus and bool(GPU_METRIC.search(probe.expr))


def seen_gpus(prometheus: Prometheus) -> bool:
    try:
        return prometheus.series_count("ray_node_gpus_available") > 0
    except PromQLError:
        return False


def print_table(probes: list[Probe]) -> None:
    print(f"\n{'status':<7} {'series':>6}  expression")
    for probe in probes:
        if probe.error:
            status, count = "ERROR", "-"
        elif probe.gpu_only:
            status, count = "no-gpu", "0"
        else:
            status, count = ("ok" if probe.series else "DEAD"), str(probe.series)
        print(f"{status:<7} {count:>6}  {probe.source}")
        print(f"{'':16}{' '.join(probe.expr.split())}")
        if probe.error:
            print(f"{'':16}error: {probe.error}")


def live_check(
    prometheus: Prometheus, dashboards: dict[str, dict], rules_dir: Path, wait_seconds: float
) -> list[str]:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            probes = [
                p for name, d in dashboards.items() for p in dashboard_probes(name, d, prometheus)
            ]
        except PromQLError as error:
            return [str(error)]
        probes += rule_probes(rules_dir)
        run_probes(probes, prometheus, seen_gpus(prometheus))
        dead = [p for p in probes if not p.alive]
        if not dead or time.monotonic() >= deadline:
            break
        print(f"{len(dead)} of {len(probes)} expressions return no series yet; trying again in 5 s")
        time.sleep(5)
    print_table(probes)
    if any(p.gpu_only for p in probes):
        print(
            "\nno-gpu: a query over GPU metrics, empty because this Prometheus has seen no GPU node"
        )
    return [
        f"{'error in' if p.error else 'no series from'} {p.source}: {' '.join(p.expr.split())}"
        + (f" ({p.error})" if p.error else "")
        for p in dead
    ]


# --- main ---------------------------------------------------------------------------------------


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())


def duration_seconds(text: str) -> int:
    match = re.fullmatch(r"(\d+)([smhd])", text)
    if not match:
        raise argparse.ArgumentTypeError(f"a duration like 30m or 2h, not {text!r}")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--prometheus", metavar="URL", help="also run every expression against this Prometheus"
    )
    parser.add_argument(
        "--range",
        type=duration_seconds,
        default=duration_seconds("1h"),
        metavar="DURATION",
        help="how far back the range queries look (default 1h)",
    )
    parser.add_argument(
        "--step", type=int, default=15, metavar="SECONDS", help="range query step (default 15)"
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="retry the expressions without series for up to this long (default 0)",
    )
    parser.add_argument("--rules", type=Path, default=RULES_DIR, metavar="DIR")
    parser.add_argument("--dashboards", type=Path, default=DASHBOARDS_DIR, metavar="DIR")
    parser.add_argument(
        "--prometheus-config",
        type=Path,
        default=PROMETHEUS_CONFIG,
        metavar="FILE",
        help="example Prometheus config to check ('' to skip)",
    )
    parser.add_argument(
        "--alertmanager-config",
        type=Path,
        default=ALERTMANAGER_CONFIG,
        metavar="FILE",
        help="Alertmanager config to check ('' to skip)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    promtool = shutil.which("promtool")
    if not promtool:
        print(
            "check_monitoring: promtool is missing: "
            "install Debian's prometheus package (scripts/bootstrap.sh)",
            file=sys.stderr,
        )
        return 2
    problems = check_rules(promtool, args.rules)
    if str(args.prometheus_config) not in ("", "."):
        problems += check_prometheus_config(promtool, args.prometheus_config)
    if str(args.alertmanager_config) not in ("", "."):
        problems += check_alertmanager_config(args.alertmanager_config)
    dashboards, dashboard_issues = check_dashboards(args.dashboards)
    problems += dashboard_issues
    if args.prometheus:
        print(
            "\nrunning every dashboard and rule expression against "
            f"{args.prometheus} (last {args.range}s)"
        )
        prometheus = Prometheus(args.prometheus, args.range, args.step)
        problems += live_check(prometheus, dashboards, args.rules, args.wait)
    if problems:
        print(f"\ncheck_monitoring: {len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print("\ncheck_monitoring: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
