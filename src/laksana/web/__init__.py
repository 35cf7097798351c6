"""The web interface shell: base template, style sheet, language choice and home page."""
