"""What the dataset readers share: the error they raise and the arrays they return."""

from dataclasses import dataclass, field

import numpy as np

PREVIEW_ROWS = 20


class DatasetInvalid(Exception):
    def __init__(self, message: str, *, line: int | None = None, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    @property
    def details(self) -> dict:
        return {
            k: v for k, v in {"line": self.line, "column": self.column}.items() if v is not None
        }


@dataclass
class Table:
    """Columns by name: float64 arrays for numeric columns, str arrays for categorical ones."""

    columns: dict[str, np.ndarray] = field(default_factory=dict)
    x: np.ndarray | None = None  # NPZ only
    y: np.ndarray | None = None
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None


def categorical_limit(rows: int) -> int:
    """A text column is categorical when it has at most this many distinct values."""
    return min(1000, max(20, rows // 2))


def mean_std(array: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation that stay finite for any finite column: values near 1e308 overflow
    the plain sums (inf would then reach the schema JSON, which PostgreSQL refuses), so such a column
    is summed scaled by its largest magnitude."""
    a = np.asarray(array, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is detected below
        mean, std = float(a.mean()), float(a.std())
    if np.isfinite(mean) and np.isfinite(std):
        return mean, std
    scale = float(np.max(np.abs(a)))
    scaled = a / scale
    return float(scaled.mean()) * scale, float(scaled.std()) * scale
