"""Bearer tokens and what each may see: everything (an administrator) or one team's view.

A service with tokens refuses a request without one, or with one it does not know, with
401 (RFC 6750 ``invalid_token``), and a known token asking for more than it may see with
403 (``insufficient_scope``). Tokens are compared in constant time, and no message ever
repeats the token it was given.

A token file (``clearing serve --http --tokens FILE``) is TOML or JSON with one table,
``tokens``, that maps each token to the team it may see, or to ``"*"`` for everything::

    [tokens]
    "k3v9-admin-7Qe" = "*"
    "f1n-Xa82-team" = "finance"
"""

from __future__ import annotations

import hmac
import json
import pathlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["ALL", "TokenError", "Tokens", "merge", "read_tokens", "team_token"]

#: What a token file maps an administrator's token to: it may see every team.
ALL = "*"
_SYNTAX = re.compile(r"[A-Za-z0-9\-._~+/]+=*")  # RFC 6750 b64token: safe in a header


class TokenError(ValueError):
    """A token, a ``TEAM=TOKEN`` pair or a token file that cannot be used."""


class Tokens:
    """Bearer tokens, each mapped to the team it may see (``None``: every team).

    Examples
    --------
    >>> tokens = Tokens({"adm-1": None, "fin-2": "finance"})
    >>> tokens.scope("fin-2"), tokens.scope("adm-1"), tokens.scope("nope")
    ((True, 'finance'), (True, None), (False, None))
    >>> Tokens({"a b": None})
    Traceback (most recent call last):
    ...
    clearing_bindings.board._tokens.TokenError: tokens[0]: a token is letters, digits and -._~+/ (RFC 6750), at least 1 character
    """  # noqa: E501

    def __init__(self, scopes: Mapping[str, str | None]) -> None:
        for i, (token, team) in enumerate(scopes.items()):
            if not isinstance(token, str) or not _SYNTAX.fullmatch(token):
                raise TokenError(
                    f"tokens[{i}]: a token is letters, digits and -._~+/ (RFC 6750), "
                    "at least 1 character"
                )
            if team is not None and (not isinstance(team, str) or not team or team == ALL):
                raise TokenError(f"tokens[{i}]: the team must be a non-empty name")
        self._scopes = [(t.encode(), team) for t, team in scopes.items()]

    def __len__(self) -> int:
        return len(self._scopes)

    @property
    def admins(self) -> int:
        """How many tokens may see everything."""
        return sum(team is None for _, team in self._scopes)

    def scope(self, given: str) -> tuple[bool, str | None]:
        """``(known, team)``: whether ``given`` is a token here, and the team it may see
        (``None``: every team).

        Every known token is compared, in constant time, whatever matches first.
        """
        raw = given.strip().encode()
        known, scope = False, None
        for token, team in self._scopes:
            if hmac.compare_digest(raw, token) and not known:
                known, scope = True, team
        return known, scope


def team_token(text: str) -> tuple[str, str]:
    """``(token, team)`` from ``TEAM=TOKEN`` (the ``--team-token`` option).

    >>> team_token("finance=f1n-Xa82")
    ('f1n-Xa82', 'finance')
    """
    team, sep, token = text.partition("=")
    if not sep or not team.strip() or not token:
        raise TokenError("--team-token takes TEAM=TOKEN (a team name, '=', its token)")
    return token, team.strip()


def read_tokens(path: str | pathlib.Path) -> dict[str, str | None]:
    """The token -> team mapping of a TOML or JSON token file (``"*"`` becomes ``None``)."""
    p = pathlib.Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise TokenError(f"{p}: {exc.strerror or exc}") from None
    try:
        data: Any = json.loads(text) if p.suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        kind = "JSON" if p.suffix == ".json" else "TOML"
        raise TokenError(f"{p}: not {kind}: {exc}") from None
    table = data.get("tokens") if isinstance(data, dict) else None
    if not isinstance(table, dict) or not table:
        raise TokenError(f"{p}: needs a non-empty table 'tokens' of token = team (or '*')")
    out: dict[str, str | None] = {}
    for token, team in table.items():
        if not isinstance(team, str) or not team:
            raise TokenError(f"{p}: tokens: the value of a token must be a team name or '*'")
        out[token] = None if team == ALL else team
    return out


def merge(pairs: Iterable[tuple[str, str | None]]) -> dict[str, str | None]:
    """One mapping from ``(token, team)`` pairs; a token given twice is an error."""
    out: dict[str, str | None] = {}
    for token, team in pairs:
        if token in out:
            raise TokenError("the same token is given twice (each token names one scope)")
        out[token] = team
    return out
