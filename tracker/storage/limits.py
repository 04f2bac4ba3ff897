"""How big a file tracker reads may be: a record is a page of text, and a bigger file is a mistake or an attack."""

MAX_RECORD_BYTES = 1_000_000
