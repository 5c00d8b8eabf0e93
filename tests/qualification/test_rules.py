"""Pure qualification rules and the shipped framework files."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from techwin.errors import InvalidInput
from techwin.qualification import rules
from techwin.qualification.playbook import load_builtin_frameworks, load_default_gates
from techwin.qualification.schemas import FrameworkSpec


def test_builtin_frameworks_load_with_the_expected_elements():
    frameworks = {f.key: [e.key for e in f.elements] for f in load_builtin_frameworks()}
    assert frameworks["bant"] == ["budget", "authority", "need", "timeline"]
    assert len(frameworks["meddic"]) == 6
    assert frameworks["meddicc"] == [*frameworks["meddic"], "competition"]
    assert set(frameworks["meddpicc"]) == {*frameworks["meddicc"], "paper_process"}
    for framework in load_builtin_frameworks():
        for element in framework.elements:
            assert element.question.endswith("?"), element.key


def test_default_gates_name_known_frameworks_and_elements():
    frameworks = {f.key: {e.key for e in f.elements} for f in load_builtin_frameworks()}
    for gate in load_default_gates():
        framework = str(gate.config["framework"])
        assert framework in frameworks
        elements = gate.config["elements"]
        if elements != "all":
            assert set(elements) <= frameworks[framework]


def test_framework_validation_names_the_problem():
    with pytest.raises(ValidationError, match="repeated: need"):
        FrameworkSpec(
            key="custom",
            name="Custom",
            elements=[
                {
                    "key": "need",
                    "name": "Need",
                    "question": "What is needed?",
                    "validated_means": "Stated.",
                },
                {
                    "key": "need",
                    "name": "Need 2",
                    "question": "What else?",
                    "validated_means": "Stated.",
                },
            ],
        )
    with pytest.raises(ValidationError):
        FrameworkSpec(key="Bad Key", name="x", elements=[])


@pytest.mark.parametrize("score", [-1, 4, 10])
def test_scores_outside_the_scale_are_refused(score):
    with pytest.raises(InvalidInput) as info:
        rules.check_score(score, None)
    assert info.value.field == "score"


def test_top_score_needs_evidence():
    with pytest.raises(InvalidInput) as info:
        rules.check_score(3, "  ")
    assert info.value.field == "evidence"
    rules.check_score(3, "signed budget memo, 2026-10-02")
    rules.check_score(2, None)


def test_completeness_weakest_and_unmet():
    states = [
        rules.ElementState("budget", "Budget", "B?", 3),
        rules.ElementState("authority", "Authority", "A?", 0),
        rules.ElementState("need", "Need", "N?", 2),
        rules.ElementState("timeline", "Timeline", "T?", 1),
    ]
    assert rules.completeness(states) == 0.5
    assert [s.key for s in rules.weakest(states)] == ["authority", "timeline"]
    assert rules.unmet_elements(
        {"budget": 3, "need": 2}, ["budget", "need", "timeline"], min_score=2
    ) == ["timeline"]
    assert rules.completeness([]) == 0.0
