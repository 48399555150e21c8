"""Tables for the tabular templates: reading a dataset's CSV or Parquet files, choosing the target
and the feature columns, and the seeded train/test split.

Every problem a user can fix raises JobError with the reason the portal shows: "dataset not found"
(no table file), "dataset is malformed" (a file pandas or pyarrow cannot read, files whose columns
differ), "target column not found", "unusable table" (too few rows, one class only, a column type
the models cannot use, no feature column).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mlops_runtime.errors import JobError

__all__ = [
    "MAX_CLASSES",
    "MIN_ROWS",
    "TABLE_SUFFIXES",
    "FeatureColumns",
    "Split",
    "TargetTable",
    "load_table",
    "split_rows",
    "target_table",
]

TABLE_SUFFIXES = {"csv": (".csv", ".csv.gz"), "parquet": (".parquet", ".pq")}
MIN_ROWS = 10
MAX_CLASSES = 100
DATASET_NOT_FOUND = "dataset not found"
DATASET_MALFORMED = "dataset is malformed"
TARGET_NOT_FOUND = "target column not found"
UNUSABLE_TABLE = "unusable table"


@dataclass(frozen=True)
class FeatureColumns:
    """The input columns by how the models use them: numbers as they are, text as categories."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]

    @property
    def all(self) -> list[str]:
        return [*self.numeric, *self.categorical]


@dataclass(frozen=True)
class TargetTable:
    """The features (numeric columns as float64, categorical ones as text) and the target."""

    features: pd.DataFrame
    target: pd.Series
    columns: FeatureColumns
    dropped_rows: int
    """Rows left out because their target is missing."""


@dataclass(frozen=True)
class Split:
    train_features: pd.DataFrame
    test_features: pd.DataFrame
    train_target: pd.Series
    test_target: pd.Series


def table_files(folder: Path, data_format: str) -> list[Path]:
    """The dataset's files of `data_format`, by name; `folder` may also be one file."""
    suffixes = TABLE_SUFFIXES.get(data_format)
    if suffixes is None:
        raise JobError(
            DATASET_MALFORMED,
            f"tabular templates read {', '.join(TABLE_SUFFIXES)} tables, not {data_format!r}",
        )
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise JobError(DATASET_NOT_FOUND, f"no dataset files at {folder}")
    files = sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.name.lower().endswith(suffixes)
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )
    if not files:
        raise JobError(
            DATASET_NOT_FOUND, f"no {' or '.join(suffixes)} file in the dataset folder {folder}"
        )
    return files


def _read_one(path: Path, data_format: str) -> pd.DataFrame:
    try:
        if data_format == "parquet":
            import pyarrow.parquet as pq  # noqa: PLC0415  (only Parquet datasets need it)

            return pq.read_table(path).to_pandas()
        return pd.read_csv(path)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        # pyarrow's ArrowInvalid is a ValueError; pandas' EmptyDataError too.
        raise JobError(DATASET_MALFORMED, f"{path.name}: {error}") from None


def load_table(folder: Path, data_format: str) -> pd.DataFrame:
    """All table files of the dataset, one after the other (they must have the same columns)."""
    files = table_files(folder, data_format)
    frames = [_read_one(path, data_format) for path in files]
    first = list(frames[0].columns)
    for path, frame in zip(files[1:], frames[1:], strict=True):
        if list(frame.columns) != first:
            raise JobError(
                DATASET_MALFORMED,
                f"{path.name} has the columns {list(frame.columns)}, "
                f"but {files[0].name} has {first}: every file of a table needs the same columns",
            )
    table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    table.columns = [str(column) for column in table.columns]
    return table


def _feature_columns(table: pd.DataFrame) -> FeatureColumns:
    numeric, categorical, unusable = [], [], []
    for name, dtype in table.dtypes.items():
        column = str(name)
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            if pd.api.types.is_complex_dtype(dtype):
                unusable.append(f"{column} ({dtype})")
            else:
                numeric.append(column)
        elif (
            isinstance(dtype, pd.CategoricalDtype)
            or pd.api.types.is_string_dtype(dtype)
            or pd.api.types.is_object_dtype(dtype)
        ):
            categorical.append(column)
        else:
            unusable.append(f"{column} ({dtype})")
    if unusable:
        raise JobError(
            UNUSABLE_TABLE,
            f"feature column(s) {', '.join(unusable)} are neither numbers nor text; "
            "convert them (e.g. dates to numbers) or remove them from the dataset",
        )
    return FeatureColumns(numeric=tuple(numeric), categorical=tuple(categorical))


def _as_text(column: pd.Series) -> pd.Series:
    """Text categories as Python strings (mixed types would break the encoders), missing kept."""
    missing = column.isna()
    return column.astype(object).map(str).where(~missing, np.nan)


def target_table(table: pd.DataFrame, target_column: str, task: str) -> TargetTable:
    """Splits `table` into features and the target for `task` ("classification" or
    "regression"), raising JobError for a table the tabular templates cannot learn from."""
    if not target_column.strip():
        raise JobError(TARGET_NOT_FOUND, "the target column is empty: set target_column")
    if target_column not in table.columns:
        raise JobError(
            TARGET_NOT_FOUND,
            f"the table has no column {target_column!r} (its columns: "
            f"{', '.join(map(repr, table.columns))}); set target_column to one of them",
        )
    labeled = table[table[target_column].notna()]
    dropped = len(table) - len(labeled)
    if len(labeled) < MIN_ROWS:
        raise JobError(
            UNUSABLE_TABLE,
            f"too few rows: {len(labeled)} row(s) have a value in {target_column!r}; "
            f"at least {MIN_ROWS} are needed to train and test a model",
        )
    target = labeled[target_column]
    if task == "regression":
        if not pd.api.types.is_numeric_dtype(target.dtype) or pd.api.types.is_bool_dtype(
            target.dtype
        ):
            raise JobError(
                UNUSABLE_TABLE,
                f"regression needs a numeric target, but {target_column!r} holds "
                f"{target.dtype} values (e.g. {target.iloc[0]!r}); choose the classification task",
            )
        target = pd.Series(target.to_numpy(dtype=np.float64), index=target.index)
    else:
        target = _class_labels(target, target_column)
    features = labeled.drop(columns=[target_column])
    if features.shape[1] == 0:
        raise JobError(
            UNUSABLE_TABLE, f"the table has no column besides the target {target_column!r}"
        )
    columns = _feature_columns(features)
    features = features.copy()
    for name in columns.numeric:
        # to_numpy with na_value: nullable integer and boolean columns may hold pd.NA.
        features[name] = features[name].to_numpy(dtype=np.float64, na_value=np.nan)
    for name in columns.categorical:
        features[name] = _as_text(features[name])
    return TargetTable(
        features=features.reset_index(drop=True),
        target=target.reset_index(drop=True),
        columns=columns,
        dropped_rows=dropped,
    )


def _class_labels(target: pd.Series, target_column: str) -> pd.Series:
    """The target's classes, checked for a usable count: numbers stay numbers, anything else
    becomes text (a classifier needs labels of one type)."""
    numeric = pd.api.types.is_numeric_dtype(target.dtype)
    labels = target if numeric else _as_text(target)
    classes = labels.nunique()
    if classes < 2:
        raise JobError(
            UNUSABLE_TABLE,
            f"the target {target_column!r} has only one value ({labels.iloc[0]!r}): "
            "classification needs at least two classes",
        )
    if classes > MAX_CLASSES:
        raise JobError(
            UNUSABLE_TABLE,
            f"the target {target_column!r} has {classes} distinct values, more than the "
            f"{MAX_CLASSES} classes a classifier takes; to predict a number, choose the "
            "regression task",
        )
    return labels


def split_rows(data: TargetTable, test_fraction: float, seed: int, *, stratify: bool) -> Split:
    """A seeded random train/test split; for classification, stratified by class when every class
    has at least two rows, so each class appears in both parts in proportion."""
    from sklearn.model_selection import train_test_split  # noqa: PLC0415

    counts = data.target.value_counts()
    strata = data.target if stratify and counts.min() >= 2 else None
    test_rows = max(1, round(len(data.target) * test_fraction))
    if strata is not None and test_rows < len(counts):
        strata = None
    train_x, test_x, train_y, test_y = train_test_split(
        data.features,
        data.target,
        test_size=test_rows,
        random_state=seed % 2**32,
        stratify=strata,
    )
    return Split(train_x, test_x, train_y, test_y)
