"""The offline JavaScript (credit decision, typed numbers, money text, visit plans) passes the
shared cases too.

Runs node's own test runner over tests/js/ (node --test), so `pytest` alone, and so
`make test` and CI, guard the pairing with app/credit/rules.py. Without node the test is
skipped, except in CI, where it must run (as the browser tests treat a missing Chromium).
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JS_TESTS = sorted((ROOT / "tests" / "js").glob("*.test.mjs"))
VECTORS = json.loads((ROOT / "tests" / "credit" / "vectors.json").read_text(encoding="utf-8"))
NUMBERS = json.loads((ROOT / "tests" / "core" / "number_cases.json").read_text(encoding="utf-8"))
BANDS = json.loads((ROOT / "tests" / "credit" / "band_cases.json").read_text(encoding="utf-8"))
MONEY = json.loads((ROOT / "tests" / "core" / "money_cases.json").read_text(encoding="utf-8"))
IVA = json.loads((ROOT / "tests" / "orders" / "iva_cases.json").read_text(encoding="utf-8"))
PLANS = json.loads((ROOT / "tests" / "clients" / "plan_cases.json").read_text(encoding="utf-8"))
SHARED_CASES = (
    len(VECTORS["cases"])
    + len(VECTORS["resolution"])
    + len(BANDS["cases"])
    + len(NUMBERS["cases"])
    + len(PLANS["cases"])
    + len(IVA["cases"])
    + sum(len(MONEY[name]) for name in ("money_text", "money"))
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def node_or_skip(needs: str) -> str:
    """node's path; without node the test is skipped, or fails in CI where it must run."""
    node = shutil.which("node")
    if node is None:
        message = f"node is not installed: {needs} needs Node 20 or later"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return node


def test_node_runs_the_javascript_tests():
    """node --test tests/js/ passes, with every shared vector and case among the tests it ran."""
    node = node_or_skip("the JavaScript credit decision")
    assert JS_TESTS, "no tests/js/*.test.mjs to run"
    result = subprocess.run(
        [node, "--test", "--test-reporter=tap", *map(str, JS_TESTS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    failing = "\n".join(line for line in result.stdout.splitlines() if "not ok" in line)
    assert result.returncode == 0, f"node --test failed:\n{failing}\n\n{output[-4000:]}"
    passed = re.search(r"^# pass (\d+)$", result.stdout, re.MULTILINE)
    assert passed, f"no TAP summary from node:\n{output[-2000:]}"
    assert int(passed.group(1)) >= SHARED_CASES, output[-2000:]
