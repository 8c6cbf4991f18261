"""``grades.csv`` and one self-contained feedback page per student."""

from __future__ import annotations

import csv
import html
from dataclasses import dataclass
from pathlib import Path

HEADER = ["student", "notebook", "exercise", "points", "max_points", "status", "message"]
MESSAGE_LINES = 4        # the CSV keeps the first lines of a message (the diagnosis comes first)
MESSAGE_CHARS = 400


@dataclass(frozen=True)
class Row:
    """The grade of one exercise of one student."""

    student: str
    notebook: str
    exercise: str
    points: int
    max_points: int
    status: str
    message: str
    title: str = ""


def short(message: str) -> str:
    """The first lines of a message on one line, bounded."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()][:MESSAGE_LINES]
    text = " / ".join(lines)
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS - 1] + "…"


def write_csv(rows: list[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for r in rows:
            writer.writerow([r.student, r.notebook, r.exercise, r.points, r.max_points, r.status, short(r.message)])


_STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}th,td{border:1px solid #ccc;padding:.4rem;
vertical-align:top;text-align:left}th{background:#f3f3f3}pre{white-space:pre-wrap;margin:0;font-size:.9em}
.passed{color:#17692f;font-weight:bold}.failed,.error,.timeout,.missing{color:#a11;font-weight:bold}
.not-done{color:#8a5a00;font-weight:bold}"""


def feedback_html(student: str, rows: list[Row]) -> str:
    """A page listing, per notebook and exercise, the verdict, the points and the check's message."""
    total, best = sum(r.points for r in rows), sum(r.max_points for r in rows)
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Feedback: "
             f"{html.escape(student)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>Feedback for {html.escape(student)}</h1>",
             f"<p><strong>Total: {total} / {best} points</strong></p>"]
    notebooks = list(dict.fromkeys(r.notebook for r in rows))
    for notebook in notebooks:
        mine = [r for r in rows if r.notebook == notebook]
        got, out_of = sum(r.points for r in mine), sum(r.max_points for r in mine)
        parts.append(f"<h2>{html.escape(notebook)}: {got} / {out_of} points</h2><table>"
                     "<tr><th>Exercise</th><th>Verdict</th><th>Points</th><th>Message</th></tr>")
        for r in mine:
            name = html.escape(r.exercise + (f" · {r.title}" if r.title else ""))
            parts.append(f"<tr><td>{name}</td><td class='{r.status.replace(' ', '-')}'>{html.escape(r.status)}</td>"
                         f"<td>{r.points} / {r.max_points}</td><td><pre>{html.escape(r.message)}</pre></td></tr>")
        parts.append("</table>")
    if not rows:
        parts.append("<p>No exercises were graded.</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_feedback(students: dict[str, list[Row]], folder: Path) -> None:
    """One page per student (also for a student with no rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    for student, rows in students.items():
        (folder / f"{student}.html").write_text(feedback_html(student, rows), encoding="utf-8")
