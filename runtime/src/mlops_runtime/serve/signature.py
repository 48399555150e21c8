"""OIP v2 input tensors -> the input of an MLflow pyfunc model, checked against its signature.

Column-based signatures (a pandas DataFrame input): one tensor per column, named like the column,
shape [N] or [N, 1]. Tensor-based signatures: named tensors become a dict of arrays; a single
unnamed tensor spec takes the one input tensor, whatever its name. No signature: one tensor is
passed as an array, several as a dict of arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union, cast

import numpy as np

from mlops_runtime.serve.errors import InputError
from mlops_runtime.serve.oip import DATATYPES, InputTensor, datatype_of, tensor_to_numpy

if TYPE_CHECKING:
    import pandas as pd
    from mlflow.models import ModelSignature
    from mlflow.types.schema import Schema, TensorSpec

__all__ = [
    "ModelInput",
    "TensorMetadata",
    "input_metadata",
    "output_metadata",
    "output_names",
    "to_model_input",
]

ModelInput = Union["pd.DataFrame", np.ndarray, dict[str, np.ndarray]]

UNNAMED_INPUT = "input-0"
UNNAMED_OUTPUT = "output-0"


@dataclass(frozen=True)
class TensorMetadata:
    name: str
    datatype: str
    shape: list[int]

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "datatype": self.datatype, "shape": self.shape}


def _category(dtype: np.dtype[Any]) -> str:
    if dtype.kind == "b":
        return "bool"
    if dtype.kind in "iu":
        return "int"
    if dtype.kind == "f":
        return "float"
    return "text"


def _convert(array: np.ndarray, target: np.dtype[Any], tensor: InputTensor) -> np.ndarray:
    """Casts `array` to the model's dtype where nothing but precision can change: same kind
    (int to int within range, float to float), or int to float. Anything else is the caller's
    error."""
    source, wanted = _category(array.dtype), _category(target)
    if source == wanted or (source == "int" and wanted == "float"):
        if wanted == "int" and array.size:
            info = np.iinfo(target)
            if array.min() < info.min or array.max() > info.max:
                raise InputError(
                    f"input '{tensor.name}' has values outside the range of the model's "
                    f"{datatype_of(target)}"
                )
        return array if wanted == "text" else array.astype(target, copy=False)
    raise InputError(
        f"input '{tensor.name}' has datatype {tensor.datatype}, the model expects "
        f"{_expected_datatype(target)}"
    )


def _expected_datatype(dtype: np.dtype[Any]) -> str:
    return "BYTES" if _category(dtype) == "text" else datatype_of(dtype)


def _column_dtype(spec: Any) -> np.dtype[Any]:
    from mlflow.types.schema import DataType  # noqa: PLC0415

    if not isinstance(spec.type, DataType):
        return np.dtype(object)
    if spec.type in (DataType.string, DataType.binary, DataType.datetime):
        return np.dtype(object)
    return np.dtype(spec.type.to_numpy())


def _check_names(
    tensors: Sequence[InputTensor], known: Sequence[str], required: Sequence[str]
) -> dict[str, InputTensor]:
    by_name = {tensor.name: tensor for tensor in tensors}
    for name in by_name:
        if name not in known:
            raise InputError(f"unknown input '{name}'; the model takes {', '.join(known)}")
    missing = [name for name in required if name not in by_name]
    if missing:
        raise InputError(f"missing input '{missing[0]}'; the model needs {', '.join(required)}")
    return by_name


def _columns_input(tensors: Sequence[InputTensor], schema: Schema) -> pd.DataFrame:
    import pandas as pd  # noqa: PLC0415

    specs = {str(spec.name): spec for spec in schema.inputs}
    required = [str(spec.name) for spec in schema.inputs if spec.required]
    by_name = _check_names(tensors, list(specs), required)
    columns: dict[str, np.ndarray] = {}
    rows: int | None = None
    for name, tensor in by_name.items():
        shape = tensor.shape
        if not (len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)):
            raise InputError(
                f"input '{name}' has shape {list(shape)}; a column takes shape [N] or [N, 1]"
            )
        if rows is not None and shape[0] != rows:
            raise InputError(
                f"input '{name}' has {shape[0]} rows, other inputs have {rows}; "
                "all columns need the same number of rows"
            )
        rows = shape[0]
        array = _convert(tensor_to_numpy(tensor).reshape(-1), _column_dtype(specs[name]), tensor)
        columns[name] = array
    ordered = {name: columns[name] for name in specs if name in columns}
    return pd.DataFrame(ordered)


def _check_shape(tensor: InputTensor, expected: Sequence[int]) -> None:
    if len(tensor.shape) != len(expected) or any(
        want not in (-1, got) for want, got in zip(expected, tensor.shape, strict=True)
    ):
        wanted = ["N" if dim == -1 else dim for dim in expected]
        raise InputError(
            f"input '{tensor.name}' has shape {list(tensor.shape)}, the model expects {wanted}"
        )


def _tensors_input(
    tensors: Sequence[InputTensor], schema: Schema
) -> np.ndarray | dict[str, np.ndarray]:
    specs = cast("list[TensorSpec]", list(schema.inputs))
    if not schema.has_input_names():
        if len(tensors) != 1:
            raise InputError(f"the model takes one input tensor, got {len(tensors)}")
        tensor = tensors[0]
        _check_shape(tensor, specs[0].shape)
        return _convert(tensor_to_numpy(tensor), specs[0].type, tensor)
    by_spec = {str(spec.name): spec for spec in specs}
    required = [str(spec.name) for spec in specs if getattr(spec, "required", True)]
    by_name = _check_names(tensors, list(by_spec), required)
    arrays: dict[str, np.ndarray] = {}
    for name, tensor in by_name.items():
        _check_shape(tensor, by_spec[name].shape)
        arrays[name] = _convert(tensor_to_numpy(tensor), by_spec[name].type, tensor)
    return arrays


def to_model_input(tensors: Sequence[InputTensor], signature: ModelSignature | None) -> ModelInput:
    """The pyfunc input for `tensors`; a wrong name, shape or datatype raises InputError."""
    schema = signature.inputs if signature is not None else None
    if schema is None or not schema.inputs:
        if len(tensors) == 1:
            return tensor_to_numpy(tensors[0])
        return {tensor.name: tensor_to_numpy(tensor) for tensor in tensors}
    if schema.is_tensor_spec():
        return _tensors_input(tensors, schema)
    return _columns_input(tensors, schema)


def _schema_metadata(schema: Schema | None, unnamed: str) -> list[TensorMetadata]:
    if schema is None:
        return []
    if schema.is_tensor_spec():
        return [
            TensorMetadata(
                name=str(spec.name) if spec.name is not None else f"{unnamed[:-1]}{index}",
                datatype=_expected_datatype(spec.type),
                shape=[int(dim) for dim in spec.shape],
            )
            for index, spec in enumerate(cast("list[TensorSpec]", schema.inputs))
        ]
    return [
        TensorMetadata(
            name=str(spec.name) if spec.name is not None else f"{unnamed[:-1]}{index}",
            datatype=_expected_datatype(_column_dtype(spec)),
            shape=[-1],
        )
        for index, spec in enumerate(schema.inputs)
    ]


def input_metadata(signature: ModelSignature | None) -> list[TensorMetadata]:
    return _schema_metadata(signature.inputs if signature else None, UNNAMED_INPUT)


def output_metadata(signature: ModelSignature | None) -> list[TensorMetadata]:
    return _schema_metadata(signature.outputs if signature else None, UNNAMED_OUTPUT)


def output_names(signature: ModelSignature | None) -> list[str]:
    return [meta.name for meta in output_metadata(signature)]


def known_datatypes() -> list[str]:
    return list(DATATYPES)
