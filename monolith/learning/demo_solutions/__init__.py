"""Reference solutions of the demo exercises, one folder per exercise slug.

Every demo exercise has a Python solution; ``sum-of-two-numbers``,
``fizzbuzz``, ``reverse-a-string`` and ``balanced-brackets`` have one in each
of the six languages the runner executes, to prove end to end that the demo
exercises can be solved in every language. Java sources declare
``public class Main``.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent

#: File name of the solution in each language.
SOURCE_FILES = {
    "python": "main.py",
    "javascript": "main.js",
    "c": "main.c",
    "cpp": "main.cpp",
    "java": "Main.java",
    "rust": "main.rs",
}


def reference_solutions() -> dict[str, dict[str, str]]:
    """``{exercise slug: {language: source}}`` for every solution kept here."""
    solutions: dict[str, dict[str, str]] = {}
    for folder in sorted(p for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith("_")):
        sources = {
            language: (folder / name).read_text(encoding="utf-8")
            for language, name in SOURCE_FILES.items()
            if (folder / name).exists()
        }
        if sources:
            solutions[folder.name] = sources
    return solutions
