"""Who the embedded Ray head runs as, and what it may touch (docs/security-model-ray.md).

User code (custom-model checks, training, tuning) runs inside Ray. Started as root, the supervisor
runs the Ray head as an unprivileged system user (MLOPS_RAY_USER, default mlops-ray, created by
scripts/bootstrap.sh) with a minimal environment, no supplementary groups and umask 077. The
portal's state folder stays root's: only its `training` folder (mlops.experiments.storagePath:
checkpoints and the dataset cache of jobs) is open to Ray, write-only and sticky like a spool.
Started as any other user, Ray runs as that same user and nothing is isolated. Standard library
only.
"""

from __future__ import annotations

import os
import pwd
import secrets
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEFAULT_RAY_USER",
    "RAY_USER_ENV",
    "RAY_WORK_DIRS",
    "IsolationError",
    "RayUser",
    "install_private_file",
    "make_owned_dirs",
    "ray_process_environment",
    "resolve_ray_user",
    "secure_state_folder",
]

RAY_USER_ENV = "MLOPS_RAY_USER"
DEFAULT_RAY_USER = "mlops-ray"
# Folders of the state folder that Ray processes write to (app-config.yaml's default
# mlops.experiments.storagePath, the dataset cache the experiments worker puts in it, and the
# serving ingress's mlops.serving.inferenceLog, a folder per deployment). Each is root's, mode
# 1733: every Ray user may create an entry, none may list or remove another's.
RAY_WORK_DIRS = ("training", "training/dataset-cache", "inference-logs")
WORK_DIR_MODE = 0o1733
# Passed on from the supervisor's environment to Ray: locale, proxies, accelerators and Ray's own
# tuning knobs. Nothing else: the portal's environment holds secrets (tokens, passwords, keys).
PASSED_ON = (
    "PATH",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "http_proxy",
    "https_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "CUDA_VISIBLE_DEVICES",
    "NVIDIA_VISIBLE_DEVICES",
    "NVIDIA_DRIVER_CAPABILITIES",
)
NOT_PASSED_ON_RAY = ("RAY_ADDRESS", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH")
LOOPBACK = "127.0.0.1,localhost,::1"


class IsolationError(Exception):
    pass


@dataclass(frozen=True)
class RayUser:
    name: str
    uid: int
    gid: int

    @property
    def isolated(self) -> bool:
        """Whether Ray runs as another user than the portal."""
        return self.uid != os.getuid()


def resolve_ray_user(env: dict[str, str]) -> RayUser:
    """The account Ray runs as: MLOPS_RAY_USER (default mlops-ray) when the supervisor is root,
    else the supervisor's own user (it cannot switch users)."""
    if os.getuid() != 0:
        try:
            name = pwd.getpwuid(os.getuid()).pw_name
        except KeyError:
            name = str(os.getuid())
        return RayUser(name, os.getuid(), os.getgid())
    name = env.get(RAY_USER_ENV) or DEFAULT_RAY_USER
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise IsolationError(
            f"the system user {name} that Ray runs as does not exist: run scripts/bootstrap.sh "
            f"as root (it creates it), or set {RAY_USER_ENV} to an existing unprivileged user"
        ) from None
    if entry.pw_uid == 0:
        raise IsolationError(f"{RAY_USER_ENV}={name} is root; Ray must run as an unprivileged user")
    return RayUser(name, entry.pw_uid, entry.pw_gid)


def secure_state_folder(data: Path) -> None:
    """Makes the state folder private to the portal's user: everything at its top level 0700 or
    0600. Under root, whose Ray heads run as other users, the folder itself is left searchable
    (0711, not listable) for them to reach the Ray work folders, which are (re)set to root's
    1733."""
    shared = os.getuid() == 0
    data.mkdir(parents=True, exist_ok=True)
    os.chmod(data, 0o711 if shared else 0o700)
    work = [data / name for name in RAY_WORK_DIRS]
    for entry in data.iterdir():
        if entry in work or entry.is_symlink():
            continue
        os.chmod(entry, 0o700 if entry.is_dir() else 0o600)
    for folder in work:
        folder.mkdir(exist_ok=True)
        if folder.is_symlink() or not folder.is_dir():
            raise IsolationError(f"{folder} is not a folder; remove it")
        if shared:
            os.chown(folder, 0, 0)
            os.chmod(folder, WORK_DIR_MODE)


def make_owned_dirs(user: RayUser, *folders: Path) -> None:
    """Creates `folders` (mode 0700) and hands them to `user`. A folder that is a symbolic link
    (the Ray user may have replaced one) is left alone: lchown changes the link, not its target."""
    for folder in folders:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chown(folder, user.uid, user.gid, follow_symlinks=False)


def install_private_file(user: RayUser, path: Path, content: str) -> None:
    """Writes `content` to `path` as a file only `user` can read (0600), without following a
    link that may stand at `path`: written under a new random name, then renamed over it."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(content)
            os.fchown(f.fileno(), user.uid, user.gid)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def ray_process_environment(
    user: RayUser, home: Path, tmp: Path, extra: dict[str, str], source: dict[str, str]
) -> dict[str, str]:
    """The whole environment of the Ray head: what PASSED_ON names and Ray's own RAY_* settings
    from `source`, the user's identity, a HOME and TMPDIR of its own, and `extra`."""
    env = {name: source[name] for name in PASSED_ON if name in source}
    env.update(
        (name, value)
        for name, value in source.items()
        if name.startswith("RAY_") and name not in NOT_PASSED_ON_RAY
    )
    no_proxy = ",".join(filter(None, [source.get("NO_PROXY") or source.get("no_proxy"), LOOPBACK]))
    env.update(
        NO_PROXY=no_proxy,
        no_proxy=no_proxy,
        USER=user.name,
        LOGNAME=user.name,
        HOME=str(home),
        TMPDIR=str(tmp),
    )
    env.update(extra)
    return env
