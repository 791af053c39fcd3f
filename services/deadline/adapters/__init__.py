"""Repositories over MongoDB and the JetStream publisher the sweep counts with."""
