"""Conversions between numpy/pandas values and the extension module's inputs and outputs.

Nothing here computes a statistic: inputs become contiguous float64 arrays (no copy when they
already are), outputs get the input's index back when the input was a pandas Series.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple

import numpy as np
import pandas as pd


def as_f64(value: Any, fn: str, what: str) -> Tuple[np.ndarray, Optional[pd.Index]]:
    """``value`` as a one-dimensional contiguous float64 array, and its index if a Series.

    A contiguous float64 array is passed on as it is (no copy); any other numeric dtype
    (integers, float32, booleans, pandas' nullable types with ``NA`` as NaN) is converted.
    Anything else is a ``TypeError`` naming the function and the argument.
    """
    index = None
    if isinstance(value, pd.DataFrame):
        raise TypeError(
            f"{fn}: {what} must be a one-dimensional array or a pandas Series, got a DataFrame"
            " (pick a column, e.g. df['close'])"
        )
    if isinstance(value, pd.Series):
        index = value.index
        if not _numeric_dtype(value.dtype):
            raise TypeError(
                f"{fn}: {what} must be numeric (float64), got a Series of dtype {value.dtype}"
            )
        try:
            if value.dtype == np.float64:
                # NaN is already NaN: the values themselves, without the copy and the pass
                # over them that ``na_value`` costs (2.5 ns an element at 10^6).
                arr = value.to_numpy()
            else:
                arr = value.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"{fn}: {what} must be numeric (float64), got a Series of dtype {value.dtype}"
            ) from e
    else:
        arr = np.asarray(value)
        if not _numeric_dtype(arr.dtype):
            if arr.dtype.kind == "O":
                try:
                    arr = arr.astype(np.float64)
                except (TypeError, ValueError) as e:
                    raise TypeError(
                        f"{fn}: {what} must be numeric (float64), got values of dtype object"
                        f" that are not numbers ({e})"
                    ) from e
            else:
                raise TypeError(f"{fn}: {what} must be numeric (float64), got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{fn}: {what} must be one-dimensional, got {arr.ndim} dimensions")
    return np.ascontiguousarray(arr, dtype=np.float64), index


def _numeric_dtype(dtype: Any) -> bool:
    """Integers, floats and booleans (numpy or pandas' extension dtypes)."""
    try:
        return bool(
            pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)
        )
    except TypeError:
        return False


def common_index(fn: str, names: Sequence[str], indexes: Sequence[Optional[pd.Index]],
                 lengths: Sequence[int]) -> Optional[pd.Index]:
    """The index of the output: that of the Series among the inputs (they must agree).

    Inputs of different lengths are left to the kernel, whose error says so in the words of the
    command line; Series of the same length with different indexes are an error here (nothing
    is aligned silently).
    """
    found = [(n, i) for n, i in zip(names, indexes) if i is not None]
    if not found:
        return None
    if len(set(lengths)) > 1:
        return found[0][1]
    first_name, first = found[0]
    for name, idx in found[1:]:
        if not first.equals(idx):
            raise ValueError(
                f"{fn}: {first_name} and {name} have different indexes: align them first"
                f" (e.g. {first_name}, {name} = {first_name}.align({name}, join='inner'))"
            )
    return first


def series(arr: np.ndarray, index: Optional[pd.Index], name: str) -> Any:
    """``arr`` itself, or a Series on ``index`` (no copy of the values)."""
    if index is None:
        return arr
    return pd.Series(arr, index=index, name=name, copy=False)


def frame(cols: Sequence[Tuple[str, np.ndarray]], index: Optional[pd.Index]) -> Any:
    """The arrays as a tuple, or a DataFrame on ``index`` with these column names."""
    if index is None:
        return tuple(a for _, a in cols)
    return pd.DataFrame({n: a for n, a in cols}, index=index, copy=False)
