"""Every registered design, the same checks: deterministic, schema-valid JSON, fast
engine equal to the SimPy reference, and an output check that really can fail."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
from conformance_cases import CASES

from sparsesim.accelerators.registry import DESIGNS
from sparsesim.document import run_document

NAMES = sorted(DESIGNS)
SCHEMA = json.loads((resources.files("sparsesim") / "run_document.schema.json").read_text())


def _run(name: str, seed: int = 1, engine: str | None = None, corrupt: bool = False):
    design = DESIGNS[name]
    config = design.default_config
    compiled = design.compile(CASES[name].workload(design, seed), config)
    if corrupt:
        compiled = CASES[name].corrupt(compiled)
    return design.run(compiled, engine=engine or design.engines[0], seed=seed)


def _document(name: str, run) -> dict:
    design = DESIGNS[name]
    return run_document(accel=name, workload="case", config=design.default_config.to_dict(),
                        seed=1, engine=run.layers[0].engine, tech="45nm", layers=run.layers)


def _without_wall_times(document: dict) -> dict:
    for layer in document["layers"]:
        layer["wall_seconds"] = 0.0
        layer["details"].pop("compile_seconds", None)
    document["totals"]["wall_seconds"] = 0.0
    return document


def test_every_design_has_a_conformance_case():
    assert set(CASES) == set(DESIGNS)


@pytest.mark.parametrize("name", NAMES)
def test_output_is_checked_and_ok(name):
    run = _run(name)
    assert run.layers and all(r.output_ok for r in run.layers)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_document(name):
    first, second = (_without_wall_times(_document(name, _run(name))) for _ in range(2))
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


@pytest.mark.parametrize("name", NAMES)
def test_document_validates_against_the_schema(name):
    jsonschema.validate(_document(name, _run(name)), SCHEMA)


@pytest.mark.parametrize("name", [n for n in NAMES if len(DESIGNS[n].engines) > 1])
def test_every_engine_equals_the_reference(name):
    reference = _run(name, engine="reference")
    for engine in DESIGNS[name].engines:
        other = _run(name, engine=engine)
        assert [r.comparable() for r in other.layers] == [r.comparable()
                                                          for r in reference.layers]


@pytest.mark.parametrize("name", NAMES)
def test_a_corrupted_model_fails_its_output_check(name):
    case = CASES[name]
    if case.corrupt is None:
        pytest.skip(case.pending)
    run = _run(name, corrupt=True)
    assert not all(r.output_ok for r in run.layers)


def test_the_schema_refuses_a_document_missing_totals():
    document = _document("eie", _run("eie"))
    del document["totals"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA)


@pytest.mark.parametrize("name", NAMES)
def test_to_dict_is_a_copy_equal_to_asdict(name):
    import dataclasses

    result = _run(name).layers[0]
    plain = result.to_dict()
    assert plain == dataclasses.asdict(result)
    plain["details"]["added"] = 1
    plain["pe_busy_cycles"].append(-1)
    assert "added" not in result.details and -1 not in result.pe_busy_cycles


@pytest.mark.parametrize("name", NAMES)
def test_a_model_of_the_wrong_kind_is_refused_in_one_line(name):
    from sparsesim.simulator.errors import UserError

    design = DESIGNS[name]
    if design.from_model is None:
        pytest.skip(f"{name} takes no in-memory models")
    with pytest.raises(UserError) as refused:
        design.from_model({"not": "a workload"}, 0, design.default_config)
    assert "\n" not in str(refused.value) and "dict" in str(refused.value)
