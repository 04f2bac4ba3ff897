"""The domain model: record types, dates, IDs and the errors every layer reports with."""
