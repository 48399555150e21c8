"""scripts/stack.sh for real: MLflow and a token-protected Ray head come up on loopback, a second
stack is refused, SIGTERM stops everything (no stray Ray or MLflow process), state survives; code
in a Ray job runs as an unprivileged user that cannot read the portal's state."""

import base64
import contextlib
import hashlib
import json
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STACK = REPO / "scripts" / "stack.sh"
READY = "stack: ready"

pytestmark = pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")

_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_status(url, token=None, body=None, basic=None):
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if basic is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(basic).encode()).decode()
    data = json.dumps(body).encode() if body is not None else None
    try:
        with _http.open(urllib.request.Request(url, data=data, headers=headers), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        ports = [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()
    # Ray reserves 10002-19999 for workers; the client server port must lie outside.
    assert all(not 10002 <= p <= 19999 for p in ports), ports
    return ports


def ray_temp_dir(data):
    """Where stack.sh puts Ray's sockets and session logs: a short path derived from MLOPS_DATA."""
    digest = hashlib.sha256(f"{os.getuid()}:{data.resolve()}".encode()).hexdigest()[:8]
    return f"/tmp/mlops-ray-{digest}"


def stack_processes(temp_dir, mlflow_port):
    """pid -> command line of the live processes of the stack under test: anything with the Ray
    temp dir in its arguments, or given `--port <MLflow port>` (`mlflow server` and uvicorn)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            raw = Path(f"/proc/{entry}/cmdline").read_bytes()
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        args = raw.decode(errors="replace").split("\0")
        on_mlflow_port = any(
            (a == "--port" and b == mlflow_port) or a == f"--port={mlflow_port}"
            for a, b in zip(args, [*args[1:], ""], strict=True)
        )
        if state != "Z" and (on_mlflow_port or any(temp_dir in a for a in args)):
            found[int(entry)] = " ".join(args)[:200]
    return found


def loopback_only(port):
    """True when something listens on `port` and only on 127.0.0.1 (IPv4 or v4-mapped IPv6)."""
    listeners = [
        cols[1]
        for table in ("/proc/net/tcp", "/proc/net/tcp6")
        for cols in (line.split() for line in Path(table).read_text().splitlines()[1:])
        if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port
    ]
    loopback = {f"0100007F:{port:04X}", f"0000000000000000FFFF00000100007F:{port:04X}"}
    return bool(listeners) and set(listeners) <= loopback


def start_stack(env, out_path, services):
    with open(out_path, "w") as out:
        return subprocess.Popen(
            [str(STACK), "--services", services],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def run_stack(env, services):
    return subprocess.run(
        [str(STACK), "--services", services],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def wait_for_ready(proc, out_path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = out_path.read_text()
        if READY in text:
            return text
        if proc.poll() is not None:
            pytest.fail(f"stack.sh exited with {proc.returncode} before it was ready:\n{text}")
        time.sleep(0.5)
    pytest.fail(f"stack.sh not ready within {timeout}s:\n{out_path.read_text()}")


def stop_stack(proc, out_path, timeout=45):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"stack.sh still running {timeout}s after SIGTERM:\n{out_path.read_text()}")
    text = out_path.read_text()
    assert proc.returncode == 0, text
    assert "stack: stopped" in text
    return text


def kill_everything(proc, temp_dir, mlflow_port):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for pid in stack_processes(temp_dir, mlflow_port):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(temp_dir, ignore_errors=True)


def assert_second_stack_refused(stack_env, other_data):
    second = run_stack(stack_env, "mlflow,ray")
    assert second.returncode != 0, second
    assert "already running" in second.stdout, second
    clash = run_stack({**stack_env, "MLOPS_DATA": str(other_data)}, "mlflow")
    assert clash.returncode != 0, clash
    assert f"port {stack_env['MLOPS_MLFLOW_PORT']} (mlflow" in clash.stdout, clash


@pytest.fixture
def stack_env(tmp_path):
    mlflow, dashboard, gcs, client, agent = free_ports(5)
    env = dict(os.environ)
    env.pop("RAY_ADDRESS", None)
    env.update(
        MLOPS_DATA=str(tmp_path / "data"),
        MLOPS_MLFLOW_PORT=str(mlflow),
        MLOPS_RAY_DASHBOARD_PORT=str(dashboard),
        MLOPS_RAY_GCS_PORT=str(gcs),
        MLOPS_RAY_CLIENT_PORT=str(client),
        MLOPS_RAY_AGENT_PORT=str(agent),
        # mlflow and ray from the interpreter running this test when the repo's .venv lacks them
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


def test_stack_runs_mlflow_and_ray_and_cleans_up(stack_env, tmp_path):
    data = Path(stack_env["MLOPS_DATA"])
    mlflow_port = stack_env["MLOPS_MLFLOW_PORT"]
    mlflow = f"http://127.0.0.1:{mlflow_port}"
    dashboard = f"http://127.0.0.1:{stack_env['MLOPS_RAY_DASHBOARD_PORT']}"
    token_path = data / "ray" / "auth_token"
    temp_dir = ray_temp_dir(data)
    out = tmp_path / "stack.out"

    proc = start_stack(stack_env, out, "mlflow,ray")
    try:
        text = wait_for_ready(proc, out, timeout=110)
        assert "Ray Dashboard" in text
        assert str(data / "logs") in text
        env_file = (data / "stack.env").read_text()
        written = dict(line.split("=", 1) for line in env_file.splitlines() if line[:1].isalpha())
        assert shlex.split(written["MLOPS_RAY_TEMP_DIR"]) == [temp_dir]
        assert (data / "stack.pid").read_text().strip() == str(proc.pid)

        token = token_path.read_text().strip()
        assert len(token) == 64
        assert token not in env_file
        assert token_path.stat().st_mode & 0o777 == 0o600

        assert http_status(f"{mlflow}/health")[0] == 200
        assert http_status(f"{dashboard}/api/version", token)[0] == 200
        assert http_status(f"{dashboard}/api/version")[0] in {401, 403}, "Ray let in no token"
        assert http_status(f"{dashboard}/api/version", "not-the-token")[0] in {401, 403}
        assert loopback_only(int(stack_env["MLOPS_RAY_GCS_PORT"])), "Ray GCS not on loopback only"

        created = {"name": "survives-restart"}
        create_url = f"{mlflow}/api/2.0/mlflow/experiments/create"
        assert http_status(create_url, body=created)[0] == 401, "MLflow let in no credentials"
        admin = (
            shlex.split(written["MLOPS_MLFLOW_USERNAME"])[0],
            Path(shlex.split(written["MLOPS_MLFLOW_PASSWORD_PATH"])[0]).read_text().strip(),
        )
        assert admin[1] not in env_file
        status, body = http_status(create_url, body=created, basic=admin)
        assert status == 200, body

        assert_second_stack_refused(stack_env, tmp_path / "other")

        assert stack_processes(temp_dir, mlflow_port), "the leftover check sees no running stack"
        text = stop_stack(proc, out)
        assert not (data / "stack.pid").exists()
        assert not (data / "stack.env").exists()
        left = stack_processes(temp_dir, mlflow_port)
        assert left == {}, f"processes left after SIGTERM: {left}\n{text}"

        proc = start_stack(stack_env, out, "mlflow")
        wait_for_ready(proc, out, timeout=110)
        assert token_path.read_text().strip() == token
        query = "experiments/get-by-name?experiment_name=survives-restart"
        status, body = http_status(f"{mlflow}/api/2.0/mlflow/{query}", basic=admin)
        assert status == 200, body
        text = stop_stack(proc, out)
        left = stack_processes(temp_dir, mlflow_port)
        assert left == {}, f"processes left after SIGTERM: {left}\n{text}"
    finally:
        kill_everything(proc, temp_dir, mlflow_port)


# What a job's code tries in the state folder: read the portal's secrets and databases, list the
# other jobs' folders, and write its own checkpoints.
PROBE = """
import json, os, pwd
data = os.environ["STATE"]
out = {"user": pwd.getpwuid(os.getuid()).pw_name, "reads": {}}
for name in ("ray/auth_token", "mlflow/mlflow.db", "logs/ray.log", "stack.env"):
    try:
        with open(os.path.join(data, name), "rb") as f:
            out["reads"][name] = "read " + repr(f.read(16))
    except OSError as error:
        out["reads"][name] = type(error).__name__
try:
    out["training"] = os.listdir(os.path.join(data, "training"))
except OSError as error:
    out["training"] = type(error).__name__
job = os.path.join(data, "training", "probe-job")
os.makedirs(job)
with open(os.path.join(job, "checkpoint"), "w") as f:
    f.write("weights")
out["job_folder_mode"] = oct(os.stat(job).st_mode & 0o777)
print("PROBE " + json.dumps(out), flush=True)
"""


def run_ray_job(dashboard, token, env_vars, timeout=120):
    """Submits `python -c $CODE` through the Ray Jobs API; returns its final status and log."""
    submission = f"probe-{os.getpid()}-{time.monotonic_ns()}"
    status, body = http_status(
        f"{dashboard}/api/jobs/",
        token,
        {
            "submission_id": submission,
            "entrypoint": "python -c \"import os; exec(os.environ['CODE'])\"",
            "runtime_env": {"env_vars": env_vars},
        },
    )
    assert status == 200, body
    deadline = time.monotonic() + timeout
    state = ""
    while state not in {"SUCCEEDED", "FAILED", "STOPPED"} and time.monotonic() < deadline:
        time.sleep(0.5)
        state = json.loads(http_status(f"{dashboard}/api/jobs/{submission}", token)[1])["status"]
    logs = json.loads(http_status(f"{dashboard}/api/jobs/{submission}/logs", token)[1])["logs"]
    return state, logs


@pytest.mark.skipif(os.getuid() != 0, reason="only root can run Ray as another user")
def test_ray_jobs_run_unprivileged_and_cannot_read_the_portal_state(stack_env, tmp_path):
    # Not under pytest's tmp_path, which other users cannot enter: the state folder's own modes
    # are what is tested.
    data = Path(tempfile.mkdtemp(prefix="mlops-stack-", dir="/tmp"))
    env = {**stack_env, "MLOPS_DATA": str(data)}
    dashboard = f"http://127.0.0.1:{env['MLOPS_RAY_DASHBOARD_PORT']}"
    temp_dir = ray_temp_dir(data)
    out = tmp_path / "stack.out"
    proc = start_stack(env, out, "mlflow,ray")
    try:
        text = wait_for_ready(proc, out, timeout=110)
        user = pwd.getpwnam(os.environ.get("MLOPS_RAY_USER", "mlops-ray"))
        assert f"Ray runs as the unprivileged user {user.pw_name}" in text
        ray_uids = {
            int(Path(f"/proc/{pid}/status").read_text().split("Uid:")[1].split()[0])
            for pid in stack_processes(temp_dir, "no-mlflow-port")
        }
        assert ray_uids == {user.pw_uid}
        assert stat_mode(data) == 0o711
        assert stat_mode(data / "training") == 0o1733
        assert stat_mode(data / "ray") == 0o700

        token = (data / "ray" / "auth_token").read_text().strip()
        state, logs = run_ray_job(dashboard, token, {"CODE": PROBE, "STATE": str(data)})
        assert state == "SUCCEEDED", logs
        probe = json.loads(logs.split("PROBE ", 1)[1].splitlines()[0])
        assert probe == {
            "user": user.pw_name,
            "reads": {
                "ray/auth_token": "PermissionError",
                "mlflow/mlflow.db": "PermissionError",
                "logs/ray.log": "PermissionError",
                "stack.env": "PermissionError",
            },
            "training": "PermissionError",
            "job_folder_mode": "0o700",
        }
        assert (data / "training" / "probe-job" / "checkpoint").read_text() == "weights"
        stop_stack(proc, out)
    finally:
        kill_everything(proc, temp_dir, env["MLOPS_MLFLOW_PORT"])
        shutil.rmtree(data, ignore_errors=True)


def stat_mode(path):
    return path.stat().st_mode & 0o7777
