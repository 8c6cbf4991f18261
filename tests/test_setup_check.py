"""Tests of bplib.course.setup_check: versions, minimum-version checks, MNIST availability, the report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bplib.course import setup_check
from bplib.data.mnist import FILES
from bplib.course.setup_check import MINIMUM_VERSIONS, mnist_available, report, requirements_met, versions

REPO = Path(__file__).resolve().parents[1]


def _fill(directory: Path, names=tuple(FILES)) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        (directory / name).write_bytes(b"not checked here")
    return directory


def test_versions_lists_python_and_packages_in_order():
    found = versions()
    assert list(found) == list(MINIMUM_VERSIONS)
    assert all(isinstance(v, str) and v for v in found.values())
    assert found["NumPy"] != setup_check.NOT_INSTALLED


@pytest.mark.parametrize("text, expected", [
    ("2.4.6", (2, 4, 6)), ("3.11", (3, 11)), ("2.0.0rc1", (2, 0, 0)), ("8.1.9.post1", (8, 1, 9)), ("dev", ()),
])
def test_version_tuple(text, expected):
    assert setup_check._version_tuple(text) == expected


def test_requirements_met_in_this_environment():
    assert all(requirements_met().values())


def test_requirements_met_compares_numerically_and_handles_missing():
    installed = dict(versions())
    installed["NumPy"] = "1.9.0"          # 1.9 < 1.24 although "1.9" > "1.24" as strings
    installed["matplotlib"] = "3.10.1"    # 3.10 >= 3.7 although "3.10" < "3.7" as strings
    installed["ipywidgets"] = setup_check.NOT_INSTALLED
    met = requirements_met(installed)
    assert met["NumPy"] is False
    assert met["matplotlib"] is True
    assert met["ipywidgets"] is False
    assert met["Python"] is True


def test_minimum_versions_match_requirements_txt():
    requirements = REPO / "requirements.txt"
    if not requirements.exists():
        pytest.skip("requirements.txt not found (bplib installed outside the repository)")
    bounds = dict(re.findall(r"^([A-Za-z0-9_.-]+)>=([0-9.]+)", requirements.read_text(), flags=re.M))
    for name, distribution in setup_check._DISTRIBUTIONS.items():
        if distribution in bounds:
            assert MINIMUM_VERSIONS[name] == bounds[distribution], name


def test_mnist_available_with_argument(tmp_path):
    assert mnist_available(tmp_path / "nothing-here") is False
    directory = _fill(tmp_path / "mnist")
    assert mnist_available(directory) is True
    assert mnist_available(str(directory)) is True


def test_mnist_available_needs_all_four_non_empty_files(tmp_path):
    names = list(FILES)
    partial = _fill(tmp_path / "partial", names[:3])
    assert mnist_available(partial) is False
    empty = _fill(tmp_path / "empty")
    (empty / names[0]).write_bytes(b"")
    assert mnist_available(empty) is False


def test_mnist_available_follows_bplib_data_and_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BPLIB_DATA", str(_fill(tmp_path / "env")))
    assert mnist_available() is True
    monkeypatch.setenv("BPLIB_DATA", str(tmp_path / "missing"))
    assert mnist_available() is False
    # Without BPLIB_DATA: the cache directory that load_mnist uses.
    monkeypatch.delenv("BPLIB_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert mnist_available() is False
    _fill(tmp_path / "cache" / "bplib" / "mnist")
    assert mnist_available() is True


def test_report_prints_versions_and_mnist_without_paths(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BPLIB_DATA", str(tmp_path / "missing"))
    report()
    out = capsys.readouterr().out
    for name in MINIMUM_VERSIONS:
        assert name in out
    assert "MNIST files found: no (looked in BPLIB_DATA)" in out
    assert "load_mnist" in out
    assert str(tmp_path) not in out
    report(_fill(tmp_path / "mnist"))
    out = capsys.readouterr().out
    assert "MNIST files found: yes (looked in the data_dir argument)" in out
    assert str(tmp_path) not in out
