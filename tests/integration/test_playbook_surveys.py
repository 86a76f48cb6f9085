# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each shipped playbook validates its variables when it starts, and its AWX survey asks for exactly those,
with the same defaults and types the validation accepts."""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import REPO_ROOT

ROOT = REPO_ROOT
SURVEY_TYPES = {"str": {"text"}, "raw": {"text"}, "int": {"integer"}, "bool": {"multiplechoice"}}


def validated_variables(playbook: str) -> dict:
    plays = yaml.safe_load((ROOT / "playbooks" / ("%s.yml" % playbook)).read_text(encoding="utf-8"))
    first = plays[0]
    task = (first.get("pre_tasks") or first.get("tasks"))[0]
    assert "ansible.builtin.validate_argument_spec" in task, "the first task must validate the variables"
    assert task.get("run_once") is True
    return task["ansible.builtin.validate_argument_spec"]["argument_spec"]


@pytest.mark.parametrize("playbook", ["drift", "converge"])
def test_the_survey_asks_for_the_validated_variables(playbook):
    spec = validated_variables(playbook)
    survey = json.loads((ROOT / "playbooks" / "surveys" / ("%s.json" % playbook)).read_text(encoding="utf-8"))
    assert survey["name"] == "vapix.acap.%s" % playbook
    questions = {question["variable"]: question for question in survey["spec"]}
    assert set(questions) == set(spec)
    for name, option in spec.items():
        question = questions[name]
        assert question["type"] in SURVEY_TYPES[option["type"]], (name, question["type"])
        assert question["required"] is False and str(question["default"]).lower() == str(option["default"]).lower()
        if question["type"] == "multiplechoice":
            assert set(question["choices"].split("\n")) == {"true", "false"}
    # The variables the playbook reads are the validated ones.
    text = (ROOT / "playbooks" / ("%s.yml" % playbook)).read_text(encoding="utf-8")
    for name in spec:
        assert "%s | default(" % name in text, name
