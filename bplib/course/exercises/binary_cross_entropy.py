"""Exercises of the course (being written)."""

__all__: list[str] = []
