"""The lock files pin every dependency pyproject.toml names, within its range, with hashes.

`make` installs from them, so a dependency added to pyproject.toml without `make lock` would
never be installed: this fails first.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pinned(lock: str) -> dict[str, tuple[str, list[str]]]:
    """name → (version, hashes) for each requirement in a pip-compile lock file."""
    text = (ROOT / lock).read_text()
    entries = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9._-]+)==([^\s\\]+)", block)
        if match:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
            entries[canonicalize_name(match.group(1))] = (match.group(2), hashes)
    return entries


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("requirements.lock", PROJECT["dependencies"]),
        (
            "requirements-test.lock",
            PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"],
        ),
    ],
)
def test_every_dependency_is_pinned_within_its_range_with_hashes(lock, requirements):
    entries = pinned(lock)
    problems = []
    for line in requirements:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        if name not in entries:
            problems.append(f"{name} is not in {lock}: run make lock")
            continue
        version, _ = entries[name]
        if not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{name}=={version} is outside {requirement.specifier}: run make lock")
    problems += [f"{name} has no hash" for name, (_, hashes) in entries.items() if not hashes]
    assert problems == []
    assert len(entries) > len(requirements), "dependencies of dependencies are pinned too"


def test_the_installed_packages_are_the_locked_ones():
    from importlib.metadata import distributions

    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in distributions()}
    drift = {
        name: (version, installed.get(name))
        for name, (version, _) in pinned("requirements-test.lock").items()
        if installed.get(name) != version
    }
    assert drift == {}, "name: (locked, installed)"
