"""tracker: an accountability tracker for committee clerks, kept as YAML files in git."""

__version__ = "0.1.0"
