"""One spreadsheet helper for every export: CSV that Danish Excel opens, and XLSX."""
