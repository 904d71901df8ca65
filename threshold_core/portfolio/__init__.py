"""Many companies at once: batch runs with resume, synthetic portfolios (layer 8).
"""

from __future__ import annotations

from ._batch import (
    run_batch,
)
from ._records import (
    csv_row_to_document,
)
from ._synthetic import (
    synthetic_portfolio,
)

__all__ = [
    "csv_row_to_document",
    "run_batch",
    "synthetic_portfolio",
]
