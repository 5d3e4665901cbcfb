"""Similarity of candidates' final code, by copydetect's winnowed token fingerprints.

copydetect tokenises the code (names and literals become placeholders, so
renaming variables changes nothing), hashes k-grams and compares the sets. The
starter code of the exercise is boilerplate: shared by everyone, never a sign
of copying.
"""

import io
from dataclasses import dataclass

from copydetect import CodeFingerprint, compare_files

#: Share of one code's fingerprints found in the other's from which a pair is flagged.
THRESHOLD = 0.5
#: Tokens per k-gram: shorter common runs are noise.
NOISE_TOKENS = 10
EXTENSIONS = {"python": "py", "javascript": "js", "c": "c", "cpp": "cpp", "java": "java", "rust": "rs"}


@dataclass(frozen=True)
class Match:
    other_id: int
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def _fingerprint(code: str, language: str, boilerplate=None):
    name = f"answer.{EXTENSIONS.get(language, 'txt')}"
    kwargs = {"boilerplate": boilerplate} if boilerplate is not None else {}
    return CodeFingerprint(name, NOISE_TOKENS, 1, fp=io.StringIO(code), **kwargs)


def similar(
    *, code: str, language: str, others: dict[int, tuple[str, str]], starter: str = ""
) -> list[Match]:
    """The others (``{id: (code, language)}``) at or above ``THRESHOLD``, most similar first."""
    if not code.strip():
        return []
    boilerplate = list(_fingerprint(starter, language).hashes) if starter.strip() else None
    mine = _fingerprint(code, language, boilerplate)
    matches = []
    for other_id, (other_code, other_language) in others.items():
        if other_language != language or not other_code.strip():
            continue
        theirs = _fingerprint(other_code, other_language, boilerplate)
        _overlap, (mine_share, theirs_share), _slices = compare_files(mine, theirs)
        score = float(max(mine_share, theirs_share))
        if score >= THRESHOLD:
            matches.append(Match(other_id=other_id, score=score))
    return sorted(matches, key=lambda m: -m.score)
