"""Joining the inputs of several requests into one model call and splitting the output again."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

__all__ = ["batch_key", "concat_inputs", "row_count", "split_output"]


def batch_key(model_input: Any) -> Hashable | None:
    """Inputs with equal keys can be concatenated along their first axis; None: never."""
    import pandas as pd  # noqa: PLC0415

    if isinstance(model_input, pd.DataFrame):
        return ("frame", tuple(model_input.columns), tuple(map(str, model_input.dtypes)))
    if isinstance(model_input, np.ndarray) and model_input.ndim >= 1:
        return ("array", model_input.dtype.str, model_input.shape[1:])
    if isinstance(model_input, dict) and all(
        isinstance(value, np.ndarray) and value.ndim >= 1 for value in model_input.values()
    ):
        lengths = {value.shape[0] for value in model_input.values()}
        if len(lengths) != 1:
            return None
        return (
            "dict",
            tuple(
                (name, value.dtype.str, value.shape[1:])
                for name, value in sorted(model_input.items())
            ),
        )
    return None


def row_count(model_input: Any) -> int:
    if isinstance(model_input, dict):
        return int(next(iter(model_input.values())).shape[0])
    return len(model_input)


def concat_inputs(inputs: Sequence[Any]) -> Any:
    import pandas as pd  # noqa: PLC0415

    first = inputs[0]
    if isinstance(first, pd.DataFrame):
        return pd.concat(inputs, ignore_index=True)
    if isinstance(first, np.ndarray):
        return np.concatenate(inputs)
    return {name: np.concatenate([item[name] for item in inputs]) for name in first}


def _slices(counts: Sequence[int]) -> list[tuple[int, int]]:
    bounds = np.cumsum([0, *counts]).tolist()
    return list(pairwise(bounds))


def _rows_of(output: Any) -> int | None:
    """How many rows a pyfunc output has, or None when it is not row-shaped."""
    import pandas as pd  # noqa: PLC0415

    if isinstance(output, pd.DataFrame | pd.Series):
        return len(output)
    if isinstance(output, np.ndarray):
        return None if output.ndim == 0 else int(output.shape[0])
    if isinstance(output, dict) and output:
        lengths = {None if a.ndim == 0 else int(a.shape[0]) for a in output.values()}
        return lengths.pop() if len(lengths) == 1 else None
    return None


def split_output(output: Any, counts: Sequence[int]) -> list[Any] | None:
    """The output rows of each input, or None when the output is not one row per input row."""
    import pandas as pd  # noqa: PLC0415

    if isinstance(output, list):
        output = np.asarray(output)
    if isinstance(output, dict):
        output = {name: np.asarray(value) for name, value in output.items()}
    if _rows_of(output) != sum(counts):
        return None
    slices = _slices(counts)
    if isinstance(output, pd.DataFrame | pd.Series):
        return [output.iloc[start:end] for start, end in slices]
    if isinstance(output, dict):
        return [{name: array[start:end] for name, array in output.items()} for start, end in slices]
    return [output[start:end] for start, end in slices]
