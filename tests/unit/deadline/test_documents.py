"""Obligations as documents: published keys are stored relative to their obligation, and read back whole."""

from __future__ import annotations

from datetime import datetime

from services.deadline.adapters.documents import from_doc, sent_field, sent_keys, to_doc
from services.deadline.domain.obligations import Obligation
from shared.clock import aware
from shared.contract.deadlines import escalated_key, overdue_key, reminder_key

DUE = aware(datetime(2023, 5, 15))


def test_a_stored_key_leaves_out_the_obligation_id_so_a_storm_shares_one_update():
    assert sent_field("CS1:bc", overdue_key("CS1", "bc")) == "overdue"
    assert sent_field("CS2:bc", overdue_key("CS2", "bc")) == "overdue"
    assert sent_field("CS1:bc", overdue_key("CS1", "bc", 2)) == "overdue:2"
    assert sent_field("CS1:bc", reminder_key("CS1", "bc", "P7D")) == "reminder:P7D"
    assert sent_field("CS1:bc", escalated_key("CS1", "bc", 2, 3)) == "escalated:2:3"


def test_every_kind_of_key_comes_back_whole_through_a_document():
    keys = {overdue_key("HU1.CS1", "bc", 2), reminder_key("HU1.CS1", "bc", "P1D", 2),
            escalated_key("HU1.CS1", "bc", 1, 2)}
    ob = Obligation("HU1.CS1", "bc", DUE, round=2, sent=frozenset(keys))
    doc = to_doc(ob)
    assert all(ob.id not in name for name in doc["sent"])
    assert from_doc(doc).sent == keys


def test_a_key_stored_whole_before_is_still_read():
    full = overdue_key("CS1", "bc")
    assert sent_keys("CS1:bc", [full, "reminder:P7D"]) == {full, reminder_key("CS1", "bc", "P7D")}
