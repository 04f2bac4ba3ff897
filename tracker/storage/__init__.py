"""Reading and writing a records repository: settings, safe YAML, schemas, validation, atomic writes, git and the cache."""
