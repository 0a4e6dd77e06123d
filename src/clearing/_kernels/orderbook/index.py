"""The order book's id index: order id -> slot, in one int64 array ``H``.

Kept apart from :mod:`clearing._kernels.orderbook.book`, which calls these functions from its
event loop. ``H`` is a view into the book's state buffer.
"""

from __future__ import annotations

from ..._jit import jit


@jit
def _home(key, mask):
    """Home bucket of ``key``.

    Parameters
    ----------
    key : int
        An id >= 0.
    mask : int
        Number of buckets - 1 (a power of two - 1).
    """
    # multiplicative mixing of the low 31 and the high bits; every product stays below
    # 2**63, so nothing overflows (also when run as plain Python with the JIT off)
    p = ((key & 0x7FFFFFFF) * 0x9E3779B1) ^ ((key >> 31) * 0x85EBCA77)
    return ((p >> 29) ^ p) & mask


# The id index H: H[0] = dcap; H[2 : 2 + dcap] is a direct table for ids below dcap (slot
# of id k stored as H[2 + k] = slot + 1); the rest is a hash table of (key + 1, slot) pairs
# for larger ids. 0 means empty everywhere, so a freshly zeroed buffer is an empty index
# (and the operating system hands out zeroed pages lazily). Dense ids (0, 1, 2...) never
# touch the hash table, and new orders write the direct table in order.
@jit
def _hash_part(H):
    """``(base, mask)``: where the hash table starts in ``H`` and its bucket mask.

    Parameters
    ----------
    H : ndarray of int64
        The id index (read only).
    """
    base = 2 + H[0]
    return base, ((H.shape[0] - base) >> 1) - 1


@jit
def _bucket(H, key):
    """``(base, mask, i)``: bucket ``i`` of the hash table holding ``key``, or the empty one
    where its probe sequence ends (linear probing from its home bucket).

    Parameters
    ----------
    H : ndarray of int64
        The id index (read only).
    key : int
        An id >= ``H[0]`` (ids below it live in the direct table).
    """
    base, mask = _hash_part(H)
    i = _home(key, mask)
    while H[base + 2 * i] != 0 and H[base + 2 * i] != key + 1:
        i = (i + 1) & mask
    return base, mask, i


@jit
def hash_find(H, key):
    """Slot stored for ``key``, or -1.

    Parameters
    ----------
    H : ndarray of int64
        The id index (read only).
    key : int
        An id >= 0.
    """
    if key < H[0]:
        return H[2 + key] - 1
    base, _, i = _bucket(H, key)
    return H[base + 2 * i + 1] if H[base + 2 * i] != 0 else -1


@jit
def hash_insert(H, key, slot):
    """Store ``slot`` for ``key`` (not present yet).

    Parameters
    ----------
    H : ndarray of int64
        The id index, modified in place (it must have a free bucket).
    key, slot : int
        An id >= 0 and its slot.
    """
    if key < H[0]:
        H[2 + key] = slot + 1
        return
    base, _, i = _bucket(H, key)
    H[base + 2 * i] = key + 1
    H[base + 2 * i + 1] = slot


@jit
def hash_delete(H, key):
    """Remove ``key`` (nothing happens if it is absent); backward-shift deletion.

    Parameters
    ----------
    H : ndarray of int64
        The id index, modified in place.
    key : int
        An id >= 0.
    """
    if key < H[0]:
        H[2 + key] = 0
        return
    base, mask, i = _bucket(H, key)
    if H[base + 2 * i] == 0:
        return
    j = i
    while True:
        j = (j + 1) & mask
        k = H[base + 2 * j]
        if k == 0:
            break
        home = _home(k - 1, mask)
        stays = i < home <= j if i <= j else home > i or home <= j
        if not stays:
            H[base + 2 * i] = k
            H[base + 2 * i + 1] = H[base + 2 * j + 1]
            i = j
    H[base + 2 * i] = 0
    H[base + 2 * i + 1] = 0


@jit
def rehash(H_old, H_new):
    """Copy every entry of ``H_old`` into ``H_new``.

    Parameters
    ----------
    H_old, H_new : ndarray of int64
        A full id index (read only), and an empty one with ``H_new[0]`` set and room for
        every entry of ``H_old`` (filled in place).
    """
    for k in range(H_old[0]):
        if H_old[2 + k] != 0:
            hash_insert(H_new, k, H_old[2 + k] - 1)
    base, mask = _hash_part(H_old)
    for i in range(mask + 1):
        k = H_old[base + 2 * i]
        if k != 0:
            hash_insert(H_new, k - 1, H_old[base + 2 * i + 1])
