"""The committed JavaScript bundle (built from frontend/ by `make assets`).

`make assets-check` proves the bundle matches its sources; these tests keep it
within the size budget of the exercise page and free of anything loaded from
another origin. No database needed.
"""

import gzip
import re
from pathlib import Path

import pytest

DIST = Path(__file__).resolve().parents[1] / "static" / "web" / "dist"
EXERCISE_PAGE_SCRIPTS = ("app.js", "editor.js")
# The live interview pad's pages load their own editor bundle instead of editor.js.
PAD_PAGE_SCRIPTS = ("app.js", "pad.js")
BUDGET_BYTES = 400 * 1024
LICENCES = "THIRD-PARTY-LICENSES.txt"

URL = re.compile(rb"https?://[^\s\"'`)<>]*")
# Namespace names are identifiers that happen to look like URLs; nothing is fetched from them.
XML_NAMESPACES = {
    b"http://www.w3.org/2000/svg",
    b"http://www.w3.org/1999/xhtml",
    b"http://www.w3.org/1998/Math/MathML",
    b"http://www.w3.org/1999/xlink",
    b"http://www.w3.org/XML/1998/namespace",
}
LICENCE_COMMENT = re.compile(rb"/\*[!*].*?\*/|//[!@].*?$", re.DOTALL | re.MULTILINE)


def gzipped_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


@pytest.mark.parametrize("name", [*EXERCISE_PAGE_SCRIPTS, *PAD_PAGE_SCRIPTS, LICENCES])
def test_the_built_bundle_is_committed(name):
    assert (DIST / name).is_file(), f"{name} is missing from {DIST}: run `make assets`"
    assert (DIST / name).stat().st_size > 0


def test_the_exercise_page_ships_at_most_400_kb_of_gzipped_javascript():
    # Every built script can be on the exercise page (app.js, editor.js and the page's own),
    # but the pad's, which only the pad's pages load (checked below).
    sizes = {path.name: gzipped_size(path) for path in sorted(DIST.glob("*.js")) if path.name != "pad.js"}
    total = sum(sizes.values())

    figures = ", ".join(f"{name} {size / 1024:.1f} KB" for name, size in sizes.items())
    print(f"exercise page JS, gzipped: {figures}, total {total / 1024:.1f} KB")
    assert set(EXERCISE_PAGE_SCRIPTS) <= set(sizes)
    assert total <= BUDGET_BYTES, f"exercise page JS is {total / 1024:.1f} KB gzipped (budget 400 KB)"


def test_the_pad_page_ships_at_most_400_kb_of_gzipped_javascript():
    sizes = {name: gzipped_size(DIST / name) for name in PAD_PAGE_SCRIPTS}
    total = sum(sizes.values())
    print(f"pad page JS, gzipped: total {total / 1024:.1f} KB")
    assert total <= BUDGET_BYTES, f"pad page JS is {total / 1024:.1f} KB gzipped (budget 400 KB)"


def test_no_built_script_refers_to_another_origin():
    found = {}
    for path in sorted(DIST.glob("*.js")):
        code = LICENCE_COMMENT.sub(b"", path.read_bytes())
        urls = {url for url in URL.findall(code) if url not in XML_NAMESPACES}
        if urls:
            found[path.name] = sorted(url.decode() for url in urls)

    assert not found, f"built scripts name external URLs (everything must be served by the platform): {found}"
