"""Pure rules of the compiler: the unit tree, aggregation, coverage, grouping. No I/O."""
