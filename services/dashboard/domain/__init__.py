"""View models built from the public queries' replies and the stream's events: pure, no I/O."""
