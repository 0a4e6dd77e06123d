"""Assignment and transport: who serves whom, with competitive prices, and their results."""

from __future__ import annotations

from .._public import export
from ._api import assign, assign_batch, linear_sum_assignment, transport
from ._results import AssignmentBatchResult, AssignmentReason, AssignmentResult, TransportResult

__all__ = [
    "AssignmentBatchResult",
    "AssignmentReason",
    "AssignmentResult",
    "TransportResult",
    "assign",
    "assign_batch",
    "linear_sum_assignment",
    "transport",
]

export("clearing", globals(), __all__)
