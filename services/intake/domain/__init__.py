"""Pure rules of intake: no faststream, pymongo or structlog imports, no I/O."""
