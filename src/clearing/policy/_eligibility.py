"""From a :class:`Policy` and the input tables to eligibility, rationing and trimming arrays.

Rules are applied in a fixed order and the first that applies names the reason:

offers
    ``forbidden`` (provider, or service x provider) -> ``mandatory_provider`` (another provider
    is mandatory) -> ``external_not_allowed`` -> ``min_quality`` (unrated counts as 0) ->
    ``price_cap`` (ask above the cap). Asks below the floor are raised to the floor.
requests
    ``forbidden`` (team, team x service, service) -> ``price_floor`` (``max_price`` below the
    floor). ``max_price`` above the cap is lowered to the cap. Then gray-zone rules (first
    matching ``negotiate`` rule) and finally budgets (:func:`ration`).
pairs
    ``forbidden`` rules naming a team and a provider act on pairs; a service they touch is
    cleared by transport, where a pair can be excluded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._records import Labels, Offers, Requests, exact_text
from .._validate import FloatArray, IntArray
from ._policy import Policy
from ._rules import fail

__all__ = ["Eligibility", "codes_of", "label_codes", "lex_order", "ration", "resolve", "trim_level"]

F_OK, F_FORBIDDEN, F_MANDATORY, F_EXTERNAL, F_MIN_QUALITY, F_CAP, F_FLOOR = 0, 1, 2, 3, 4, 5, 6


@dataclass(slots=True)
class Eligibility:
    """Per-service rule arrays and per-order exclusion codes (0 = eligible)."""

    cap: FloatArray
    floor: FloatArray
    conc: FloatArray
    min_quality: FloatArray
    mandatory: IntArray
    failure: FloatArray  # (n_services, 3): refund_share, penalty, rating_change
    offer_code: np.ndarray
    offer_rule: np.ndarray
    request_code: np.ndarray
    request_rule: np.ndarray | None  # None: no request is excluded (every code is 0)
    pairs: list[tuple[int, int, int, str]]  # team, provider, service (-1 = any), location
    pair_services: np.ndarray  # bool per service: touched by a pair rule
    nego_rule: IntArray  # per request: index of the first matching negotiate rule, or -1
    nego_labels: list[str]
    nego_provider: list[int]  # per rule: provider code or -1


def _loc(services: np.ndarray, key: str) -> np.ndarray:
    """``services.<name>.<key>`` for every service, as an object array."""
    out = np.empty(len(services), dtype=object)
    out[:] = [f"services.{v}.{key}" for v in services.tolist()]
    return out


def label_codes(labels: np.ndarray) -> dict[str, int]:
    """``str(label) -> code`` for factorised labels (as the policy names them: by text)."""
    names = labels.tolist()
    if set(map(type, names)) - {str}:
        names = [str(v) for v in names]
    return dict(zip(names, range(len(names)), strict=True))


def codes_of(labels: Labels, names: list[str]) -> IntArray:
    """The code of each of ``names`` among factorised ``labels`` (by text), -1 if absent."""
    text = labels.text
    wanted = exact_text(names) if text is not None else None
    if text is None or wanted is None:  # no str labels, no names, or names str would change
        table = label_codes(labels.labels)
        return np.array([table.get(name, -1) for name in names], dtype=np.int64)
    pos = np.searchsorted(text, wanted)
    found = pos < len(text)
    found[found] = text[pos[found]] == wanted[found]
    return np.where(found, pos, -1).astype(np.int64)


class _Rules:
    """A row array of rule locations (``None`` = no rule), made on the first write."""

    __slots__ = ("_array", "_n")

    def __init__(self, n: int) -> None:
        self._n = n
        self._array: np.ndarray | None = None

    def __setitem__(self, mask: np.ndarray, value: Any) -> None:
        if self._array is None:
            self._array = np.full(self._n, None, dtype=object)
        self._array[mask] = value

    def array(self) -> np.ndarray | None:
        """The locations, or ``None`` when no row has one."""
        return self._array


class _LazyCodes:
    """:func:`label_codes` of ``labels``, built on the first lookup (most policies name no team)."""

    __slots__ = ("_codes", "_labels")

    def __init__(self, labels: Labels) -> None:
        self._labels = labels
        self._codes: dict[str, int] | None = None

    def get(self, name: str, default: int) -> int:
        if self._codes is None:
            self._codes = label_codes(self._labels.labels)
        return self._codes.get(name, default)


def resolve(policy: Policy, req: Requests, off: Offers, services: np.ndarray) -> Eligibility:
    """Check the policy against the data and compute every exclusion (nothing is cleared)."""
    n_s = len(services)
    svc = label_codes(services)
    teams = _LazyCodes(req.team)
    provs = label_codes(off.provider.labels)

    def service_code(name: Any, location: str) -> int:
        if str(name) not in svc:
            raise fail(
                location,
                f"unknown service {name!r}; services in the data: "
                f"{', '.join(map(str, services.tolist()))}",
                name,
            )
        return svc[str(name)]

    cap = np.full(n_s, np.inf)
    floor = np.zeros(n_s)
    conc = np.full(n_s, np.nan)
    minq = np.full(n_s, np.nan)
    mandatory = np.full(n_s, -1, dtype=np.int64)
    external_ok = np.ones(n_s, dtype=bool)
    failure = np.zeros((n_s, 3))
    for name, rules in policy.services.items():
        s = service_code(name, f"services.{name}")
        cap[s] = np.inf if rules.price_cap is None else rules.price_cap
        floor[s] = 0.0 if rules.price_floor is None else rules.price_floor
        conc[s] = np.nan if rules.concentration_cap is None else rules.concentration_cap
        minq[s] = np.nan if rules.min_quality is None else rules.min_quality
        external_ok[s] = rules.external_allowed
        if rules.mandatory_provider is not None:
            mp = str(rules.mandatory_provider)
            if mp not in provs:
                raise fail(
                    f"services.{name}.mandatory_provider",
                    f"provider {mp!r} has no offer in the data",
                    mp,
                )
            mandatory[s] = provs[mp]
            theirs = (off.provider.codes == provs[mp]) & (off.service == s)
            if not rules.external_allowed and theirs.any() and off.external[theirs].all():
                raise fail(
                    f"services.{name}.mandatory_provider",
                    f"provider {mp!r} is an outside vendor, but services.{name}."
                    "external_allowed = false: no offer could ever serve the service",
                    mp,
                )
        if rules.failure is not None:
            ft = rules.failure
            failure[s] = (ft.refund_share, ft.penalty, ft.rating_change)

    no, nr = len(off), len(req)
    o_code = np.zeros(no, dtype=np.int8)
    o_rule = np.full(no, None, dtype=object)
    r_code = np.zeros(nr, dtype=np.int8)
    # one location per excluded row; the rows' array is made when the first is excluded
    # (most requests never are, and an object array of 100,000 Nones costs)
    r_rule = _Rules(nr)

    def mark(
        code_arr: np.ndarray,
        rule_arr: np.ndarray | _Rules,
        mask: np.ndarray,
        code: int,
        rule: Any,
        service: np.ndarray | None = None,
    ) -> None:
        """Give ``code`` and ``rule`` to the rows of ``mask`` not excluded yet; with
        ``service``, ``rule`` holds one location per service (a function returning them:
        called only when a row is marked)."""
        mask = mask & (code_arr == 0)
        if not mask.any():
            return
        code_arr[mask] = code
        if service is not None:
            rule = rule() if callable(rule) else rule
        rule_arr[mask] = rule if service is None else rule[service[mask]]

    pairs: list[tuple[int, int, int, str]] = []
    pair_services = np.zeros(n_s, dtype=bool)
    o_prov, o_svc = off.provider.codes, off.service
    r_team, r_svc = req.team.codes, req.service
    for i, f in enumerate(policy.forbidden):
        loc = f"forbidden[{i}]"
        s = service_code(f.service, f"{loc}.service") if f.service is not None else -1
        p = provs.get(str(f.provider), -2) if f.provider is not None else -1
        t = teams.get(str(f.team), -2) if f.team is not None else -1
        if p == -2 or t == -2:
            continue  # names a team or provider absent this period: nothing to exclude
        if f.team is not None and f.provider is not None:
            pairs.append((t, p, s, loc))
            touched = np.isin(np.arange(n_s), np.unique(r_svc[r_team == t])) & np.isin(
                np.arange(n_s), np.unique(o_svc[o_prov == p])
            )
            pair_services |= touched if s < 0 else touched & (np.arange(n_s) == s)
        elif f.provider is not None:
            mark(
                o_code, o_rule, (o_prov == p) & ((o_svc == s) if s >= 0 else True), F_FORBIDDEN, loc
            )
        else:
            m = np.ones(nr, dtype=bool)
            if t >= 0:
                m &= r_team == t
            if s >= 0:
                m &= r_svc == s
            mark(r_code, r_rule, m, F_FORBIDDEN, loc)

    mand = mandatory[o_svc] if no else np.empty(0, dtype=np.int64)
    mark(
        o_code,
        o_rule,
        (mand >= 0) & (o_prov != mand),
        F_MANDATORY,
        lambda: _loc(services, "mandatory_provider"),
        o_svc,
    )
    mark(
        o_code,
        o_rule,
        off.external & ~external_ok[o_svc],
        F_EXTERNAL,
        lambda: _loc(services, "external_allowed"),
        o_svc,
    )
    q = np.where(np.isnan(off.quality), 0.0, off.quality)
    with np.errstate(invalid="ignore"):
        below = q < minq[o_svc]
    mark(
        o_code,
        o_rule,
        below,
        F_MIN_QUALITY,
        lambda: _loc(services, "min_quality"),
        o_svc,
    )
    mark(
        o_code,
        o_rule,
        off.ask > cap[o_svc],
        F_CAP,
        lambda: _loc(services, "price_cap"),
        o_svc,
    )
    mark(
        r_code,
        r_rule,
        req.max_price < floor[r_svc],
        F_FLOOR,
        lambda: _loc(services, "price_floor"),
        r_svc,
    )

    nego = np.full(nr, -1, dtype=np.int64)
    labels: list[str] = []
    nprov: list[int] = []
    for i, g in enumerate(policy.negotiate):
        loc = f"negotiate[{i}]"
        labels.append(g.describe(loc))
        # a request for nothing has nothing to negotiate (it is neither served nor unserved)
        m = (nego < 0) & (r_code == 0) & (req.quantity > 0)
        if g.service is not None:
            m &= r_svc == service_code(g.service, f"{loc}.service")
        if g.team is not None:
            m &= r_team == teams.get(str(g.team), -2)
        if g.min_quantity is not None:
            m &= req.quantity >= g.min_quantity
        if g.above_cap is not None:
            c = cap[r_svc]
            m &= (req.max_price > c) & (req.max_price <= c + g.above_cap)
        p = -1
        if g.provider is not None:
            p = provs.get(str(g.provider), -2)
            if p == -2:
                m &= False
        nprov.append(p)
        nego[m] = i
    return Eligibility(
        cap,
        floor,
        conc,
        minq,
        mandatory,
        failure,
        o_code,
        o_rule,
        r_code,
        r_rule.array(),
        pairs,
        pair_services,
        nego,
        labels,
        nprov,
    )


def pair_mask(elig: Eligibility, team: IntArray, provider: IntArray, service: int) -> np.ndarray:
    """``mask[i, j]`` is True where a pair rule forbids team ``team[i]`` x ``provider[j]``."""
    mask = np.zeros((len(team), len(provider)), dtype=bool)
    for t, p, s, _ in elig.pairs:
        if s in (-1, service):
            mask |= (team == t)[:, None] & (provider == p)[None, :]
    return mask


def lex_order(keys: tuple[np.ndarray, ...]) -> IntArray:
    """``np.lexsort(keys)`` (the last key primary, ties in index order) in one integer sort.

    Each key is replaced by its rank (small non-negative whole keys are their own rank), the
    ranks and the row index are combined into one int64 per row, all distinct, which an
    unstable (vectorised) sort orders exactly as the stable sort over the keys would. The
    values are sorted, not their indices (a sort of values is several times faster), and
    the row index is read back from the lowest digit. Keys whose ranks do not fit in 63
    bits together go to ``np.lexsort``.
    """
    n = len(keys[0]) if keys else 0
    combined = np.arange(n, dtype=np.int64)
    span = 1 << max(n - 1, 0).bit_length()  # a power of two: the row index is a bit mask
    for key in keys:  # the first key is the least significant
        whole = key.dtype.kind in "iu" or (key.dtype.kind == "f" and (key == np.floor(key)).all())
        if whole and key.size and key.min() >= 0 and key.max() < 2**31:  # its own rank
            code, size = key.astype(np.int64, copy=False), int(key.max()) + 1
        else:
            distinct, code = np.unique(key, return_inverse=True)
            size = len(distinct)
        if span * max(size, 1) >= 2**63:
            return np.lexsort(keys)
        combined += code.astype(np.int64).ravel() * span
        span *= max(size, 1)
    combined.sort()
    combined &= (1 << max(n - 1, 0).bit_length()) - 1  # the row index: the lowest digit
    return combined


def ration(
    team: IntArray,
    order_key: tuple[np.ndarray, ...],
    quantity: FloatArray,
    worst: FloatArray,
    whole: np.ndarray,
    budget: FloatArray,
) -> FloatArray:
    """Quantities each request may bid so that its team's worst-case spend fits its budget.

    A team's requests are funded in order (``order_key``: keys, the most significant first,
    e.g. ``(priority,)``; then input order), each
    at its worst-case unit price ``worst``. Every request that fits is funded in full; the
    first that does not gets what the rest of the budget buys (whole units where ``whole``);
    every later request of that team gets nothing, even a cheaper one that would fit: a
    lower-priority request never jumps a higher-priority one. ``budget`` is +inf for teams
    without a budget. Since no mechanism charges a buyer more than its bid, the realised
    spend never exceeds the budget.
    """
    out = quantity.copy()
    limited = np.isfinite(budget)
    if not limited.any():
        return out
    idx = np.flatnonzero(limited[team] & (quantity > 0))
    if idx.size == 0:
        return out
    order = idx[lex_order((*(k[idx] for k in reversed(order_key)), team[idx]))]
    t = team[order]
    limit = budget[t]
    q = quantity[order]
    w = worst[order]
    cost = q * w
    before = np.cumsum(cost) - cost
    start = np.r_[True, t[1:] != t[:-1]]
    group = np.cumsum(start) - 1
    before -= before[np.flatnonzero(start)][group]  # spend of earlier requests, same team
    left = limit - before
    fits = before + cost <= limit  # a prefix of each team's requests (costs are >= 0)
    prev_fits = np.r_[True, fits[:-1]] | start
    first_break = ~fits & prev_fits
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.where(w > 0, np.maximum(left, 0.0) / w, q)
    part = np.minimum(part, q)
    part = np.where(whole[order], np.floor(part), part)
    over = part * w > left  # rounding guard: never let part * w exceed what is left
    part[over] = np.where(whole[order][over], part[over] - 1.0, np.nextafter(part[over], 0.0))
    part = np.maximum(part, 0.0)
    out[order] = np.where(fits, q, np.where(first_break, part, 0.0))
    return out


def trim_level(volumes: FloatArray, share: float, whole: bool) -> float:
    """The largest per-provider level L with L <= share * sum(min(volumes, L)).

    Capping every provider at L holds the concentration cap on the trimmed volume exactly
    (``g(L) = share * sum(min(v, L)) - L`` is concave with ``g(0) = 0``, so every level in
    ``[0, L]`` is feasible too; whole units use ``floor(L)``). No iteration: one pass over
    the sorted volumes.
    """
    v = np.sort(volumes[volumes > 0])
    n = len(v)
    if n == 0 or v[-1] <= share * v.sum():
        return float(v[-1]) if n else 0.0
    below = 0.0  # sum of the k smallest volumes, all under the level
    level = 0.0
    for k in range(n):
        rest = n - k
        denom = 1.0 - share * rest
        if denom > 0:
            level = share * below / denom
            if level <= v[k]:
                break
        below += v[k]
    else:  # pragma: no cover - unreachable: the top volume violates the cap
        level = 0.0
    level = min(level, float(v[-1]))
    return float(np.floor(level)) if whole else level
