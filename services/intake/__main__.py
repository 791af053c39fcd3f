"""`python -m services.intake`: start, run until SIGTERM or SIGINT, drain, exit 0."""

from services.intake.app import wire
from shared.service import build_runtime, run


def main() -> None:
    run(wire(build_runtime("intake")))


if __name__ == "__main__":
    main()
