"""Integer codes shared by the call-market kernels and their wrappers."""

from __future__ import annotations

UNIFORM = 0
MCAFEE = 1
SBBA = 2
HUANG = 3
VCG = 4
PAY_AS_BID = 5

FILLED = 0
PRICED_OUT = 1
TRADE_REDUCTION = 2
LOTTERY = 3
PRICE_SETTER = 4
RATIONED = 5
ZERO_QUANTITY = 6

# Columns of the per-market statistics array.
S_VOLUME = 0
S_PRICE = 1
S_BUYER_PRICE = 2
S_SELLER_PRICE = 3
S_LO = 4
S_HI = 5
S_WELFARE = 6
S_MAX_WELFARE = 7
S_SURPLUS = 8
N_STATS = 9
