"""Repositories over MongoDB and the batching writer."""
