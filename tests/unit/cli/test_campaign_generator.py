"""The sample campaign makes the same, valid submissions on every run, and its cohorts never overlap."""

from __future__ import annotations

from cli.campaign import Generator, load_campaign, unit_paths
from cli.registry import load_units
from shared.contract import Submission
from shared.plan import load_plan
from shared.settings import BUNDLED_PLAN

PLAN = load_plan(BUNDLED_PLAN)
CAMPAIGN = load_campaign()
UNITS = load_units(CAMPAIGN.registry)


def test_paths_follow_the_tree_below_the_root():
    paths = unit_paths(UNITS)
    assert paths["TU"] == "" and paths["TP"] == "TP" and paths["TP-XPL"] == "TP.TP-XPL"


def test_cohorts_of_one_level_are_disjoint_and_cover_it():
    gen = Generator(PLAN, UNITS, CAMPAIGN.seed)
    early, late, never = (gen.cohort("grassroots", *r) for r in ((0, 0.6), (0.6, 0.85), (0.85, 1.0)))
    ids = [u["unit_id"] for u in early + late + never]
    assert len(ids) == len(set(ids)) == sum(1 for u in UNITS if u["level"] == "grassroots")


def test_the_same_seed_makes_the_same_submissions():
    spec = {"level": "grassroots", "report_type": "resolution_review", "cohort": [0.0, 0.1]}
    first = Generator(PLAN, UNITS, CAMPAIGN.seed).submissions(spec, 2)
    again = Generator(PLAN, UNITS, CAMPAIGN.seed).submissions(spec, 2)
    assert [o.body for o in first] == [o.body for o in again]


def test_every_generated_submission_is_valid_and_exempt_units_are_left_out():
    gen = Generator(PLAN, UNITS, CAMPAIGN.seed)
    made = gen.submissions({"level": "grassroots", "report_type": "resolution_review"}, 1)
    for item in made:
        Submission.model_validate(item.body)
        assert item.subject.endswith(gen.paths[item.body["unit_id"]])
    assert "TP-CTX" not in {o.body["unit_id"] for o in made}


def test_bad_inputs_expect_a_rejection_and_a_spoof_uses_another_units_path():
    gen = Generator(PLAN, UNITS, CAMPAIGN.seed)
    bad = {o.note: o for o in gen.bad(["spoof", "unknown_target", "not_json"], 3)}
    assert all(o.expect == "rejected" for o in bad.values())
    spoof = bad["spoof"]
    assert not spoof.subject.endswith(gen.paths[spoof.body["unit_id"]])
    assert isinstance(bad["not_json"].body, bytes)
