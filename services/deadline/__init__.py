"""The deadline service: obligations, reminders, overdue notices, escalations, status (CONTRACT sections 3, 5)."""
