"""Every subject CONTRACT.md names is built by shared.subjects, and lands on JetStream or core NATS as the
contract says (inbound messages and events on the stream; queries and admin as request-reply)."""

from __future__ import annotations

import inspect
import re

from shared import subjects
from shared.streams import STREAM_SUBJECTS
from tests.conftest import SHARED_DOCS

PLACEHOLDER = re.compile(r"<[^>]+>")


def contract_subjects() -> set[str]:
    text = (SHARED_DOCS / "CONTRACT.md").read_text(encoding="utf-8")
    found = set(re.findall(r"`(review\.[a-z_.<> ]+)`", text))
    return {PLACEHOLDER.sub("*", s) for s in found}


def built_subjects() -> set[str]:
    built = {v for k, v in vars(subjects).items() if k.isupper() and isinstance(v, str) and v.startswith("review.")}
    for name, fn in vars(subjects).items():
        if inspect.isfunction(fn) and fn.__module__ == subjects.__name__ and not name.startswith("_") \
                and name != "path_after":
            built.add(fn("*"))
    built.add(subjects.units_changed(""))
    return built


def on_stream(subject: str) -> bool:
    def match(pattern: str, concrete: str) -> bool:
        p, c = pattern.split("."), concrete.split(".")
        for i, token in enumerate(p):
            if token == ">":
                return len(c) > i
            if i >= len(c) or (token != "*" and token != c[i]):
                return False
        return len(p) == len(c)

    return any(match(pattern, subject.replace("*", "X")) for pattern in STREAM_SUBJECTS)


def test_the_contract_names_the_subjects_this_test_reads():
    assert len(contract_subjects()) >= 25


def test_every_contract_subject_is_built_by_the_subjects_module():
    missing = contract_subjects() - built_subjects()
    assert not missing, f"no builder in shared/subjects.py for {sorted(missing)}"


def test_queries_and_admin_stay_off_the_stream_and_everything_else_is_on_it():
    for subject in contract_subjects():
        core = subject.startswith(("review.query.", "review.admin."))
        assert on_stream(subject) is not core, subject


def test_path_after_reads_the_unit_path_back_from_a_subject():
    assert subjects.path_after(subjects.submit("HU03.CS017"), "review.submissions.submit") == "HU03.CS017"
    assert subjects.path_after(subjects.units_changed(""), "review.units.changed") == ""
    assert subjects.path_after("review.other.HU03", "review.submissions.submit") == ""
