"""The real components on one machine, for `make run`, the tests and the benchmarks: nats-server (JetStream),
MongoDB or the nx-27017 wire server, a mail catcher, and the services as processes."""
