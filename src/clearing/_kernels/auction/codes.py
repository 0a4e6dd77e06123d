"""Integer codes shared by the call-market kernels and their wrappers.

The per-order reason codes are those of :class:`clearing._status.AuctionCode`, the one
table that also maps each to the public :class:`clearing.AuctionReason`; they are read
from it here as plain ints (what numba freezes into the compiled code). The mechanism
codes and the columns of the per-market statistics exist only here.
"""

from __future__ import annotations

from ..._status import AuctionCode

UNIFORM = 0
MCAFEE = 1
SBBA = 2
HUANG = 3
VCG = 4
PAY_AS_BID = 5

FILLED = int(AuctionCode.FILLED)
PRICED_OUT = int(AuctionCode.PRICED_OUT)
TRADE_REDUCTION = int(AuctionCode.TRADE_REDUCTION)
LOTTERY = int(AuctionCode.LOTTERY)
PRICE_SETTER = int(AuctionCode.PRICE_SETTER)
RATIONED = int(AuctionCode.RATIONED)
ZERO_QUANTITY = int(AuctionCode.ZERO_QUANTITY)

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
