"""`python -m services.notifier`: runs until SIGTERM or SIGINT, then drains and exits 0."""

from services.notifier.app import wire
from shared.service import build_runtime, run


def main() -> None:
    run(wire(build_runtime("notifier")))


if __name__ == "__main__":
    main()
