"""`python -m services.compiler`: start, run until SIGTERM or SIGINT, drain, exit 0."""

from services.compiler.app import wire
from shared.service import build_runtime, run

if __name__ == "__main__":
    run(wire(build_runtime("compiler")))
