"""Judge what the collector cells wrote, with the grader's own bplib (never the submission's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from bplib.course.exercises.engine import EXERCISES, judge


def _decode(value: Any) -> Any:
    """A result as the collector encoded it, back as an array (or a stand-in of the non-numeric type)."""
    if value is None:
        return None
    if "not numeric" in value:   # judge names the type: give it an object of a class with that name
        return type(str(value["not numeric"]), (), {})()
    return np.array(value["values"], dtype=np.float64).reshape(value["shape"])


def read_lines(path: Path, token: str) -> dict[str, dict]:
    """The first line per exercise id written by our collectors (lines without our token are ignored)."""
    lines: dict[str, dict] = {}
    if not path.exists():
        return lines
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            line = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if isinstance(line, dict) and line.get("token") == token and isinstance(line.get("id"), str):
            lines.setdefault(line["id"], line)
    return lines


def verdict(line: dict) -> tuple[str, str]:
    """``(status, message)`` for one collected line: judged when results were collected."""
    status, message = str(line.get("status")), str(line.get("message", ""))
    if status != "collected":
        return (status, message) if status in ("not done", "failed", "missing") else ("error", message)
    try:
        results = {str(k): _decode(v) for k, v in dict(line["results"]).items()}
        judged = judge(EXERCISES[line["id"]], results)
    except Exception as err:  # malformed results: never trust, never crash
        return "error", f"the collected results could not be judged: {type(err).__name__}: {err}"
    return judged.status, judged.message
