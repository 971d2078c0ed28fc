#!/usr/bin/env python3
"""
`make audit`: pip-audit against the pinned requirements, run by CI.

The pins are audited as written (`--disable-pip --no-deps`: every runtime and development
dependency is pinned with ==), against pip-audit's default advisory service. The build fails
when a pinned version has a known vulnerability, or when pip-audit fails for a reason of its own
(a requirements file it cannot read). When the advisory service cannot be reached, or answers for
none of the pins, there is nothing to judge: the script prints
"audit skipped: advisory service unreachable" and exits 0, so a network outage does not fail the
build, and says so in the log.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ["requirements.txt", "requirements-dev.txt"]
SKIPPED = "audit skipped: advisory service unreachable"
# What requests and urllib3 write when a service cannot be reached at all.
UNREACHABLE = (
    "ConnectionError",
    "NameResolutionError",
    "Max retries exceeded",
    "Failed to resolve",
    "Connection refused",
    "Read timed out",
    "ConnectTimeout",
    "ReadTimeout",
)


def command() -> list[str]:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    args = [str(pip_audit), "--format", "json", "--progress-spinner", "off", "--disable-pip", "--no-deps"]
    for name in REQUIREMENTS:
        args += ["--requirement", str(ROOT / name)]
    return args


def decide(returncode: int, stdout: str, stderr: str) -> tuple[int, str]:
    """The exit code and the message for one pip-audit run."""
    try:
        report = json.loads(stdout) if stdout.strip() else None
    except json.JSONDecodeError:
        report = None
    if report is None:
        if any(marker in stderr for marker in UNREACHABLE):
            return 0, SKIPPED
        return 1, f"audit failed: pip-audit exited {returncode} without a report:\n{stderr.strip()}"
    dependencies = report.get("dependencies", [])
    audited = [dependency for dependency in dependencies if "skip_reason" not in dependency]
    skipped = [dependency for dependency in dependencies if "skip_reason" in dependency]
    if dependencies and not audited:
        return 0, SKIPPED
    vulnerable = [dependency for dependency in audited if dependency.get("vulns")]
    if vulnerable:
        lines = [
            f"{dependency['name']} {dependency['version']}: {vuln['id']}"
            + (f" (fixed in {', '.join(vuln['fix_versions'])})" if vuln.get("fix_versions") else "")
            for dependency in vulnerable
            for vuln in dependency["vulns"]
        ]
        return 1, "audit failed: known vulnerabilities in pinned versions:\n" + "\n".join(lines)
    if skipped:
        names = ", ".join(f"{dependency['name']} ({dependency['skip_reason']})" for dependency in skipped)
        return 1, f"audit failed: {len(skipped)} pinned packages could not be audited: {names}"
    return 0, f"audit passed: no known vulnerabilities in {len(audited)} pinned packages"


def main() -> int:
    try:
        result = subprocess.run(command(), cwd=ROOT, capture_output=True, text=True, timeout=600)  # noqa: S603
    except FileNotFoundError:
        print("audit failed: pip-audit is not installed; run `make` to install requirements-dev.txt")
        return 1
    except subprocess.TimeoutExpired:
        print(SKIPPED)
        return 0
    code, message = decide(result.returncode, result.stdout, result.stderr)
    print(message)
    return code


if __name__ == "__main__":
    sys.exit(main())
