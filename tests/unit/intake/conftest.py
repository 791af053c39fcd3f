"""Pure fixtures: the example province as a UnitTree, the bundled plan, the message templates."""

from __future__ import annotations

import pytest

from services.intake.adapters.messages_file import load_messages
from services.intake.domain.units import UnitTree
from shared.contract.units import Unit
from shared.plan import load_plan
from shared.settings import BUNDLED_PLAN
from tests.infra.data import example_units


def build_tree() -> UnitTree:
    tree = UnitTree()
    for raw in example_units():
        unit = Unit.model_validate(raw)
        assert tree.check(unit) == []
        for doc in tree.apply(unit, "2023-01-01T08:00:00+07:00"):
            tree.commit(doc)
    return tree


@pytest.fixture
def tree() -> UnitTree:
    return build_tree()


@pytest.fixture(scope="session")
def plan():
    return load_plan(BUNDLED_PLAN)


@pytest.fixture(scope="session")
def messages():
    return load_messages()
