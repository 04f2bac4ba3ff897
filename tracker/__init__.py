"""tracker: an accountability tracker for committee clerks, kept as YAML files in git.

Layers, lowest first (a module imports only its own layer and those below; docs/design/architecture.md):
model < storage < text, edits < questions < publish, exchange < cli.
"""

__version__ = "0.1.0"
