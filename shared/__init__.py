"""What crosses a service boundary: contract models, subjects, stream policy, settings, clock, logs, db, plan."""
