"""The :class:`Policy`: an organisation's guard rails, declared in Python or loaded from TOML."""

from __future__ import annotations

import functools
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from ._rules import (
    FailureTerms,
    Forbidden,
    Negotiate,
    ServiceRules,
    check_keys,
    fail,
    frozen_mapping,
    number,
)

__all__ = ["Policy"]

_TOP_KEYS = ("services", "forbidden", "budgets", "negotiate")
_SERVICE_KEYS = tuple(f.name for f in fields(ServiceRules))
_FAILURE_KEYS = tuple(f.name for f in fields(FailureTerms))
_FORBIDDEN_KEYS = tuple(f.name for f in fields(Forbidden))
_NEGOTIATE_KEYS = tuple(f.name for f in fields(Negotiate))


def _build(cls: Any, data: Any, allowed: Sequence[str], location: str) -> Any:
    if isinstance(data, cls):
        data.check(location)
        return data
    if not isinstance(data, Mapping):
        raise fail(location, f"must be a table of {', '.join(allowed)}, got {data!r}", data)
    check_keys(data, allowed, location)
    kwargs = dict(data)
    if cls is ServiceRules and kwargs.get("failure") is not None:
        kwargs["failure"] = _build(
            FailureTerms, kwargs["failure"], _FAILURE_KEYS, f"{location}.failure"
        )
    try:
        obj = object.__new__(cls)
        for f in fields(cls):
            object.__setattr__(obj, f.name, kwargs.get(f.name, f.default))
    except TypeError as exc:  # pragma: no cover - defensive
        raise fail(location, str(exc)) from None
    obj.check(location)
    return obj


@dataclass(frozen=True, slots=True, eq=False, kw_only=True)
class Policy:
    """Guard rails for :func:`clearing.clear`: hard rules, gray-zone rules, failure terms.

    Parameters
    ----------
    services : mapping of service name to ServiceRules or dict, optional
        Per-service hard rules (price cap and floor, outside vendors, mandatory provider,
        concentration cap, minimum quality) and consequences of failure.
    forbidden : sequence of Forbidden or dict, optional
        Forbidden team x provider, service x provider, team x service combinations.
    budgets : mapping of team to float, optional
        Spending limit per team for the period (internal currency), >= 0.
    negotiate : sequence of Negotiate or dict, optional
        Gray-zone rules: matching requests are routed to ``Clearing.negotiations``.

    Notes
    -----
    Every entry is validated when the policy is built; a bad entry raises
    :class:`~clearing.PolicyError` naming its location (``services.legal.price_cap``,
    ``forbidden[1].team``). Unknown keys are errors, not ignored.

    Examples
    --------
    >>> from clearing import Policy
    >>> p = Policy(services={"legal": {"price_cap": 100.0, "external_allowed": False}},
    ...            budgets={"team2": 150.0})
    >>> p.services["legal"].price_cap
    100.0
    >>> Policy.from_toml('[services.it]\\nconcentration_cap = 0.5').services["it"]
    ServiceRules(price_cap=None, price_floor=None, external_allowed=True, mandatory_provider=None, concentration_cap=0.5, min_quality=None, failure=None)
    """  # noqa: E501

    services: Mapping[Any, ServiceRules] = field(default_factory=dict)
    forbidden: tuple[Forbidden, ...] = ()
    budgets: Mapping[Any, float] = field(default_factory=dict)
    negotiate: tuple[Negotiate, ...] = ()

    def __post_init__(self) -> None:
        services = self.services if self.services is not None else {}
        if not isinstance(services, Mapping):
            raise fail("services", f"must be a table of services, got {services!r}")
        svc = {}
        for name, rules in services.items():
            if isinstance(name, bool) or not isinstance(name, str | int):
                raise fail(f"services.{name!r}", "service names are strings or integers")
            svc[name] = _build(ServiceRules, rules, _SERVICE_KEYS, f"services.{name}")
        forb = tuple(
            _build(Forbidden, r, _FORBIDDEN_KEYS, f"forbidden[{i}]")
            for i, r in enumerate(_seq(self.forbidden, "forbidden"))
        )
        nego = tuple(
            _build(Negotiate, r, _NEGOTIATE_KEYS, f"negotiate[{i}]")
            for i, r in enumerate(_seq(self.negotiate, "negotiate"))
        )
        budgets = self.budgets if self.budgets is not None else {}
        if not isinstance(budgets, Mapping):
            raise fail("budgets", f"must be a table of team = amount, got {budgets!r}")
        bud = {}
        for team, amount in budgets.items():
            bud[team] = number(amount, f"budgets.{team}", lo=0.0)
        _check_contradictions(svc, forb)
        object.__setattr__(self, "services", frozen_mapping(svc))
        object.__setattr__(self, "forbidden", forb)
        object.__setattr__(self, "budgets", frozen_mapping(bud))
        object.__setattr__(self, "negotiate", nego)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """A policy from the nested mapping a TOML file parses to (unknown keys are errors).

        Examples
        --------
        >>> from clearing import Policy
        >>> Policy.from_dict({"budgets": {"sales": 100.0}}).budgets["sales"]
        100.0
        """
        if not isinstance(data, Mapping):
            raise fail("<policy>", f"must be a table, got {type(data).__name__}")
        check_keys(data, _TOP_KEYS, "")
        return cls(
            services=data.get("services", {}),
            forbidden=data.get("forbidden", ()),
            budgets=data.get("budgets", {}),
            negotiate=data.get("negotiate", ()),
        )

    @classmethod
    def from_toml(cls, source: str | os.PathLike[str]) -> Policy:
        """Load a policy from a TOML file path or from TOML text.

        A string containing a newline or ``=`` is read as TOML text; otherwise it is a path.
        Syntax errors and bad entries raise :class:`~clearing.PolicyError` with the location.

        Examples
        --------
        >>> from clearing import Policy
        >>> Policy.from_toml("[budgets]\\nsales = 100.0").budgets["sales"]
        100.0
        """
        text: str
        where = "<text>"
        if isinstance(source, os.PathLike) or (
            isinstance(source, str) and "\n" not in source and "=" not in source
        ):
            where = os.fspath(source)
            try:
                with open(where, encoding="utf-8") as fh:
                    text = fh.read()
            except OSError as exc:
                raise fail(where, f"cannot read policy file ({exc.strerror})") from None
            except ValueError as exc:  # a NUL byte: neither a path nor TOML
                raise fail("<policy>", f"not a path and not TOML text ({exc})") from None
        elif isinstance(source, str):
            text = source
        else:
            raise fail("<policy>", f"expected a path or TOML text, got {type(source).__name__}")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise fail(where, f"invalid TOML: {exc}") from None
        try:
            return cls.from_dict(data)
        except Exception as exc:
            if where != "<text>" and hasattr(exc, "args") and exc.args:
                exc.args = (f"{exc.args[0]} (in {where})",)
            raise

    @property
    def is_empty(self) -> bool:
        """True when the policy has no rule at all.

        Examples
        --------
        >>> from clearing import Policy
        >>> Policy().is_empty, Policy(budgets={"sales": 1.0}).is_empty
        (True, False)
        """
        return not (self.services or self.forbidden or self.budgets or self.negotiate)

    def __reduce__(self) -> tuple[Any, ...]:
        # the read-only mappings do not pickle; the policy is rebuilt (and re-checked) instead
        kwargs: dict[str, Any] = {
            "services": dict(self.services),
            "forbidden": self.forbidden,
            "budgets": dict(self.budgets),
            "negotiate": self.negotiate,
        }
        return (functools.partial(Policy, **kwargs), ())

    def __repr__(self) -> str:
        return (
            f"Policy(services={sorted(map(str, self.services))}, "
            f"forbidden={len(self.forbidden)} rules, budgets={len(self.budgets)} teams, "
            f"negotiate={len(self.negotiate)} rules)"
        )


def _seq(value: Any, location: str) -> Sequence[Any]:
    if value is None:
        return ()
    if isinstance(value, Mapping | str) or not isinstance(value, Sequence):
        raise fail(location, f"must be a list of tables ([[{location}]]), got {value!r}")
    return value


def _check_contradictions(
    services: dict[Any, ServiceRules], forbidden: tuple[Forbidden, ...]
) -> None:
    for name, rules in services.items():
        mp = rules.mandatory_provider
        if mp is None:
            continue
        for i, f in enumerate(forbidden):
            if f.team is None and f.provider == mp and f.service in (None, name):
                raise fail(
                    f"forbidden[{i}]",
                    f"forbids provider {mp!r}, which services.{name}.mandatory_provider "
                    "makes mandatory",
                )
            if f.team is None and f.provider is None and f.service == name:
                raise fail(
                    f"forbidden[{i}]", f"forbids service {name!r}, which has a mandatory provider"
                )
