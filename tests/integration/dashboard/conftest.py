from tests.integration.dashboard.stack import client, dash_nats, fake, services  # noqa: F401
