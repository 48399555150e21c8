"""Request and response shapes of the Open Inference Protocol v2 REST API (spec:
kserve/open-inference-protocol, specification/protocol/open_inference_rest.yaml)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mlops_runtime.serve.errors import InputError

__all__ = [
    "DATATYPES",
    "InferenceRequest",
    "InputTensor",
    "datatype_of",
    "inference_response",
    "parse_inference_request",
    "tensor_to_numpy",
]

# OIP v2 tensor data types and the numpy dtype each becomes. BYTES are text (JSON strings).
DATATYPES: dict[str, np.dtype[Any]] = {
    "BOOL": np.dtype(np.bool_),
    "UINT8": np.dtype(np.uint8),
    "UINT16": np.dtype(np.uint16),
    "UINT32": np.dtype(np.uint32),
    "UINT64": np.dtype(np.uint64),
    "INT8": np.dtype(np.int8),
    "INT16": np.dtype(np.int16),
    "INT32": np.dtype(np.int32),
    "INT64": np.dtype(np.int64),
    "FP16": np.dtype(np.float16),
    "FP32": np.dtype(np.float32),
    "FP64": np.dtype(np.float64),
    "BYTES": np.dtype(object),
}

# Guards the replica's memory against one huge request.
MAX_ELEMENTS = 16 * 1024 * 1024
MAX_DIMS = 16


@dataclass(frozen=True)
class InputTensor:
    name: str
    shape: tuple[int, ...]
    datatype: str
    data: list[Any]  # flattened, row-major

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "shape": list(self.shape), "datatype": self.datatype}


@dataclass(frozen=True)
class InferenceRequest:
    id: str | None
    inputs: list[InputTensor]
    outputs: list[str] | None = None
    parameters: dict[str, Any] = field(default_factory=dict)


def _flatten(data: object, into: list[Any], where: str, depth: int = 0) -> None:
    if depth > MAX_DIMS:
        raise InputError(f"{where}.data is nested deeper than {MAX_DIMS} levels")
    if isinstance(data, list):
        for item in data:
            _flatten(item, into, where, depth + 1)
            if len(into) > MAX_ELEMENTS:
                raise InputError(f"{where} has more than {MAX_ELEMENTS} elements")
    else:
        into.append(data)


def _parse_shape(value: object, where: str) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) > MAX_DIMS:
        raise InputError(f"{where}.shape must be a list of at most {MAX_DIMS} integers")
    shape: list[int] = []
    for dim in value:
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 0:
            raise InputError(f"{where}.shape must hold non-negative integers, got {value!r}")
        shape.append(dim)
    return tuple(shape)


def _parse_input(entry: object, index: int, seen: set[str]) -> InputTensor:
    where = f"inputs[{index}]"
    if not isinstance(entry, Mapping):
        raise InputError(f"{where} must be an object with name, shape, datatype and data")
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(f"{where}.name must be a non-empty string")
    where = f"input '{name}'"
    if name in seen:
        raise InputError(f"{where} appears twice")
    seen.add(name)
    for required in ("shape", "datatype", "data"):
        if required not in entry:
            raise InputError(f"{where} has no '{required}'")
    shape = _parse_shape(entry["shape"], where)
    datatype = entry["datatype"]
    if not isinstance(datatype, str) or datatype not in DATATYPES:
        raise InputError(
            f"{where} has unknown datatype {datatype!r}; expected one of {', '.join(DATATYPES)}"
        )
    count = math.prod(shape)
    if count > MAX_ELEMENTS:
        raise InputError(f"{where} has more than {MAX_ELEMENTS} elements")
    data: list[Any] = []
    _flatten(entry["data"], data, where)
    if len(data) != count:
        raise InputError(
            f"{where} has {len(data)} data elements but its shape {list(shape)} needs {count}"
        )
    return InputTensor(name=name, shape=shape, datatype=datatype, data=data)


def parse_inference_request(body: object) -> InferenceRequest:
    """The inference request JSON object, every problem raised as InputError naming it."""
    if not isinstance(body, Mapping):
        raise InputError("request body must be a JSON object with 'inputs'")
    unknown = set(body) - {"id", "parameters", "inputs", "outputs"}
    if unknown:
        raise InputError(f"request has unknown fields: {', '.join(sorted(map(str, unknown)))}")
    request_id = body.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise InputError("'id' must be a string")
    parameters = body.get("parameters") or {}
    if not isinstance(parameters, Mapping):
        raise InputError("'parameters' must be an object")
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise InputError("'inputs' must be a non-empty list of tensors")
    seen: set[str] = set()
    tensors = [_parse_input(entry, index, seen) for index, entry in enumerate(inputs)]
    outputs = body.get("outputs")
    names: list[str] | None = None
    if outputs is not None:
        if not isinstance(outputs, list):
            raise InputError("'outputs' must be a list of {name}")
        names = []
        for index, output in enumerate(outputs):
            name = output.get("name") if isinstance(output, Mapping) else None
            if not isinstance(name, str) or not name:
                raise InputError(f"outputs[{index}].name must be a non-empty string")
            names.append(name)
    return InferenceRequest(
        id=request_id, inputs=tensors, outputs=names, parameters=dict(parameters)
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def tensor_to_numpy(tensor: InputTensor) -> np.ndarray:
    """The tensor as a numpy array of its OIP datatype; values that do not fit the datatype raise
    InputError (no silent coercion of strings, booleans or fractions)."""
    where = f"input '{tensor.name}' ({tensor.datatype})"
    dtype = DATATYPES[tensor.datatype]
    data = tensor.data
    if tensor.datatype == "BOOL":
        if not all(isinstance(value, bool) for value in data):
            raise InputError(f"{where} must hold only true/false")
        array = np.asarray(data, dtype=dtype)
    elif tensor.datatype == "BYTES":
        if not all(isinstance(value, str) for value in data):
            raise InputError(f"{where} must hold only strings")
        array = np.empty(len(data), dtype=object)
        array[:] = data
    elif dtype.kind in "iu":
        if not all(isinstance(value, int) and not isinstance(value, bool) for value in data):
            raise InputError(f"{where} must hold only integers")
        info = np.iinfo(dtype)
        if data and (min(data) < info.min or max(data) > info.max):
            raise InputError(f"{where} has a value outside [{info.min}, {info.max}]")
        array = np.asarray(data, dtype=dtype)
    else:
        if not all(_is_number(value) for value in data):
            raise InputError(f"{where} must hold only numbers")
        with np.errstate(over="ignore"):
            array = np.asarray(data, dtype=dtype)
        if (np.isinf(array) & ~np.isinf(np.asarray(data, dtype=np.float64))).any():
            raise InputError(f"{where} has a value too large for {tensor.datatype}")
    return array.reshape(tensor.shape)


def datatype_of(dtype: np.dtype[Any]) -> str:
    """The OIP datatype of a numpy dtype (text and other objects are BYTES)."""
    for name, candidate in DATATYPES.items():
        if candidate == dtype and name != "BYTES":
            return name
    return "BYTES"


def _json_values(array: np.ndarray) -> list[Any]:
    flat = array.reshape(-1)
    if flat.dtype.kind == "f" and not np.isfinite(flat).all():
        return [float(v) if math.isfinite(v) else None for v in flat.tolist()]
    if flat.dtype.kind in "biuf":
        values: list[Any] = flat.tolist()
        return values
    return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in flat]


def output_tensor(name: str, array: np.ndarray) -> dict[str, Any]:
    datatype = "BYTES" if array.dtype.kind in "OUSM" else datatype_of(array.dtype)
    return {
        "name": name,
        "shape": list(array.shape),
        "datatype": datatype,
        "data": _json_values(array),
    }


def inference_response(
    *,
    model_name: str,
    model_version: str,
    request_id: str | None,
    outputs: Mapping[str, np.ndarray],
    requested: Sequence[str] | None,
) -> dict[str, Any]:
    """The inference response JSON object; `requested` (the request's `outputs`) selects and
    orders the outputs, an unknown name raising InputError."""
    names = list(outputs)
    if requested is not None:
        unknown = [name for name in requested if name not in outputs]
        if unknown:
            raise InputError(
                f"unknown output {unknown[0]!r}; the model has outputs {', '.join(names)}"
            )
        names = list(requested)
    response: dict[str, Any] = {
        "model_name": model_name,
        "model_version": model_version,
        "outputs": [output_tensor(name, outputs[name]) for name in names],
    }
    if request_id is not None:
        response["id"] = request_id
    return response
