"""Supervisor of the embedded stack; run it through scripts/stack.sh, which sets the environment.

Starts MLflow, Prometheus, a local Ray head, the Backstage backend and the app dev server on
loopback, each in
its own process group, waits for each to be healthy, then watches them. Ctrl-C, SIGTERM, SIGHUP or
any service exiting stops all of them in reverse order. Everything it creates is private (umask
077); Ray runs as an unprivileged user when the supervisor is root (ray_user.py). Standard library
only.
"""

import argparse
import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ray_user
from ray_user import IsolationError, RayUser

ALL_SERVICES = ["mlflow", "prometheus", "ray", "n8n", "backend", "app"]
# Started only when named in --services: an S3 server (moto) for the S3 object store driver.
OPTIONAL_SERVICES = ["s3"]
KNOWN_SERVICES = ["s3", *ALL_SERVICES]
STOP_GRACE_S = 20
LOG_TAIL_LINES = 30
# MLflow's admin user: the portal's backend (its password is in MLOPS_DATA/keys).
MLFLOW_ADMIN_USER = "portal"
HEALTH_TIMEOUTS_S = {
    "s3": 60, "mlflow": 120, "prometheus": 60, "ray": 120, "n8n": 180, "backend": 600, "app": 600
}
# n8n's owner (created from the environment; its password is in MLOPS_DATA/keys) and the webhook
# of the shipped drift workflow (deploy/n8n/drift-detected.json).
N8N_OWNER_EMAIL = "owner@mlops.localhost"
N8N_DRIFT_WEBHOOK_PATH = "webhook/mlops-drift-detected"
PR_SET_PDEATHSIG = 1


def out(text: str = "", end: str = "\n") -> None:
    with contextlib.suppress(OSError):  # the terminal went away (SIGHUP): keep stopping services
        print(text, end=end, flush=True)


def say(message: str) -> None:
    out(f"stack: {message}")


class StackError(Exception):
    pass


@dataclass
class Service:
    name: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    health_url: str
    ports: list[tuple[int, str]]
    # Run as this user (with its group only) instead of the supervisor's.
    user: RayUser | None = None
    health_headers: Callable[[], dict[str, str]] = dict
    # Also required in the log before the service counts as healthy.
    ready_marker: str | None = None
    # `ray start --block` drains and stops its own children on SIGTERM; signalling the whole group
    # at once kills the GCS first and turns that into a 30 s timeout.
    signal_leader_first: bool = False
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    log_path: Path | None = None


@dataclass
class Config:
    root: Path
    data: Path
    app_port: int
    backend_port: int
    mlflow_port: int
    ray_dashboard_port: int
    ray_gcs_port: int
    ray_client_port: int
    ray_agent_port: int
    ray_object_store_bytes: int
    s3_port: int = 9000
    prometheus_port: int = 9090
    backend_metrics_port: int = 9464
    n8n_port: int = 5678
    n8n_runner_port: int = 5679
    stack_id: str = ""
    ray_temp_dir: Path = field(default_factory=Path)

    @classmethod
    def from_env(cls) -> "Config":
        env = os.environ

        def port(name: str) -> int:
            try:
                return int(env[name])
            except (KeyError, ValueError):
                msg = f"{name} must be a port number (scripts/lib/env.sh sets it)"
                raise StackError(msg) from None

        cfg = cls(
            root=Path(env["MLOPS_ROOT"]),
            data=Path(env["MLOPS_DATA"]).resolve(),
            app_port=port("MLOPS_APP_PORT"),
            backend_port=port("MLOPS_BACKEND_PORT"),
            mlflow_port=port("MLOPS_MLFLOW_PORT"),
            ray_dashboard_port=port("MLOPS_RAY_DASHBOARD_PORT"),
            ray_gcs_port=port("MLOPS_RAY_GCS_PORT"),
            ray_client_port=port("MLOPS_RAY_CLIENT_PORT"),
            ray_agent_port=port("MLOPS_RAY_AGENT_PORT"),
            ray_object_store_bytes=int(env.get("MLOPS_RAY_OBJECT_STORE_BYTES", 1_000_000_000)),
            s3_port=port("MLOPS_S3_PORT") if "MLOPS_S3_PORT" in env else 9000,
            prometheus_port=port("MLOPS_PROMETHEUS_PORT"),
            backend_metrics_port=port("MLOPS_BACKEND_METRICS_PORT"),
            n8n_port=port("MLOPS_N8N_PORT") if "MLOPS_N8N_PORT" in env else 5678,
            n8n_runner_port=(
                port("MLOPS_N8N_RUNNER_PORT") if "MLOPS_N8N_RUNNER_PORT" in env else 5679
            ),
        )
        # One id per (user, state folder): names the Ray temp dir and marks every process of this
        # stack (MLOPS_STACK_ID in its environment), so cleanup never touches anybody else's.
        cfg.stack_id = hashlib.sha256(f"{os.getuid()}:{cfg.data}".encode()).hexdigest()[:8]
        # Ray puts unix sockets under its temp dir and sockets have a ~107 byte path limit, so the
        # temp dir lives under a short /tmp path rather than in MLOPS_DATA (the repo may be cloned
        # deep). Nothing there needs to survive a restart: token and state are in MLOPS_DATA.
        cfg.ray_temp_dir = Path(f"/tmp/mlops-ray-{cfg.stack_id}")
        return cfg

    @property
    def logs(self) -> Path:
        return self.data / "logs"

    @property
    def token_path(self) -> Path:
        return self.data / "ray" / "auth_token"

    @property
    def download_key_path(self) -> Path:
        return self.data / "keys" / "dataset_download_signing_key"

    @property
    def mlflow_password_path(self) -> Path:
        """The password of MLflow's admin user (MLFLOW_ADMIN_USER), which the backend uses."""
        return self.data / "keys" / "mlflow_admin_password"

    @property
    def ray_token_copy(self) -> Path:
        """The token as the Ray head reads it: a copy the Ray user owns, in its temp dir."""
        return self.ray_temp_dir / "auth_token"

    @property
    def ray_sessions(self) -> Path:
        """Ray's --temp-dir. Ray makes it and its folders world-writable (0777), so it lies in
        ray_temp_dir, which only the Ray user may enter."""
        return self.ray_temp_dir / "ray"

    @property
    def ray_own_dirs(self) -> dict[str, Path]:
        return {
            "HOME": self.ray_temp_dir / "home",
            "TMPDIR": self.ray_temp_dir / "tmp",
            "spill": self.ray_temp_dir / "spill",
            "sessions": self.ray_sessions,
        }

    @property
    def n8n_webhook_secret_path(self) -> Path:
        """The secret that signs the portal's deliveries to n8n, which its workflows check."""
        return self.data / "keys" / "n8n_webhook_secret"

    @property
    def n8n_url(self) -> str:
        return f"http://127.0.0.1:{self.n8n_port}"

    @property
    def pid_path(self) -> Path:
        return self.data / "stack.pid"

    @property
    def env_path(self) -> Path:
        return self.data / "stack.env"

    @property
    def urls(self) -> dict[str, str]:
        return {
            "MLOPS_PORTAL_URL": f"http://localhost:{self.app_port}",
            "MLOPS_BACKEND_URL": f"http://localhost:{self.backend_port}",
            "MLOPS_MLFLOW_URL": f"http://127.0.0.1:{self.mlflow_port}",
            "MLOPS_RAY_DASHBOARD_URL": f"http://127.0.0.1:{self.ray_dashboard_port}",
            "MLOPS_RAY_ADDRESS": f"127.0.0.1:{self.ray_gcs_port}",
            "MLOPS_PROMETHEUS_URL": f"http://127.0.0.1:{self.prometheus_port}",
        }

    @property
    def prometheus_targets(self) -> Path:
        """File-based service discovery: one JSON file of scrape targets per Ray cluster that the
        portal starts (written by the local cluster driver)."""
        return self.data / "prometheus" / "targets"

    @property
    def s3_url(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    def ray_client_env(self) -> dict[str, str]:
        """What a Ray driver or `ray` CLI on this machine needs to reach the local head."""
        return {
            "RAY_AUTH_MODE": "token",
            "RAY_AUTH_TOKEN_PATH": str(self.token_path),
            # On Linux Ray replaces 127.0.0.1 (even an explicit --node-ip-address) with the
            # machine's routable IP and binds GCS/raylet on it; this keeps everything on loopback.
            "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        }


# ---------------------------------------------------------------- processes and ports (via /proc)


def proc_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def read_proc(pid: int, name: str) -> bytes:
    try:
        with open(f"/proc/{pid}/{name}", "rb") as f:
            return f.read()
    except OSError:
        return b""


def cmdline(pid: int) -> str:
    return read_proc(pid, "cmdline").replace(b"\0", b" ").decode(errors="replace").strip()


def ancestors() -> set[int]:
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        stat = read_proc(pid, "stat").decode(errors="replace")
        try:
            pid = int(stat.rsplit(")", 1)[1].split()[1])
        except (IndexError, ValueError):
            break
    return pids


def stack_processes(cfg: Config) -> list[int]:
    """Live processes that belong to this stack, including ones that left their process group."""
    marker = f"MLOPS_STACK_ID={cfg.stack_id}".encode()
    temp_dir = str(cfg.ray_temp_dir).encode()
    mine, skip = [], ancestors()
    for pid in proc_pids():
        if pid in skip:
            continue
        stat = read_proc(pid, "stat")
        if not stat or stat.rsplit(b")", 1)[-1].split()[0] == b"Z":
            continue
        environ = read_proc(pid, "environ").split(b"\0")
        if marker in environ or temp_dir in read_proc(pid, "cmdline"):
            mine.append(pid)
    return mine


def port_owner(port: int) -> str:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if int(cols[1].rsplit(":", 1)[1], 16) == port and cols[3] == "0A":
                inodes.add(f"socket:[{cols[9]}]")
    for pid in proc_pids():
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return f"pid {pid}: {cmdline(pid)[:120]}"
            except OSError:
                continue
    return "a process this user cannot see (try: ss -ltnp)"


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def free_port() -> int:
    """A port the system just gave out and took back: free unless somebody takes it meanwhile."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def die_with_parent() -> None:
    # If the supervisor itself is killed with SIGKILL, the service leaders still get SIGTERM.
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


# ---------------------------------------------------------------- state


class PidLock:
    """stack.pid, held with flock: a crashed supervisor never leaves a lock behind."""

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> None:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                other = os.read(fd, 32).decode(errors="replace").strip() or "?"
                os.close(fd)
                raise StackError(
                    f"the stack for {self.path.parent} is already running (pid {other}). Stop it "
                    f"with Ctrl-C in its terminal or `kill {other}`, or use another MLOPS_DATA."
                ) from None
            try:
                same_file = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same_file = False
            if same_file:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(self.fd)
            self.fd = None


def ensure_secret(path: Path, what: str) -> str:
    """The secret in `path` (0600, in a 0700 folder), generated on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    try:
        secret = path.read_text().strip()
    except FileNotFoundError:
        secret = ""
    if not secret:
        secret = secrets.token_hex(32)
        tmp = path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secret + "\n")
        tmp.replace(path)
        say(f"generated {what} in {path}")
    os.chmod(path, 0o600)
    return secret


def ensure_token(cfg: Config) -> str:
    return ensure_secret(cfg.token_path, "a Ray auth token")


def prepare_ray_temp_dir(cfg: Config, user: RayUser) -> None:
    """Ray's temp dir, the Ray user's own (0700), with a HOME, TMPDIR and spill folder in it."""
    folder = cfg.ray_temp_dir
    folder.mkdir(mode=0o700, exist_ok=True)
    st = folder.lstat()
    if st.st_uid not in (os.getuid(), user.uid) or not stat.S_ISDIR(st.st_mode):
        raise StackError(f"{folder} exists and is not a directory of yours; remove it")
    if st.st_uid != user.uid:
        # Left by a stack that ran Ray as another user; nothing in it needs to survive.
        shutil.rmtree(folder)
        folder.mkdir(mode=0o700)
    ray_user.make_owned_dirs(user, folder, *cfg.ray_own_dirs.values())
    os.chmod(folder, 0o700)
    sessions = sorted(cfg.ray_sessions.glob("session_2*"), key=lambda p: p.lstat().st_mtime)
    for old in sessions[:-2]:
        shutil.rmtree(old, ignore_errors=True)


def write_stack_env(cfg: Config, names: list[str], user: RayUser | None) -> None:
    values = {
        "MLOPS_STACK_PID": str(os.getpid()),
        "MLOPS_STACK_SERVICES": ",".join(names),
        "MLOPS_DATA": str(cfg.data),
        "MLOPS_APP_PORT": str(cfg.app_port),
        "MLOPS_BACKEND_PORT": str(cfg.backend_port),
        "MLOPS_MLFLOW_PORT": str(cfg.mlflow_port),
        "MLOPS_RAY_DASHBOARD_PORT": str(cfg.ray_dashboard_port),
        "MLOPS_RAY_GCS_PORT": str(cfg.ray_gcs_port),
        "MLOPS_RAY_CLIENT_PORT": str(cfg.ray_client_port),
        "MLOPS_RAY_AGENT_PORT": str(cfg.ray_agent_port),
        "MLOPS_PROMETHEUS_PORT": str(cfg.prometheus_port),
        "MLOPS_BACKEND_METRICS_PORT": str(cfg.backend_metrics_port),
        **cfg.urls,
        "MLOPS_RAY_TOKEN_PATH": str(cfg.token_path),
        "MLOPS_RAY_TEMP_DIR": str(cfg.ray_temp_dir),
        "MLOPS_LOGS": str(cfg.logs),
        **cfg.ray_client_env(),
    }
    if user is not None:
        values["MLOPS_RAY_USER"] = user.name
    if "mlflow" in names:
        values["MLOPS_MLFLOW_USERNAME"] = MLFLOW_ADMIN_USER
        values["MLOPS_MLFLOW_PASSWORD_PATH"] = str(cfg.mlflow_password_path)
    if "s3" in names:
        values["MLOPS_S3_PORT"] = str(cfg.s3_port)
        values["MLOPS_S3_URL"] = cfg.s3_url
    if "n8n" in names:
        values["MLOPS_N8N_PORT"] = str(cfg.n8n_port)
        values["MLOPS_N8N_URL"] = cfg.n8n_url
        values["MLOPS_N8N_WEBHOOK_SECRET_PATH"] = str(cfg.n8n_webhook_secret_path)
        values["MLOPS_N8N_OWNER_EMAIL"] = N8N_OWNER_EMAIL
        values["MLOPS_N8N_OWNER_PASSWORD_PATH"] = str(cfg.data / "keys" / "n8n_owner_password")
    lines = [
        "# Written by scripts/stack.sh while the stack is up; removed when it stops.",
        "# Shell syntax (set -a; . stack.env; set +a). The Ray token is in MLOPS_RAY_TOKEN_PATH, the",
        "# password of MLflow's admin user in MLOPS_MLFLOW_PASSWORD_PATH.",
    ]
    lines += [f"{key}={shlex.quote(value)}" for key, value in values.items()]
    tmp = cfg.env_path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(cfg.env_path)


# ---------------------------------------------------------------- services


def tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise StackError(f"`{name}` is not installed; run scripts/bootstrap.sh or start.sh")
    return path


def base_environment(cfg: Config) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("RAY_ADDRESS", "RAY_AUTH_TOKEN", "MLOPS_RAY_TOKEN"):
        env.pop(var, None)
    for var in ("NO_PROXY", "no_proxy"):
        env[var] = ",".join(filter(None, [env.get(var), "127.0.0.1,localhost,::1"]))
    env.update(cfg.urls)
    env.update(
        MLOPS_STACK_ID=cfg.stack_id,
        MLOPS_DATA=str(cfg.data),
        MLOPS_RAY_TOKEN_PATH=str(cfg.token_path),
        PYTHONUNBUFFERED="1",
    )
    return env


def ensure_mlflow_password(cfg: Config) -> str:
    """The MLflow admin password. MLflow reads it only when it creates the admin user, into an
    auth database that has none: a database left without its password is started afresh (the
    backend creates the team users and their grants again)."""
    auth_db = cfg.data / "mlflow" / "basic_auth.db"
    if not cfg.mlflow_password_path.exists() and auth_db.exists():
        say(f"{cfg.mlflow_password_path} is missing: starting MLflow's user database afresh")
        auth_db.unlink()
    return ensure_secret(cfg.mlflow_password_path, "the MLflow admin password")


def write_mlflow_auth_config(cfg: Config, home: Path) -> Path:
    """MLflow's basic-auth settings (the admin password goes in the environment, not here)."""
    path = home / "basic_auth.ini"
    lines = [
        "# Written by scripts/stack.sh at each start.",
        "[mlflow]",
        # Nobody but the admin sees what they did not create or were not granted.
        "default_permission = NO_PERMISSIONS",
        f"database_uri = sqlite:///{home / 'basic_auth.db'}",
        f"admin_username = {MLFLOW_ADMIN_USER}",
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
        "grant_default_workspace_access = false",
        # Checking a password costs MLflow a scrypt hash per request; a checked one is trusted
        # for a minute (one worker: a password change through the API takes effect at once).
        "auth_cache_ttl_seconds = 60",
    ]
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")
    tmp.replace(path)
    return path


def mlflow_service(cfg: Config, env: dict[str, str]) -> Service:
    home = cfg.data / "mlflow"
    (home / "artifacts").mkdir(parents=True, exist_ok=True)
    port = cfg.mlflow_port
    password = ensure_mlflow_password(cfg)
    auth_config = write_mlflow_auth_config(cfg, home)
    # fmt: off
    argv = [
        tool("mlflow"), "server",
        # MLflow's own authentication: HTTP Basic, the portal's admin user and one user per team
        # (the experiments backend creates them), nothing readable without a grant.
        "--app-name", "basic-auth",
        "--backend-store-uri", f"sqlite:///{home / 'mlflow.db'}",
        "--serve-artifacts", "--artifacts-destination", str(home / "artifacts"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        # MLflow 3 answers 403 to a Host header that is not allowed and to cross-origin API
        # calls from origins not listed (localhost origins always pass).
        "--allowed-hosts", f"127.0.0.1:{port},localhost:{port},[::1]:{port},127.0.0.1,localhost",
        "--cors-allowed-origins", f"http://localhost:{cfg.app_port},http://127.0.0.1:{cfg.app_port}",
    ]
    # fmt: on
    return Service(
        name="mlflow",
        argv=argv,
        cwd=home,
        # Job execution only serves MLflow's GenAI features (judges, prompt optimization) and
        # costs seven huey consumer processes of ~230 MB each.
        env={
            **env,
            "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
            "MLFLOW_AUTH_CONFIG_PATH": str(auth_config),
            "MLFLOW_AUTH_ADMIN_PASSWORD": password,
            # Signs the CSRF tokens of MLflow's sign-up and user pages; kept across restarts.
            "MLFLOW_FLASK_SERVER_SECRET_KEY": ensure_secret(
                cfg.data / "keys" / "mlflow_flask_secret_key", "MLflow's Flask secret key"
            ),
        },
        # /health answers without credentials.
        health_url=f"http://127.0.0.1:{port}/health",
        ports=[(port, "MLOPS_MLFLOW_PORT")],
    )


def s3_service(cfg: Config, env: dict[str, str]) -> Service:
    """An S3-protocol server (moto) on loopback; its buckets live in memory until it stops."""
    home = cfg.data / "s3"
    home.mkdir(parents=True, exist_ok=True)
    return Service(
        name="s3",
        argv=[tool("moto_server"), "-H", "127.0.0.1", "-p", str(cfg.s3_port)],
        cwd=home,
        env=env,
        # Unsigned ListBuckets: moto answers 200 once it serves requests.
        health_url=f"{cfg.s3_url}/",
        ports=[(cfg.s3_port, "MLOPS_S3_PORT")],
    )


def prometheus_config(cfg: Config, names: list[str]) -> dict:
    """Scrape jobs: the stack's Ray head (through the service-discovery file Ray writes in its temp
    dir), the Ray clusters the portal starts (cfg.prometheus_targets) and the backend's metrics
    endpoint. Every Ray series carries the portal's cluster name in `ray_cluster`."""
    scrape_configs: list[dict] = [
        {
            "job_name": "ray",
            # Ray's file is a link into its session folder, whose rewrites inotify does not see.
            "file_sd_configs": [
                {
                    "files": [str(cfg.ray_sessions / "prom_metrics_service_discovery.json")],
                    "refresh_interval": "5s",
                }
            ],
            "relabel_configs": [
                {"target_label": "ray_cluster", "replacement": "local", "action": "replace"}
            ],
        },
        {
            "job_name": "ray-clusters",
            "file_sd_configs": [{"files": [str(cfg.prometheus_targets / "*.json")]}],
        },
    ]
    if "backend" in names:
        scrape_configs.append(
            {
                "job_name": "portal-backend",
                "static_configs": [{"targets": [f"127.0.0.1:{cfg.backend_metrics_port}"]}],
            }
        )
    rules = cfg.root / "deploy" / "monitoring" / "prometheus" / "rules"
    return {
        "global": {"scrape_interval": "5s", "evaluation_interval": "15s"},
        "rule_files": [str(rules / "*.yml")],
        "scrape_configs": scrape_configs,
    }


def prometheus_service(cfg: Config, env: dict[str, str], names: list[str]) -> Service:
    home = cfg.data / "prometheus"
    cfg.prometheus_targets.mkdir(parents=True, exist_ok=True)
    config_path = home / "prometheus.yml"
    # JSON is YAML: no YAML library in the supervisor (standard library only).
    config_path.write_text(
        "# Written by scripts/stack.sh at each start.\n"
        + json.dumps(prometheus_config(cfg, names), indent=2)
        + "\n"
    )
    port = cfg.prometheus_port
    # fmt: off
    argv = [
        tool("prometheus"),
        "--config.file", str(config_path),
        "--storage.tsdb.path", str(home / "data"),
        "--storage.tsdb.retention.time", "15d",
        "--web.listen-address", f"127.0.0.1:{port}",
    ]
    # fmt: on
    return Service(
        name="prometheus",
        argv=argv,
        cwd=home,
        env={key: value for key, value in env.items() if not key.startswith("APP_CONFIG_")},
        health_url=f"http://127.0.0.1:{port}/-/ready",
        ports=[(port, "MLOPS_PROMETHEUS_PORT")],
    )


def n8n_workflow_ids(folder: Path) -> list[str]:
    """The ids of the shipped workflows, which the stack publishes (activates) after importing."""
    return [json.loads(path.read_text())["id"] for path in sorted(folder.glob("*.json"))]


def n8n_service(cfg: Config) -> Service:
    """n8n on loopback, state in MLOPS_DATA/n8n, owner from the environment, telemetry and every
    outbound call off. The workflows of deploy/n8n are imported and published before it starts
    (both edit its database, which a running n8n does not re-read)."""
    tools = Path(os.environ.get("MLOPS_TOOLS", cfg.root / ".tools"))
    n8n = tools / "n8n" / "node_modules" / ".bin" / "n8n"
    if not n8n.exists():
        raise StackError(f"n8n is not installed ({n8n}); run scripts/bootstrap.sh")
    home = cfg.data / "n8n"
    home.mkdir(parents=True, exist_ok=True)
    os.chmod(home, 0o700)
    password = ensure_secret(cfg.data / "keys" / "n8n_owner_password", "n8n's owner password")
    # n8n takes the owner's password as a bcrypt hash; bcryptjs comes with it. The password goes
    # through the environment: a command line is readable by every local user (the Ray user).
    hash_password = "process.stdout.write(require('bcryptjs').hashSync(process.env.PASSWORD, 10))"
    hashed = subprocess.run(
        [tool("node"), "-e", hash_password],
        env={"PATH": os.environ["PATH"], "PASSWORD": password},
        cwd=tools / "n8n" / "node_modules" / "n8n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    workflows = cfg.root / "deploy" / "n8n"
    env = {
        # Only what n8n needs: its Code nodes may read their environment ($env).
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "N8N_USER_FOLDER": str(home),
        "N8N_LISTEN_ADDRESS": "127.0.0.1",
        "N8N_HOST": "127.0.0.1",
        "N8N_PORT": str(cfg.n8n_port),
        "N8N_PROTOCOL": "http",
        "N8N_WEBHOOK_URL": f"{cfg.n8n_url}/",
        "N8N_SECURE_COOKIE": "false",
        "N8N_ENCRYPTION_KEY": ensure_secret(
            cfg.data / "keys" / "n8n_encryption_key", "n8n's encryption key"
        ),
        "N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS": "true",
        "N8N_INSTANCE_OWNER_MANAGED_BY_ENV": "true",
        "N8N_INSTANCE_OWNER_EMAIL": N8N_OWNER_EMAIL,
        "N8N_INSTANCE_OWNER_FIRST_NAME": "MLOps",
        "N8N_INSTANCE_OWNER_LAST_NAME": "Portal",
        "N8N_INSTANCE_OWNER_PASSWORD_HASH": hashed,
        "N8N_RUNNERS_BROKER_LISTEN_ADDRESS": "127.0.0.1",
        "N8N_RUNNERS_BROKER_PORT": str(cfg.n8n_runner_port),
        # No calls to n8n's servers (none are reachable here): telemetry, version checks,
        # templates, banners, community packages, AI, licence renewal, the MCP registry.
        **{
            f"N8N_{name}_ENABLED": "false"
            for name in [
                "DIAGNOSTICS", "VERSION_NOTIFICATIONS", "VERSION_NOTIFICATIONS_WHATS_NEW",
                "TEMPLATES", "PERSONALIZATION", "HIRING_BANNER", "DYNAMIC_BANNERS",
                "COMMUNITY_PACKAGES", "AI", "LICENSE_AUTO_RENEW", "PYTHON",
            ]
        },
        "N8N_DISABLED_MODULES": "mcp-registry",
        # The shipped workflows check the portal's signature in a Code node.
        "N8N_BLOCK_ENV_ACCESS_IN_NODE": "false",
        "NODE_FUNCTION_ALLOW_BUILTIN": "crypto",
        "MLOPS_N8N_WEBHOOK_SECRET": ensure_secret(
            cfg.n8n_webhook_secret_path, "the secret of the portal's n8n webhooks"
        ),
    }
    publish = " && ".join(
        f'"$N8N" publish:workflow --id={shlex.quote(i)}' for i in n8n_workflow_ids(workflows)
    )
    script = (
        f'"$N8N" import:workflow --separate --input={shlex.quote(str(workflows))}'
        + (f" && {publish}" if publish else "")
        + ' && exec "$N8N" start'
    )
    return Service(
        name="n8n",
        argv=["/bin/sh", "-c", script],
        cwd=home,
        env={**env, "N8N": str(n8n)},
        # /healthz answers before the webhooks are registered; readiness after.
        health_url=f"{cfg.n8n_url}/healthz/readiness",
        ports=[(cfg.n8n_port, "MLOPS_N8N_PORT"), (cfg.n8n_runner_port, "MLOPS_N8N_RUNNER_PORT")],
    )


def check_ray_can_run(cfg: Config, user: RayUser) -> None:
    """Tries what the Ray head will do as its user: run the venv's Python and import Ray and
    the runtime's sources. A folder on the way that only root may enter stops it."""
    if not user.isolated:
        return
    python = Path(tool("ray")).with_name("python")
    runtime = cfg.root / "runtime" / "src"
    try:
        probe = subprocess.run(
            [str(python), "-c", "import ray, mlops_runtime"],
            cwd="/",
            env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(runtime)},
            user=user.uid,
            group=user.gid,
            extra_groups=[],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        why = (probe.stderr.strip().splitlines() or ["no output"])[-1] if probe.returncode else ""
    except OSError as error:
        why = f"{error.strerror}: {error.filename}"
    if why:
        raise StackError(
            f"Ray runs as the user {user.name}, which cannot run {python} with the runtime in "
            f"{runtime} ({why}). Run scripts/bootstrap.sh: it moves the environment to a Python "
            "that the Ray user can run. Or make the folders on those paths readable and "
            "searchable by others (chmod o+rx)."
        )


def ray_service(cfg: Config, env: dict[str, str], token: str, user: RayUser) -> Service:
    check_ray_can_run(cfg, user)
    prepare_ray_temp_dir(cfg, user)
    ray_user.install_private_file(user, cfg.ray_token_copy, token + "\n")
    spill_dir = cfg.ray_own_dirs["spill"]
    # fmt: off
    argv = [
        tool("ray"), "start", "--head", "--block",
        "--node-ip-address", "127.0.0.1",
        "--port", str(cfg.ray_gcs_port),
        "--include-dashboard", "true",
        "--dashboard-host", "127.0.0.1", "--dashboard-port", str(cfg.ray_dashboard_port),
        "--ray-client-server-port", str(cfg.ray_client_port),
        "--dashboard-agent-listen-port", str(cfg.ray_agent_port),
        "--temp-dir", str(cfg.ray_sessions),
        "--object-store-memory", str(cfg.ray_object_store_bytes),
        "--object-spilling-directory", str(spill_dir),
        "--disable-usage-stats", "--log-style", "record",
    ]
    # fmt: on
    own = cfg.ray_own_dirs
    return Service(
        name="ray",
        argv=argv,
        cwd=cfg.ray_temp_dir,
        # Not the portal's environment, which holds secrets: only what Ray needs.
        env=ray_user.ray_process_environment(
            user,
            home=own["HOME"],
            tmp=own["TMPDIR"],
            source=env,
            extra={
                **cfg.ray_client_env(),
                "RAY_AUTH_TOKEN_PATH": str(cfg.ray_token_copy),
                "MLOPS_STACK_ID": cfg.stack_id,
                "PYTHONUNBUFFERED": "1",
                # On SIGTERM Ray 2.60 drains the node for up to 30 s while jobs run, so that
                # Serve replicas can move to other nodes; a single-node stack has none, so stop
                # at once.
                "RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S": "0",
                # Workers at the normal priority, not Ray's default niceness 15 below its own
                # services: see plugins/ray-clusters-node/src/rayNodeEnvironment.ts.
                "RAY_worker_niceness": "0",
                # The dashboard's metrics tab reads the stack's Prometheus.
                "RAY_PROMETHEUS_HOST": f"http://127.0.0.1:{cfg.prometheus_port}",
                # The dashboard and autoscaler export their metrics on fixed ports (44227,
                # 44217) otherwise: a second Ray on the machine would lose its own or, worse,
                # list the first one's in its discovery file.
                "DASHBOARD_METRIC_PORT": str(free_port()),
                "AUTOSCALER_METRIC_PORT": str(free_port()),
            },
        ),
        user=user,
        health_url=f"http://127.0.0.1:{cfg.ray_dashboard_port}/api/version",
        health_headers=lambda: {"Authorization": f"Bearer {token}"},
        # The dashboard answers before the raylet is up, and `ray start` can still fail then.
        ready_marker="Ray runtime started",
        ports=[
            (cfg.ray_gcs_port, "MLOPS_RAY_GCS_PORT"),
            (cfg.ray_dashboard_port, "MLOPS_RAY_DASHBOARD_PORT"),
            (cfg.ray_client_port, "MLOPS_RAY_CLIENT_PORT"),
            (cfg.ray_agent_port, "MLOPS_RAY_AGENT_PORT"),
        ],
        signal_leader_first=True,
    )


def backstage_environment(cfg: Config, env: dict[str, str]) -> dict[str, str]:
    """Backstage reads APP_CONFIG_<path> variables as config overrides: follow the ports where
    they differ from the ones app-config.yaml is written for."""
    env = dict(env)
    if cfg.app_port != 3000:
        env["APP_CONFIG_app_baseUrl"] = f"http://localhost:{cfg.app_port}"
        env["APP_CONFIG_backend_cors_origin"] = f"http://localhost:{cfg.app_port}"
    if cfg.backend_port != 7007:
        env["APP_CONFIG_backend_baseUrl"] = f"http://localhost:{cfg.backend_port}"
        env["APP_CONFIG_backend_listen_port"] = str(cfg.backend_port)
    return env


def mlflow_backend_credentials(cfg: Config) -> dict[str, str]:
    """The backend's MLflow account, as config overrides in its environment only."""
    return {
        "APP_CONFIG_mlops_mlflow_username": MLFLOW_ADMIN_USER,
        "APP_CONFIG_mlops_mlflow_password": ensure_mlflow_password(cfg),
    }


def n8n_backend_settings(cfg: Config) -> dict[str, str]:
    """The drift plugin's webhook: the stack's n8n, with the secret its workflows check."""
    return {
        "APP_CONFIG_mlops_drift_n8n_webhookUrl": f"{cfg.n8n_url}/{N8N_DRIFT_WEBHOOK_PATH}",
        "APP_CONFIG_mlops_drift_n8n_webhookSecret": ensure_secret(
            cfg.n8n_webhook_secret_path, "the secret of the portal's n8n webhooks"
        ),
    }


def backend_service(
    cfg: Config, env: dict[str, str], token: str, with_mlflow: bool, with_n8n: bool
) -> Service:
    # The key of the dataset download URLs handed to Ray jobs: kept, so that the URLs of queued
    # and running jobs still work after the backend restarts.
    signing_key = ensure_secret(cfg.download_key_path, "a key for dataset download URLs")
    return Service(
        name="backend",
        argv=[tool("yarn"), "workspace", "backend", "start"],
        cwd=cfg.root,
        env={
            **backstage_environment(cfg, env),
            "APP_CONFIG_mlops_datasets_downloads_signingKey": signing_key,
            **(mlflow_backend_credentials(cfg) if with_mlflow else {}),
            **(n8n_backend_settings(cfg) if with_n8n else {}),
            "MLOPS_RAY_TOKEN": token,
            "APP_CONFIG_backend_listen_host": "127.0.0.1",
        },
        health_url=f"http://127.0.0.1:{cfg.backend_port}/.backstage/health/v1/readiness",
        ports=[(cfg.backend_port, "MLOPS_BACKEND_PORT")],
    )


def app_service(cfg: Config, env: dict[str, str]) -> Service:
    return Service(
        name="app",
        argv=[tool("yarn"), "workspace", "app", "start"],
        cwd=cfg.root,
        env={
            **backstage_environment(cfg, env),
            "BROWSER": "none",
            "APP_CONFIG_app_listen_host": "127.0.0.1",
        },
        health_url=f"http://127.0.0.1:{cfg.app_port}/",
        ports=[(cfg.app_port, "MLOPS_APP_PORT")],
    )


def build_services(
    cfg: Config, names: list[str], token: str, user: RayUser | None
) -> list[Service]:
    env = base_environment(cfg)
    if "s3" in names:
        env["MLOPS_S3_URL"] = cfg.s3_url
    builders: dict[str, Callable[[], Service]] = {
        "s3": lambda: s3_service(cfg, env),
        "mlflow": lambda: mlflow_service(cfg, env),
        "prometheus": lambda: prometheus_service(cfg, env, names),
        "ray": lambda: ray_service(cfg, env, token, user),  # type: ignore[arg-type]
        "n8n": lambda: n8n_service(cfg),
        "backend": lambda: backend_service(cfg, env, token, "mlflow" in names, "n8n" in names),
        "app": lambda: app_service(cfg, env),
    }
    return [builders[name]() for name in names]


_no_proxy_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def healthy(svc: Service) -> bool:
    if svc.ready_marker and svc.ready_marker not in log_tail(svc.log_path, 10_000):
        return False
    request = urllib.request.Request(svc.health_url, headers=svc.health_headers())
    try:
        with _no_proxy_opener.open(request, timeout=3) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 128 * lines - 64 * 1024))
            text = f.read().decode(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name}"
    return f"exited with code {returncode}"


class Supervisor:
    def __init__(self, cfg: Config, names: list[str]):
        self.cfg = cfg
        self.names = names
        self.services: list[Service] = []
        self.user: RayUser | None = None
        self.stop_signal: int | None = None
        self.force = False
        self.interactive = sys.stdout.isatty()

    def on_signal(self, signum: int, _frame) -> None:
        if self.stop_signal is not None:
            self.force = True
            return
        self.stop_signal = signum

    def check_ports(self, services: list[Service]) -> None:
        seen: dict[int, str] = {}
        for svc in services:
            for port, var in svc.ports:
                if port in seen:
                    raise StackError(f"{seen[port]} and {var} are both {port}; give each its own")
                seen[port] = var
                if port_in_use(port):
                    raise StackError(
                        f"port {port} ({svc.name}, {var}) is already in use by {port_owner(port)}. "
                        f"Stop that process or set {var} to a free port."
                    )

    def start(self, svc: Service) -> None:
        self.cfg.logs.mkdir(parents=True, exist_ok=True)
        svc.log_path = self.cfg.logs / f"{svc.name}.log"
        if svc.log_path.exists():
            svc.log_path.replace(svc.log_path.with_suffix(".log.1"))
        with open(svc.log_path, "wb") as log:
            svc.started_at = time.monotonic()
            switch = (
                {"user": svc.user.uid, "group": svc.user.gid, "extra_groups": []}
                if svc.user is not None and svc.user.isolated
                else {}
            )
            svc.proc = subprocess.Popen(
                svc.argv,
                cwd=svc.cwd,
                env=svc.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                # After the switch of user: the death signal would not survive it.
                preexec_fn=die_with_parent,  # noqa: PLW1509 (the supervisor runs no threads)
                **switch,  # type: ignore[arg-type]
            )
        say(f"starting {svc.name} (pid {svc.proc.pid}, log {svc.log_path})")

    def dead_service(self) -> Service | None:
        for svc in self.services:
            if svc.proc is not None and svc.proc.poll() is not None:
                return svc
        return None

    def fail(self, svc: Service, why: str) -> None:
        say(f"{svc.name} {why}. Last {LOG_TAIL_LINES} lines of {svc.log_path}:")
        out("\n".join(f"  | {line}" for line in log_tail(svc.log_path).splitlines()))

    def wait_healthy(self, svc: Service) -> bool:
        timeout = HEALTH_TIMEOUTS_S[svc.name]
        last_note = 0.0
        while self.stop_signal is None:
            dead = self.dead_service()
            if dead is not None:
                self.fail(dead, describe_exit(dead.proc.returncode))
                return False
            elapsed = time.monotonic() - svc.started_at
            if healthy(svc):
                if self.interactive:
                    out("\r\033[K", end="")
                say(f"{svc.name} is healthy after {elapsed:.1f}s")
                return True
            if elapsed > timeout:
                if self.interactive:
                    out()
                self.fail(svc, f"was not healthy within {timeout}s ({svc.health_url})")
                return False
            waiting = f"waiting for {svc.name} ({elapsed:.0f}s of at most {timeout}s)"
            if self.interactive:
                out(f"\rstack: {waiting}", end="")
            elif elapsed - last_note >= 10:
                say(waiting)
                last_note = elapsed
            time.sleep(0.5)
        if self.interactive:
            out()
        return False

    def print_ready(self, seconds: float) -> None:
        cfg, urls = self.cfg, self.cfg.urls
        rows = []
        if "app" in self.names:
            rows.append(("Portal", urls["MLOPS_PORTAL_URL"]))
        if "backend" in self.names:
            rows.append(("Backend", urls["MLOPS_BACKEND_URL"]))
        if "s3" in self.names:
            rows.append(("S3 (moto)", cfg.s3_url))
        if "mlflow" in self.names:
            rows.append(
                (
                    "MLflow",
                    f"{urls['MLOPS_MLFLOW_URL']}  (user {MLFLOW_ADMIN_USER}, password in "
                    f"{cfg.mlflow_password_path})",
                )
            )
        if "ray" in self.names:
            dashboard = urls["MLOPS_RAY_DASHBOARD_URL"]
            rows.append(("Ray Dashboard", f"{dashboard}  (asks for the token in {cfg.token_path})"))
            rows.append(("Ray address", f"{urls['MLOPS_RAY_ADDRESS']}  (settings: {cfg.env_path})"))
        if "n8n" in self.names:
            rows.append(
                (
                    "n8n",
                    f"{cfg.n8n_url}  (user {N8N_OWNER_EMAIL}, password in "
                    f"{cfg.data / 'keys' / 'n8n_owner_password'})",
                )
            )
        rows.append(("Logs", str(cfg.logs)))
        width = max(len(label) for label, _ in rows)
        out()
        say(f"ready in {seconds:.0f}s: {', '.join(self.names)}")
        for label, value in rows:
            out(f"  {label.ljust(width)}  {value}")
        out("  Ctrl-C stops everything.\n")

    def link_ray_logs(self) -> None:
        link = self.cfg.logs / "ray-session"
        if link.is_symlink() or not link.exists():
            link.unlink(missing_ok=True)
            link.symlink_to(self.cfg.ray_sessions / "session_latest" / "logs")

    def stop_service(self, svc: Service) -> None:
        proc = svc.proc
        if proc is None:
            return
        pgid = proc.pid
        if proc.poll() is None or group_alive(pgid):
            say(f"stopping {svc.name}")
        began = time.monotonic()
        if svc.signal_leader_first and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        else:
            signal_group(pgid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        group_signalled = not svc.signal_leader_first
        while time.monotonic() < deadline and not self.force:
            leader_done = proc.poll() is not None
            if leader_done and not group_alive(pgid):
                say(f"{svc.name} stopped in {time.monotonic() - began:.1f}s")
                return
            if leader_done and not group_signalled:
                signal_group(pgid, signal.SIGTERM)
                group_signalled = True
            time.sleep(0.2)
        if group_alive(pgid) or proc.poll() is None:
            why = "second signal" if self.force else f"still running after {STOP_GRACE_S}s"
            say(f"{svc.name}: {why}; killing its process group")
            signal_group(pgid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)

    def kill_leftovers(self, context: str) -> bool:
        leftovers = stack_processes(self.cfg)
        if not leftovers:
            return True
        say(
            f"killing {len(leftovers)} process(es) {context}: "
            + "; ".join(f"{pid} {cmdline(pid)[:60]}" for pid in leftovers[:5])
        )
        for pid in leftovers:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and stack_processes(self.cfg):
            time.sleep(0.2)
        remaining = stack_processes(self.cfg)
        if remaining:
            say(f"could not kill: {', '.join(map(str, remaining))}")
        return not remaining

    def stop_all(self) -> bool:
        for svc in reversed(self.services):
            self.stop_service(svc)
        clean = self.kill_leftovers("left behind by the stopped services")
        self.cfg.env_path.unlink(missing_ok=True)
        return clean

    def choose_ray_user(self) -> RayUser:
        user = ray_user.resolve_ray_user(dict(os.environ))
        if user.isolated:
            say(f"Ray runs as the unprivileged user {user.name} (uid {user.uid})")
        else:
            say(
                f"warning: Ray runs as {user.name}, the user this script runs as, so code in Ray "
                "jobs can read everything the portal can (its databases, keys and tokens). Run "
                "the stack as root to have Ray run as an unprivileged user; see "
                "docs/security-model-ray.md."
            )
        return user

    def run(self) -> int:
        cfg = self.cfg
        # Logs, the token, stack.env and whatever the services write: the portal's user's only.
        os.umask(0o077)
        cfg.data.mkdir(parents=True, exist_ok=True)
        lock = PidLock(cfg.pid_path)
        lock.acquire()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self.on_signal)
        try:
            cfg.env_path.unlink(missing_ok=True)
            self.kill_leftovers("left over from an earlier run of this stack")
            ray_user.secure_state_folder(cfg.data)
            user = self.user = self.choose_ray_user() if "ray" in self.names else None
            token = ensure_token(cfg) if {"ray", "backend"} & set(self.names) else ""
            services = build_services(cfg, self.names, token, user)
            self.check_ports(services)
        except BaseException:
            lock.release()
            raise
        ok = clean = False
        try:
            ok = self.start_all(services) and self.watch()
        finally:
            if self.stop_signal is not None:
                if self.interactive:
                    out()
                say(f"{signal.Signals(self.stop_signal).name} received, stopping")
            clean = self.stop_all()
            say("stopped" if clean else "stopped, but some processes could not be killed")
            lock.release()
        return 0 if ok and clean else 1

    def start_all(self, services: list[Service]) -> bool:
        started = time.monotonic()
        for svc in services:
            if self.stop_signal is not None:
                return True
            self.services.append(svc)
            self.start(svc)
            if not self.wait_healthy(svc):
                return self.stop_signal is not None
            if svc.name == "ray":
                self.link_ray_logs()
        write_stack_env(self.cfg, self.names, self.user)
        self.print_ready(time.monotonic() - started)
        return True

    def watch(self) -> bool:
        while self.stop_signal is None:
            dead = self.dead_service()
            if dead is not None:
                self.fail(dead, describe_exit(dead.proc.returncode))
                return False
            time.sleep(0.5)
        return True


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="stack.sh",
        description="Start MLflow, Ray, the backend and the app on loopback, wait until they are "
        "healthy and supervise them; Ctrl-C stops everything.",
    )
    parser.add_argument(
        "--services",
        default=",".join(ALL_SERVICES),
        help=f"comma-separated subset of {','.join(KNOWN_SERVICES)} (default: "
        f"{','.join(ALL_SERVICES)}), started in order",
    )
    args = parser.parse_args()
    names = [n.strip() for n in args.services.split(",") if n.strip()]
    unknown = [n for n in names if n not in KNOWN_SERVICES]
    if unknown or not names:
        listed = ", ".join(unknown) or "(none)"
        parser.error(f"unknown service(s) {listed}; choose from {', '.join(KNOWN_SERVICES)}")
    names = [n for n in KNOWN_SERVICES if n in names]
    try:
        return Supervisor(Config.from_env(), names).run()
    except (StackError, IsolationError) as e:
        say(str(e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
