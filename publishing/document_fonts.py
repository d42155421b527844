"""The faces the notice PDF and the certificates are set in: the official type families of
GB/T 9704 (body 仿宋, headings 黑体 and 楷体, title 小标宋, page numbers 宋体).

A commission that holds the licensed faces drops them in ``settings.DOCUMENT_FONT_DIR``
(方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体, 宋体: recognised by the names inside the files,
whatever the files are called); the PDF then embeds exactly those. Otherwise the free faces of the
same families are used: the Fandol fonts (FandolFang, FandolKai, FandolHei, FandolSong; GPL-3 with
the font exception) that ``make install`` unpacks into ``settings.FREE_FONT_DIR``
(``scripts/document-fonts.sh``). The title falls back to the heaviest serif, FandolSong Bold.

Each role is a list of faces in the order Pango tries them for a glyph: the role's own face, then
only faces of the same style for punctuation a face lacks (a 宋 for a dash beside 仿宋 text):
licensed faces before free ones, so a complete licensed set is all the PDF embeds. Each face is
declared by ``@font-face`` under its PostScript name, which is what ``pdffonts`` shows.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Role:
    licensed: tuple[str, ...]  # names a licensed face carries (family, full or PostScript name)
    free: str  # the Fandol file
    same_style: tuple[str, ...] = ()  # roles whose faces may stand in for a missing glyph
    stand_in: str = ""  # a system family, only when no face of the role is installed at all


ROLES = {
    "fangsong": Role(
        ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong"),
        "FandolFang-Regular.otf",
        ("song",),
        '"Noto Serif CJK SC"',
    ),
    "xiaobiaosong": Role(
        ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "FZXBSJW--GB1-0"),
        "FandolSong-Bold.otf",  # the heaviest serif
        ("song",),
        '"Noto Serif CJK SC"',
    ),
    "song": Role(("宋体", "SimSun"), "FandolSong-Regular.otf", (), '"Noto Serif CJK SC"'),
    "heiti": Role(("黑体", "SimHei"), "FandolHei-Bold.otf", (), '"Noto Sans CJK SC"'),
    "kaiti": Role(
        ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi"),
        "FandolKai-Regular.otf",
        ("fangsong", "song"),
        '"AR PL UKai CN"',
    ),
}
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")


@dataclass(frozen=True)
class Face:
    name: str  # PostScript name: the CSS family and what pdffonts shows
    path: Path


def _names(path: Path) -> tuple[str, set[str]]:
    """(PostScript name, every family / full / PostScript name in any language) of a font file;
    a collection (.ttc) by its first face."""
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=0, lazy=True) as font:
        table = font["name"]
        names = {
            str(record.toUnicode()).strip()
            for record in table.names
            if record.nameID in (1, 4, 6, 16)
        }
        postscript = str(table.getDebugName(6) or path.stem)
    return postscript, names


def _licensed_faces(directory: str) -> dict[str, Face]:
    """Role -> the licensed face ``directory`` holds for it."""
    found: dict[str, Face] = {}
    root = Path(directory)
    if not directory or not root.is_dir():
        return found
    for path in sorted(root.iterdir()):
        if path.suffix.lower() not in FONT_SUFFIXES:
            continue
        try:
            postscript, names = _names(path)
        except Exception:  # not a font after all: say so, use the others
            logger.warning("DOCUMENT_FONT_DIR: %s is not a readable font", path)
            continue
        for role, spec in ROLES.items():
            # The first name listed is the preferred face (仿宋_GB2312 before a plain 仿宋).
            rank = next((i for i, name in enumerate(spec.licensed) if name in names), None)
            if rank is None:
                continue
            current = found.get(role)
            if current is None or rank < _rank(spec, current):
                found[role] = Face(postscript, path)
    return found


def _rank(spec: Role, face: Face) -> int:
    names = _names(face.path)[1]
    return next(i for i, name in enumerate(spec.licensed) if name in names)


def _free_faces(directory: str) -> dict[str, Face]:
    faces = {}
    for role, spec in ROLES.items():
        path = Path(directory) / spec.free
        if directory and path.is_file():
            faces[role] = Face(path.stem, path)
    return faces


def _stamp(directory: str) -> float:
    try:
        return os.stat(directory).st_mtime if directory else 0.0
    except OSError:
        return 0.0


@dataclass(frozen=True)
class FontSet:
    faces: tuple[Face, ...]  # every face declared, once
    families: dict  # role -> CSS font-family list

    @property
    def css(self) -> str:
        """The ``@font-face`` rules the templates put before their own styles."""
        rule = '@font-face {{ font-family: "{}"; src: url("{}"); }}'
        return "\n".join(
            rule.format(face.name, face.path.resolve().as_uri()) for face in self.faces
        )

    @property
    def names(self) -> list[str]:
        return [face.name for face in self.faces]


def document_fonts() -> FontSet:
    """The faces for the documents from the current settings (re-read when a folder changes)."""
    licensed = str(getattr(settings, "DOCUMENT_FONT_DIR", "") or "")
    free = str(getattr(settings, "FREE_FONT_DIR", "") or "")
    return _font_set(licensed, _stamp(licensed), free, _stamp(free))


@functools.lru_cache(maxsize=8)
def _font_set(licensed_dir: str, _licensed_stamp: float, free_dir: str, _free_stamp: float):
    licensed, free = _licensed_faces(licensed_dir), _free_faces(free_dir)
    faces: dict[str, Face] = {}
    families = {}
    for role, spec in ROLES.items():
        chain = (role, *spec.same_style)
        wanted = [licensed[r] for r in chain if r in licensed]
        wanted += [free[r] for r in chain if r in free]
        for face in wanted:
            faces.setdefault(face.name, face)
        names = [f'"{face.name}"' for face in dict.fromkeys(wanted)]
        if not names:
            logger.warning("no %s face installed (run make install): using %s", role, spec.stand_in)
            names = [spec.stand_in]
        families[role] = ", ".join(names)
    return FontSet(tuple(faces.values()), families)
