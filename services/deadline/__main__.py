"""`python -m services.deadline`: runs until SIGTERM or SIGINT, drains, exits 0."""

from services.deadline.app import wire
from shared.service import build_runtime, run


def main() -> None:
    run(wire(build_runtime("deadline")))


if __name__ == "__main__":
    main()
