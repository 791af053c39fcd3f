"""Pure rules of the deadline service: no I/O, no faststream, pymongo or structlog imports."""
