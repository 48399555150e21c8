"""Fuzzes every route of the OpenAPI-first MLOps backend plugins with schemathesis, on a running
backend, signed in: each plugin's spec (plugins/*-backend/src/schema/openapi.yaml, `info.title` is
the plugin id) is run against <backend>/api/<plugin id> with generated valid and invalid requests.
Every answer must be no 5xx and conform to the spec (status code, content type, body schema).

Two passes per plugin: one with the ids of real resources in the path (DELETE routes left out), so
the routes' own logic runs on real data, then one with generated ids (the 404 and validation paths;
schemathesis also reuses ids it reads from list answers, and may delete those resources).
With --prepare it makes those resources first from a registered model of the user's (run it after
a training run, e.g. the browser test's): a deployment of it on Ray Serve with an API key, a drift
monitor with a check; it removes what is left of them at the end.

    scripts/fuzz_api.py --backend http://127.0.0.1:7007 [--max-examples 25] [--seed 1]

Signs in as the guest (the embedded default's sign-in) unless --token is given. Prints each
plugin's result and exits 1 naming the plugins with findings; the reports (JUnit and, on a
failure, schemathesis' own reproduction commands) are under --report-dir.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
]


def plugin_specs() -> list[tuple[str, Path]]:
    """(plugin id, spec) of every backend plugin with an OpenAPI spec."""
    specs = []
    for spec in sorted(ROOT.glob("plugins/*-backend/src/schema/openapi.yaml")):
        title = next(
            (
                line.split(":", 1)[1].strip().strip("'\"")
                for line in spec.read_text().splitlines()
                if line.startswith("  title:")
            ),
            None,
        )
        if not title:
            raise SystemExit(f"fuzz_api: {spec} has no info.title (the plugin id)")
        specs.append((title, spec))
    return specs


def guest_token(backend: str) -> str:
    request = urllib.request.Request(
        f"{backend}/api/auth/guest/refresh", headers={"X-Requested-With": "XMLHttpRequest"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["backstageIdentity"]["token"]


def get_json(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def first_id(url: str, token: str, key: str = "id") -> str | None:
    items = get_json(url, token).get("items") or []
    return str(items[0][key]) if items else None


def send(method: str, url: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        url,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        text = response.read()
        return json.loads(text) if text else {}


def prepare_resources(backend: str, token: str) -> list[str]:
    """A deployment (with a key) of the newest registered model of the user's jobs and a drift
    monitor of it (with a check); the URLs that remove them."""
    api = f"{backend}/api"
    jobs = get_json(f"{api}/experiments/jobs", token).get("items") or []
    trained = [job for job in jobs if job.get("registeredModel")]
    if not trained:
        raise SystemExit("fuzz_api: --prepare needs a job that registered a model; train one first")
    job = trained[0]
    deployment = send(
        "POST",
        f"{api}/serving/deployments",
        token,
        {
            "name": "fuzz-target",
            "modelName": job["registeredModel"]["name"],
            "modelVersion": job["registeredModel"]["version"],
            "cluster": job["config"]["cluster"],
            "cpus": 0.25,
            "reason": "scripts/fuzz_api.py",
        },
    )
    send("POST", f"{api}/serving/deployments/{deployment['id']}/keys", token, {"name": "fuzz"})
    monitor = send(
        "POST",
        f"{api}/drift/monitors",
        token,
        {"name": "fuzz-monitor", "deploymentId": deployment["id"]},
    )
    send("POST", f"{api}/drift/monitors/{monitor['id']}/checks", token, {})
    print(f"fuzz_api: made deployment {deployment['id']} and monitor {monitor['id']}", flush=True)
    return [
        f"{api}/drift/monitors/{monitor['id']}",
        f"{api}/serving/deployments/{deployment['id']}",
    ]


def existing_ids(backend: str, plugin: str, token: str) -> dict[str, str]:
    """Path parameters naming resources of the signed-in user, by schemathesis' `path.<name>`."""
    api = f"{backend}/api"
    found: dict[str, str | None] = {}
    if plugin == "serving":
        found["path.id"] = first_id(f"{api}/serving/deployments", token)
        if found["path.id"]:
            found["path.keyId"] = first_id(
                f"{api}/serving/deployments/{found['path.id']}/keys", token
            )
    elif plugin == "drift":
        found["path.id"] = first_id(f"{api}/drift/monitors", token)
        if found["path.id"]:
            found["path.checkId"] = first_id(
                f"{api}/drift/monitors/{found['path.id']}/checks", token
            )
    elif plugin == "monitoring":
        found["path.name"] = first_id(f"{api}/ray-clusters/clusters", token, "name")
        found["path.id"] = first_id(f"{api}/experiments/jobs", token)
    return {key: value for key, value in found.items() if value}


def fuzz(
    plugin: str,
    spec: Path,
    args: argparse.Namespace,
    token: str,
    parameters: dict[str, str] | None = None,
) -> int:
    report_dir = Path(args.report_dir) / plugin / ("existing" if parameters else "generated")
    report_dir.mkdir(parents=True, exist_ok=True)
    config = report_dir / "schemathesis.toml"
    config.write_text(
        "[parameters]\n"
        + "".join(f"{json.dumps(key)} = {json.dumps(value)}\n" for key, value in (parameters or {}).items())
    )
    argv = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        str(spec),
        "--url",
        f"{args.backend}/api/{plugin}",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--phases",
        "examples,coverage,fuzzing",
        "--suppress-health-check",
        "all",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir),
        "--no-color",
        "--output-sanitize",
        "true",
        *(["--exclude-method", "DELETE"] if parameters else []),
    ]
    print(
        f"fuzz_api: {plugin}: {spec.relative_to(ROOT)} -> {args.backend}/api/{plugin}"
        + (f" with {parameters}" if parameters else ""),
        flush=True,
    )
    # schemathesis keeps its example database in the working directory: the report folder.
    return subprocess.run(argv, check=False, cwd=report_dir).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", required=True, help="the backend's base URL")
    parser.add_argument("--token", help="a Backstage token (default: sign in as the guest)")
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--report-dir", default=str(Path(tempfile.gettempdir()) / "mlops-fuzz-reports")
    )
    parser.add_argument("--plugin", action="append", help="only these plugin ids")
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="make a deployment and a drift monitor to fuzz on (removed at the end)",
    )
    args = parser.parse_args(argv)
    args.backend = args.backend.rstrip("/")
    token = args.token or guest_token(args.backend)
    made = prepare_resources(args.backend, token) if args.prepare else []
    try:
        failed = fuzz_all(args, token)
    finally:
        for url in made:
            try:
                send("DELETE", url, token)
            except urllib.error.HTTPError as error:
                if error.code != 404:  # the generated pass may have deleted it already
                    print(f"fuzz_api: could not remove {url}: {error}", file=sys.stderr)
    if failed:
        print(f"\nfuzz_api: findings in {', '.join(failed)} (see above)", file=sys.stderr)
        return 1
    print("\nfuzz_api: every route answered without 5xx and as its spec says")
    return 0


def fuzz_all(args: argparse.Namespace, token: str) -> list[str]:
    failed = []
    for plugin, spec in plugin_specs():
        if args.plugin and plugin not in args.plugin:
            continue
        # Real ids first: the generated pass finds them too (schemathesis reuses ids from list
        # answers) and may delete them.
        parameters = existing_ids(args.backend, plugin, token)
        if parameters and fuzz(plugin, spec, args, token, parameters) != 0:
            failed.append(f"{plugin} (existing resources)")
        if fuzz(plugin, spec, args, token) != 0:
            failed.append(plugin)
    return failed


if __name__ == "__main__":
    sys.exit(main())
