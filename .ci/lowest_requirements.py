"""Print pins of the declared LOWEST versions: every `name>=X` in requirements.txt and pyproject.toml becomes `name==X`.

    python .ci/lowest_requirements.py test teach > lowest.txt   # extras to include, by name

.ci/run installs these into a second virtual environment and runs the tests there too, so a lower bound that
does not install or does not pass fails CI instead of a learner's set-up. A package declared in several places
gets its highest lower bound (the one that binds).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BOUND = re.compile(r"^\s*(?P<name>[A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*>=\s*(?P<version>[0-9][0-9A-Za-z.]*)\s*(,.*)?$")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def lowest_pins(extras: list[str]) -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in extras:
        specs += project["optional-dependencies"][extra]
    specs += [line.split("#")[0] for line in (REPO / "requirements.txt").read_text().splitlines()]
    pins: dict[str, str] = {}
    for spec in specs:
        match = BOUND.match(spec)
        if not match:
            continue
        name = match["name"].lower().replace("_", "-")
        if name not in pins or _version_key(match["version"]) > _version_key(pins[name]):
            pins[name] = match["version"]
    return pins


if __name__ == "__main__":
    for name, version in sorted(lowest_pins(sys.argv[1:]).items()):
        print(f"{name}=={version}")
