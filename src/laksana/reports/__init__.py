"""Reports: compliance with the SOP time standards, and the overdue steps."""
