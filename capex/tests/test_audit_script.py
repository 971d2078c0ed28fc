"""`make audit` (scripts/audit.py): what it decides from pip-audit's answer, without the network."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def audit_module():
    spec = importlib.util.spec_from_file_location("audit_script", ROOT / "scripts" / "audit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report(*dependencies: dict) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_an_unreachable_advisory_service_skips_the_audit_without_failing():
    audit = audit_module()
    stderr = "requests.exceptions.ConnectionError: HTTPSConnectionPool(...): Max retries exceeded with url: /v1/query"
    assert audit.decide(1, "", stderr) == (0, "audit skipped: advisory service unreachable")


def test_a_service_that_answers_for_no_pin_skips_the_audit():
    audit = audit_module()
    stdout = report({"name": "django", "skip_reason": "Dependency not found and could not be audited: django (5.2.19)"})
    assert audit.decide(0, stdout, "") == (0, "audit skipped: advisory service unreachable")


def test_a_known_vulnerability_fails_the_audit_naming_package_and_advisory():
    audit = audit_module()
    stdout = report(
        {"name": "django", "version": "5.2.19", "vulns": [{"id": "PYSEC-0000-1", "fix_versions": ["5.2.20"]}]},
        {"name": "celery", "version": "5.7.0", "vulns": []},
    )
    code, message = audit.decide(1, stdout, "Found 1 known vulnerability in 1 package")
    assert code == 1
    assert "django 5.2.19: PYSEC-0000-1 (fixed in 5.2.20)" in message


def test_clean_pins_pass_and_a_partial_answer_fails():
    audit = audit_module()
    clean = report({"name": "django", "version": "5.2.19", "vulns": []})
    partial = report(
        {"name": "django", "version": "5.2.19", "vulns": []}, {"name": "celery", "skip_reason": "not found"}
    )
    assert audit.decide(0, clean, "") == (0, "audit passed: no known vulnerabilities in 1 pinned packages")
    code, message = audit.decide(0, partial, "")
    assert code == 1
    assert "celery" in message


def test_pip_audit_failing_for_its_own_reason_fails_the_audit():
    audit = audit_module()
    code, message = audit.decide(1, "", "ERROR: requirements.txt: invalid requirement")
    assert code == 1
    assert "invalid requirement" in message


def test_the_audit_is_pinned_and_wired_into_make_and_ci():
    assert any(line.startswith("pip-audit==") for line in (ROOT / "requirements-dev.txt").read_text().splitlines())
    assert "scripts/audit.py" in (ROOT / "Makefile").read_text()
    assert "make audit" in (ROOT / ".ci" / "run").read_text()
