"""Checks a custom model module against the interface, submitted by the portal as a Ray job.

    MLOPS_CUSTOM_MODEL_SOURCE=<python source> python -m mlops_runtime.check_model [--timeout-s 60]

(`--source-file PATH` reads the source from a file instead.) Compiles the source (a syntax error
is reported with its line), then, inside a Ray task (in-process without Ray, for tests), runs the
module's top level and checks the interface of `custom_model`: a callable `build_model`; an
optional `HYPERPARAMETER_SCHEMA` (an object JSON Schema in the subset `schema` supports, every
property with a default that fits it); `build_model(defaults)` returns a `torch.nn.Module` whose
forward maps a float32 (2, 1, 28, 28) batch to (2, 10) logits. Prints exactly ONE JSON line:

    {"kind": "mlops.custom_model_check", "ok": false,
     "problems": [{"code": "syntax_error", "message": "line 3: invalid syntax", "line": 3}],
     "hyperparameterSchema": null, "parameterCount": null}

Codes: `syntax_error`, `import_error` (names the missing module), `module_error` (the top level
raised), `missing_build_model`, `invalid_schema`, `build_failed`, `not_a_module`, `forward_failed`,
`wrong_output_shape`, `timeout`. Exit status 0 when ok, 1 when not.

The verdict goes back to the uploader, and the module's code may have read anything the Ray node
can read: it carries only what the module's own text says. An exception is reported by its type
(a built-in one, or a class named in the module) and its line in the module; its message only
when that message is text of the module (`raise ValueError("hidden must be even")`), cut at
`MAX_MESSAGE_CHARS`. `HYPERPARAMETER_SCHEMA` must be a literal (it is sent back and stored), and
at most `MAX_PROBLEMS` problems are reported.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import json
import os
import re
import sys
import traceback
from collections.abc import Mapping
from typing import Any, Final

from mlops_runtime.custom_model import default_config, load_source
from mlops_runtime.schema import validate_object

__all__ = ["CHECK_KIND", "check_source", "compile_problems", "main"]

CHECK_KIND: Final = "mlops.custom_model_check"
SOURCE_ENV: Final = "MLOPS_CUSTOM_MODEL_SOURCE"
INPUT_SHAPE: Final = (2, 1, 28, 28)
NUM_CLASSES: Final = 10
MAX_PROBLEMS: Final = 20
MAX_MESSAGE_CHARS: Final = 500
SCHEMA_NAME: Final = "HYPERPARAMETER_SCHEMA"


def _problem(code: str, message: str, line: int | None = None) -> dict[str, Any]:
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 1] + "…"
    return {"code": code, "message": message, **({"line": line} if line is not None else {})}


def _named_in(name: str, source: str) -> bool:
    """Whether `name` is an identifier the module's text spells out."""
    return (
        name.isidentifier()
        and len(name) <= 80
        and re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", source) is not None
    )


def _type_name(value: object, source: str) -> str:
    """The name of `value`'s type, or of its nearest base, that is built in or named in the module:
    a class made at run time could carry any text in its name."""
    for cls in type(value).__mro__:
        name = cls.__name__
        if getattr(builtins, name, None) is cls or _named_in(name, source):
            return name
    return "object"


def _own_message(error: BaseException, source: str) -> str | None:
    """The exception's message when it is text of the module; None otherwise."""
    try:
        message = str(error)
    except Exception:  # noqa: BLE001  (a user-defined __str__ may fail)
        return None
    return message if message and message in source else None


def _raised(what: str, error: BaseException, source: str) -> tuple[str, int | None]:
    """`<what> raised <Type> at line <n>[: <message>]`, with only what the module's text says."""
    line = _user_line(error)
    text = f"{what} raised {_type_name(error, source)}"
    if line:
        text += f" at line {line}"
    message = _own_message(error, source)
    if message:
        return f"{text}: {message}", line
    return f"{text} (its message is not shown: only text of the module is)", line


def compile_problems(source: str) -> list[dict[str, Any]]:
    """A syntax error with its line; [] when the source compiles. Runs nothing."""
    try:
        compile(source, "<custom model>", "exec", dont_inherit=True)
    except SyntaxError as error:
        line = error.lineno or 0
        return [_problem("syntax_error", f"line {line}: {error.msg}", line)]
    except ValueError as error:  # null bytes
        return [_problem("syntax_error", str(error))]
    return []


def _user_line(error: BaseException) -> int | None:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "custom model" in f.filename]
    return frames[-1].lineno if frames else None


def check_source(source: str) -> dict[str, Any]:  # noqa: PLR0911  (one return per verdict)
    """The verdict on a custom model's source. Runs its code: call inside Ray only."""
    verdict: dict[str, Any] = {
        "kind": CHECK_KIND,
        "ok": False,
        "problems": compile_problems(source),
        "hyperparameterSchema": None,
        "parameterCount": None,
    }
    if verdict["problems"]:
        return verdict
    problems: list[dict[str, Any]] = verdict["problems"]
    try:
        module = load_source(source, "check")
    except ImportError as error:
        missing = getattr(error, "name", None)
        line = _user_line(error)
        if isinstance(error, ModuleNotFoundError) and missing and _module_named_in(missing, source):
            message = (
                f"import error: no module named '{missing}'"
                " (only the portal runtime's packages are installed on the cluster)"
            )
        else:
            message, line = _raised("an import", error, source)
            message = f"import error: {message}"
        problems.append(_problem("import_error", message, line))
        return verdict
    except Exception as error:  # noqa: BLE001  (any failure of user code is a verdict)
        message, line = _raised("the module", error, source)
        problems.append(_problem("module_error", message, line))
        return verdict

    schema = getattr(module, SCHEMA_NAME, None)
    if schema is not None:
        schema_problem = _literal_problem(schema, source) or _schema_problem(schema)
        if schema_problem:
            problems.append(_problem("invalid_schema", schema_problem))
            return verdict
        verdict["hyperparameterSchema"] = json.loads(json.dumps(schema))

    build_model = getattr(module, "build_model", None)
    if build_model is None:
        problems.append(
            _problem("missing_build_model", "the module has no build_model(config) function")
        )
        return verdict
    if not callable(build_model):
        problems.append(_problem("missing_build_model", "build_model is not callable"))
        return verdict
    _check_model(build_model, default_config(schema), verdict, source)
    verdict["ok"] = not problems
    return verdict


def _module_named_in(name: str, source: str) -> bool:
    return all(part.isidentifier() for part in name.split(".")) and name in source


def _literal_problem(schema: object, source: str) -> str | None:
    """None when the module's schema is the literal its text assigns at the top level: the schema
    is sent back and stored, so it may hold only what the module says."""
    literal: object = None
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == SCHEMA_NAME:
            try:
                literal = ast.literal_eval(value)
            except ValueError:
                literal = None
    try:
        same = literal is not None and literal == schema
    except Exception:  # noqa: BLE001  (a user-defined __eq__ may fail)
        same = False
    if not same:
        return (
            f"{SCHEMA_NAME} must be a literal dict assigned at the top level of the module"
            " (no names, calls or comprehensions in it), and not changed afterwards"
        )
    return None


def _schema_problem(schema: object) -> str | None:
    if not isinstance(schema, Mapping) or not isinstance(schema.get("properties"), Mapping):
        return "HYPERPARAMETER_SCHEMA must be a dict with type 'object' and 'properties'"
    try:
        json.dumps(schema)
    except (TypeError, ValueError) as error:
        return f"HYPERPARAMETER_SCHEMA is not JSON: {error}"
    missing = [name for name, prop in schema["properties"].items() if "default" not in prop]
    if missing:
        return f"HYPERPARAMETER_SCHEMA: {', '.join(missing)}: needs a default"
    try:
        problems = validate_object(schema, default_config(schema))
    except ValueError as error:
        return f"HYPERPARAMETER_SCHEMA: {error}"
    return f"HYPERPARAMETER_SCHEMA defaults: {'; '.join(problems)}" if problems else None


def _check_model(
    build_model: Any, config: dict[str, Any], verdict: dict[str, Any], source: str
) -> None:
    import torch  # noqa: PLC0415
    from torch import nn  # noqa: PLC0415

    problems = verdict["problems"]
    try:
        model = build_model(dict(config))
    except Exception as error:  # noqa: BLE001
        message, line = _raised("build_model(config)", error, source)
        problems.append(_problem("build_failed", message, line))
        return
    if not isinstance(model, nn.Module):
        problems.append(
            _problem(
                "not_a_module",
                f"build_model(config) returned {_type_name(model, source)},"
                " not a torch.nn.Module",
            )
        )
        return
    verdict["parameterCount"] = sum(p.numel() for p in model.parameters())
    model.eval()
    try:
        with torch.no_grad():
            output = model(torch.rand(*INPUT_SHAPE))
    except Exception as error:  # noqa: BLE001
        message, line = _raised("forward on a (2, 1, 28, 28) batch", error, source)
        problems.append(_problem("forward_failed", message, line))
        return
    shape = tuple(output.shape) if isinstance(output, torch.Tensor) else None
    if shape != (INPUT_SHAPE[0], NUM_CLASSES):
        got = f"shape {shape}" if shape is not None else _type_name(output, source)
        problems.append(
            _problem(
                "wrong_output_shape",
                f"forward on a (2, 1, 28, 28) batch must return (2, 10) logits, got {got}",
            )
        )


def _check_in_ray(source: str, timeout_s: float) -> dict[str, Any]:
    import ray  # noqa: PLC0415

    ray.init(log_to_driver=False)
    # A fresh worker process per check: the user's module never stays in a reused worker.
    remote = ray.remote(num_cpus=0, max_retries=0, max_calls=1)(check_source)
    ref = remote.remote(source)
    try:
        result: dict[str, Any] = ray.get(ref, timeout=timeout_s)
    except ray.exceptions.GetTimeoutError:
        ray.cancel(ref, force=True)
        return {
            "kind": CHECK_KIND,
            "ok": False,
            "problems": [
                _problem("timeout", f"the check did not finish within {timeout_s:g} s")
            ],
            "hyperparameterSchema": None,
            "parameterCount": None,
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlops_runtime.check_model")
    parser.add_argument("--source-file")
    parser.add_argument("--timeout-s", type=float, default=60.0)
    parser.add_argument(
        "--in-process", action="store_true", help="check without Ray (tests)"
    )
    args = parser.parse_args(argv)
    if args.source_file:
        with open(args.source_file, encoding="utf-8") as f:
            source = f.read()
    else:
        source = os.environ.get(SOURCE_ENV, "")
    # Syntax is checked before Ray starts: it runs nothing.
    problems = compile_problems(source)
    verdict: dict[str, Any]
    if problems:
        verdict = {
            "kind": CHECK_KIND,
            "ok": False,
            "problems": problems,
            "hyperparameterSchema": None,
            "parameterCount": None,
        }
    elif args.in_process:
        verdict = check_source(source)
    else:
        verdict = _check_in_ray(source, args.timeout_s)
    verdict["problems"] = verdict["problems"][:MAX_PROBLEMS]
    sys.stdout.write(json.dumps(verdict) + "\n")
    sys.stdout.flush()
    return 0 if verdict["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
