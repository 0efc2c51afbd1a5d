"""Finding a pack by name (shipped with the engine) or by path."""

from __future__ import annotations

from pathlib import Path

from .errors import PackNotFoundError
from .suggest import nearest

_HERE = Path(__file__).resolve().parent


def shipped_rules_dir() -> Path:
    """rules/ inside the installed wheel, or the repository's rules/ in a checkout."""
    for candidate in (_HERE / "_data" / "rules", _HERE.parent / "rules"):
        if candidate.is_dir():
            return candidate
    return _HERE / "_data" / "rules"


def shipped_packs() -> list[str]:
    root = shipped_rules_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "pack.yaml").is_file())


def locate(name_or_path: str | Path) -> Path:
    """The folder of a pack given its shipped name or a path to its folder (or manifest)."""
    text = str(name_or_path)
    path = Path(text)
    if path.name == "pack.yaml" and path.is_file():
        return path.parent.resolve()
    if (path / "pack.yaml").is_file() and (path.is_absolute() or "/" in text or
                                            text.startswith(".")):
        return path.resolve()
    shipped = shipped_rules_dir() / text
    if "/" not in text and (shipped / "pack.yaml").is_file():
        return shipped
    if (path / "pack.yaml").is_file():
        return path.resolve()
    known = shipped_packs()
    raise PackNotFoundError(text, known, nearest(text, known))
