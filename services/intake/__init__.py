"""Intake: the only door into the platform. Units, submissions and the catalogue (CONTRACT sections 1, 2, 5)."""
