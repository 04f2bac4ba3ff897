"""Publishing the records: Markdown documents, the static site, calendars and open data."""
