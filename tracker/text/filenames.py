"""File names made from names in records (a body, a report): safe on every file system, short, and stable.

A name becomes lower-case ASCII words joined by hyphens, so no record can produce a separator, `..`, a leading
dot or a character a file system refuses. A stem too long for comfort, or one Windows reserves (CON, NUL, COM1…),
is cut and given a short hash of the whole name, so the same name always gives the same file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_STEM = 64
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# Device names Windows refuses as a file name, whatever the extension (CON.md is the console).
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))})


def _digest(name: str) -> str:
    return hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()


def file_stem(name: str, fallback: str = "body") -> str:
    """A file name stem for name: "HM Courts & Tribunals Service" -> "hm-courts-tribunals-service"; never empty,
    never more than MAX_STEM + 9 characters, never a reserved device name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem = _NOT_WORD.sub("-", ascii_name.lower()).strip("-") or fallback
    if len(stem) > MAX_STEM:
        return f"{stem[:MAX_STEM].rstrip('-')}-{_digest(name)}"
    if stem in _RESERVED:
        return f"{stem}-{_digest(name)}"
    return stem
