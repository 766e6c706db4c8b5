"""The pins agree everywhere: requirements.txt, environment.yml, constraints.txt, the venv."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import pytest

from tests.paths import REPO

PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)==([^\s;#]+)\s*$")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(lines) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        assert match, f"not an exact pin: {line!r}"
        pins[_canonical(match.group(1))] = match.group(2)
    return pins


def requirement_pins() -> dict[str, str]:
    return _pins((REPO / "requirements.txt").read_text().splitlines())


def environment_yml_pins() -> dict[str, str]:
    """The pip section of environment.yml, parsed without a YAML library (its shape is fixed)."""
    entries = []
    in_pip = False
    for line in (REPO / "environment.yml").read_text().splitlines():
        if re.match(r"^\s*-\s*pip:\s*$", line):
            in_pip = True
            continue
        if in_pip:
            match = re.match(r"^\s{6,}-\s*(.+?)\s*$", line)
            if not match:
                break
            entries.append(match.group(1))
    return _pins(e for e in entries if e != "-e .")


def test_requirements_are_exact_pins_of_the_required_packages():
    pins = requirement_pins()
    for name in ["jupyterlab", "tensorflow", "keras", "nbgrader", "nbval", "seaborn", "numpy",
                 "scikit-learn", "pytest"]:
        assert name in pins, f"{name} is not pinned in requirements.txt"


def test_environment_yml_matches_requirements():
    assert environment_yml_pins() == requirement_pins()


def test_environment_yml_python_is_311():
    assert re.search(r"^\s*-\s*python=3\.11\s*$", (REPO / "environment.yml").read_text(), re.M)


def test_pyproject_reads_requirements():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "dependencies" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["dependencies"]["file"] == ["requirements.txt"]
    assert project["project"]["requires-python"].startswith(">=3.11")


def test_constraints_lock_agrees_with_requirements():
    locked = _pins(line for line in (REPO / "constraints.txt").read_text().splitlines()
                   if line.strip() and not line.startswith("#"))
    for name, version in requirement_pins().items():
        assert locked.get(name) == version, f"constraints.txt has {name}=={locked.get(name)}"


@pytest.mark.parametrize("name, version", sorted(requirement_pins().items()))
def test_installed_version_matches_pin(name, version):
    assert metadata.version(name) == version


def test_environment_yml_resolves_to_the_locked_versions():
    """What conda would install: python 3.11 and pip from conda-forge, everything else through pip
    at the exact pins, which the lock (constraints.txt) agrees with. Parsed with a YAML parser
    (no conda here), so a malformed file fails too."""
    import yaml

    spec = yaml.safe_load((REPO / "environment.yml").read_text())
    assert spec["channels"] == ["conda-forge"]
    conda, pip_sections = [], []
    for entry in spec["dependencies"]:
        (pip_sections if isinstance(entry, dict) else conda).append(entry)
    assert sorted(conda) == ["pip", "python=3.11"], "conda itself must install only Python and pip"
    assert len(pip_sections) == 1 and list(pip_sections[0]) == ["pip"]
    pip_entries = pip_sections[0]["pip"]
    assert "-e ." in pip_entries, "the course package itself is not installed"
    pins = _pins(e for e in pip_entries if e != "-e .")
    assert pins == requirement_pins()
    locked = _pins(line for line in (REPO / "constraints.txt").read_text().splitlines()
                   if line.strip() and not line.startswith("#"))
    assert {name: locked.get(name) for name in pins} == pins
