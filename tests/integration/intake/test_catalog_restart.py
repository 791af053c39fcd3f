"""The catalogue after a restart (CONTRACT section 5): intake builds its search index back from what is stored,
the entries each accepted submission carries, the directives registered, and the entries an older version wrote
to `catalog`. Its own module: no other intake may run beside the restarted one, or that one would answer."""

from __future__ import annotations

import uuid

from shared import subjects
from tests.infra.client import publish, request
from tests.integration.intake.conftest import Intake, Province


async def search(intake: Intake, q: str) -> list[dict]:
    return (await request(intake.nc, subjects.QUERY_CATALOG, {"q": q, "limit": 20}))["results"]


async def restart(launch, intake: Intake) -> Intake:
    """Stops this intake and starts another on its database and its consumers."""
    env = intake.proc.env
    assert intake.proc.stop() == 0
    return await launch(MONGODB_URI=env["MONGODB_URI"], MIDTERM_CONSUMER_SUFFIX=env["MIDTERM_CONSUMER_SUFFIX"])


async def test_a_restarted_intake_still_finds_a_reports_documents_and_a_registered_directive(launch):
    p, tag, other = Province(), uuid.uuid4().hex[:6].upper(), uuid.uuid4().hex[:6].upper()
    first = await launch()
    await first.seed(p.units)
    directive = {"number": f"{other}-CT/TU", "title": "Chỉ thị về công tác kiểm tra, giám sát",
                 "issued_on": "2021-06-01", "issuer": "Tỉnh ủy Lâm Giang", "kind": "chỉ thị", "url": None}
    ack = await publish(first.nc, subjects.CATALOG_REGISTER, directive)
    await first.handled(ack.seq, "catalog")
    body = p.submission("TP-XPL")
    body["documents"][0]["number"] = f"{tag}-BC/ĐU"
    await first.submit(body, p.path("TP-XPL"))
    assert (await first.outcome(body["submission_id"]))[0] == "accepted"

    second = await restart(launch, first)
    assert await search(second, f"{other}-ct/tu") == [
        {k: v for k, v in directive.items() if k != "url"}]
    assert await search(second, f"{tag}-bc/du") == [
        {"number": f"{tag}-BC/ĐU", "title": body["documents"][0]["title"],
         "issued_on": body["documents"][0]["issued_on"], "issuer": "Đảng bộ xã Phú Lộc",
         "kind": "resolution_review"}]


async def test_an_entry_an_older_version_wrote_to_the_catalogue_collection_is_found_after_a_restart(launch):
    p, tag = Province(), uuid.uuid4().hex[:6].upper()
    first = await launch()
    older = {"_id": f"sub:older-{tag}:0", "number": f"{tag}-NQ/ĐU", "title": "Nghị quyết về xây dựng chi bộ",
             "issued_on": "2022-11-02", "issuer": "Đảng bộ xã Phú Lộc", "kind": "resolution_review", "url": None,
             "source": "submission", "submission_id": f"older-{tag}", "unit_id": p.id("TP-XPL")}
    await first.db["catalog"].insert_one(dict(older))

    second = await restart(launch, first)
    assert await search(second, f"{tag}-nq/du") == [
        {k: older[k] for k in ("number", "title", "issued_on", "issuer", "kind")}]
