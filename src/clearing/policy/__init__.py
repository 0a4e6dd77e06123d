"""Guard rails: the declarative :class:`Policy` and its rules.

A policy holds hard rules (never violated by any allocation of :func:`clearing.clear`),
gray-zone rules (requests routed to a bilateral negotiation instead of the market) and
consequences of failure (terms attached to every allocation). Build one in Python or load it
with :meth:`Policy.from_toml`; the TOML format is documented in ``docs/api/market.md``.
"""

from __future__ import annotations

from .._public import export
from ._policy import Policy
from ._rules import FailureTerms, Forbidden, Negotiate, ServiceRules

__all__ = ["FailureTerms", "Forbidden", "Negotiate", "Policy", "ServiceRules"]

export("clearing", globals(), ["Policy"])
export("clearing.policy", globals(), ["FailureTerms", "Forbidden", "Negotiate", "ServiceRules"])
