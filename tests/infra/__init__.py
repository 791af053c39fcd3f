"""Real servers for the tests: nats-server with JetStream, a MongoDB (or the nx-27017 wire server), aiosmtpd,
and the services as subprocesses. Each binds to 127.0.0.1 on a free port and is stopped by its fixture."""
