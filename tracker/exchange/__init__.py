"""Spreadsheets in and out: export, CSV/XLSX import and the published Summary List of Actions."""
