# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The user guides of the docs site: docs/docsite/rst/<name>.rst made from docs/<name>.md.

The guides are written in Markdown in docs/ (read on the repository, linked from the README);
antsibull-docs takes only reStructuredText from docs/docsite/rst/. Every toctree entry of
docs/docsite/extra-docs.yml names a guide: this script converts docs/<entry>.md into
docs/docsite/rst/<entry>.rst, for the Markdown the guides use (headings, paragraphs, lists, fenced
code, pipe tables, inline code, emphasis, links; HTML comments are dropped). Links to another listed
guide become references inside the site; other relative links point to the file in the repository.

    python tests/ci/docsite.py           write the .rst files (`make docsite`)
    python tests/ci/docsite.py --check   fail if one is missing or differs from its guide (CI, lint.sh)

To add a guide: one toctree line in docs/docsite/extra-docs.yml, then `make docsite`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS = REPO_ROOT / "docs"
RST_DIR = DOCS / "docsite" / "rst"
LABEL_PREFIX = "ansible_collections.vapix.acap.docsite."
UNDERLINES = "=-~^\""
HEADER = ("..\n  Made by tests/ci/docsite.py from docs/{name}.md: edit that file, then run `make docsite`.\n\n")

FENCE = re.compile(r"^(?P<indent>\s*)```(?P<language>[\w+-]*)\s*$")
HEADING = re.compile(r"^(?P<level>#{1,5})\s+(?P<text>.+?)\s*#*\s*$")
LIST_ITEM = re.compile(r"^(?P<indent>\s*)(?P<marker>[-*+]|\d+\.)\s+(?P<text>.*)$")
TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
INLINE = re.compile(r"(?P<code>`+)(?P<code_text>.+?)(?P=code)"
                    r"|\[(?P<link_text>[^\]]+)\]\((?P<target>[^)\s]+)\)"
                    r"|\*\*(?P<bold>[^*]+)\*\*"
                    r"|(?<![\w*])\*(?P<em>[^*\s][^*]*)\*(?![\w*])")


def guide_names() -> List[str]:
    with open(DOCS / "docsite" / "extra-docs.yml", encoding="utf-8") as handle:
        index = yaml.safe_load(handle)
    names = []
    for section in index.get("sections", []):
        for entry in section.get("toctree", []):
            names.append(entry["ref"] if isinstance(entry, dict) else entry)
    return names


def repository_url() -> str:
    with open(REPO_ROOT / "galaxy.yml", encoding="utf-8") as handle:
        return str(yaml.safe_load(handle)["repository"]).rstrip("/")


class Converter:
    def __init__(self, name: str, guides: List[str]) -> None:
        self.name = name
        self.guides = guides
        self.repository = repository_url()

    # -- inline ---------------------------------------------------------------------------------

    def link(self, text: str, target: str) -> str:
        path = target.split("#", 1)[0]
        stem = Path(path).stem
        if path.endswith(".md") and stem in self.guides and "://" not in path:
            return ":ref:`%s <%s%s>`" % (self.escape(text), LABEL_PREFIX, stem)
        if "://" in target:
            return "`%s <%s>`__" % (self.escape(text), target)
        if target.startswith("#"):
            return self.escape(text)
        # A file of the repository: relative to docs/ (or to the repository root for ../).
        relative = (Path("docs") / target).as_posix()
        relative = re.sub(r"^docs/\.\./", "", relative)
        return "`%s <%s/blob/main/%s>`__" % (self.escape(text), self.repository, relative)

    @staticmethod
    def escape(text: str) -> str:
        text = text.replace("\\", "\\\\")
        text = re.sub(r"(?<=\w)_(?=\W|$)", r"\\_", text)  # word_ is a reference in RST
        return text.replace("|", "\\|").replace("*", "\\*").replace("`", "\\`")

    def inline(self, text: str) -> str:
        out: List[str] = []
        position = 0
        for match in INLINE.finditer(text):
            before = text[position:match.start()]
            out.append(self.escape(before))
            if match.group("code"):
                code = match.group("code_text").strip()
                piece = "``%s``" % code if "``" not in code else ":literal:`%s`" % code.replace("`", "\\`")
            elif match.group("link_text"):
                piece = self.link(match.group("link_text"), match.group("target"))
            elif match.group("bold"):
                piece = "**%s**" % self.escape(match.group("bold"))
            else:
                piece = "*%s*" % self.escape(match.group("em"))
            # RST inline markup must stand apart from word characters: "\ " joins without a space.
            if before and (before[-1].isalnum() or before[-1] in "([{/"):
                piece = "\\ " + piece
            after = text[match.end():match.end() + 1]
            if after and (after.isalnum() or after in "/([{'\"-"):
                piece = piece + "\\ "
            out.append(piece)
            position = match.end()
        out.append(self.escape(text[position:]))
        return "".join(out)

    # -- blocks ---------------------------------------------------------------------------------

    def table(self, rows: List[str], indent: str) -> List[str]:
        cells = [[cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip().strip("|"))] for row in rows
                 if not TABLE_RULE.match(row)]
        out = [indent + ".. list-table::", indent + "   :header-rows: 1", ""]
        for row in cells:
            for index, cell in enumerate(row):
                out.append(indent + ("   * - " if index == 0 else "     - ") + self.inline(cell.replace("\\|", "|")))
        return out + [""]

    def convert(self, markdown: str) -> str:
        lines = re.sub(r"<!--.*?-->\n?", "", markdown, flags=re.DOTALL).splitlines()
        out: List[str] = [HEADER.format(name=self.name), ".. _%s%s:" % (LABEL_PREFIX, self.name), ""]
        index = 0
        list_indents: List[int] = []
        while index < len(lines):
            line = lines[index]
            fence = FENCE.match(line)
            heading = HEADING.match(line)
            item = LIST_ITEM.match(line)
            if fence:
                indent = fence.group("indent")
                block: List[str] = []
                index += 1
                while index < len(lines) and not FENCE.match(lines[index]):
                    block.append(lines[index][len(indent):] if lines[index].startswith(indent) else lines[index].lstrip())
                    index += 1
                self.blank(out)
                out.append(indent + ".. code-block:: %s" % self.language(fence.group("language"), block))
                out.append("")
                out.extend((indent + "  " + code) if code.strip() else "" for code in block)
                out.append("")
            elif heading:
                text = self.inline(heading.group("text"))
                self.blank(out)
                out.extend([text, UNDERLINES[len(heading.group("level")) - 1] * max(len(text), 3), ""])
                list_indents = []
            elif line.lstrip().startswith("|"):
                rows = []
                while index < len(lines) and lines[index].lstrip().startswith("|"):
                    rows.append(lines[index])
                    index += 1
                indent = line[:len(line) - len(line.lstrip())]
                self.blank(out)
                out.extend(self.table(rows, indent))
                continue
            elif item:
                depth = len(item.group("indent"))
                if not list_indents or depth != list_indents[-1]:
                    self.blank(out)  # RST needs a blank line where a list (or a nested one) starts or ends
                    while list_indents and list_indents[-1] > depth:
                        list_indents.pop()
                    if not list_indents or list_indents[-1] != depth:
                        list_indents.append(depth)
                marker = item.group("marker")
                out.append(item.group("indent") + ("-" if marker in "-*+" else marker) + " " + self.inline(item.group("text")))
            elif not line.strip():
                self.blank(out)
            else:
                stripped = line.lstrip()
                indent = line[:len(line) - len(stripped)]
                if list_indents and not indent and out and out[-1] == "":
                    list_indents = []
                out.append(indent + self.inline(stripped))
            index += 1
        while out and out[-1] == "":
            out.pop()
        return "\n".join(line.rstrip() for line in out) + "\n"

    @staticmethod
    def language(language: str, block: List[str]) -> str:
        """The fence's language; JSON lines (one document a line) are not one JSON document: text."""
        if language == "json":
            try:
                json.loads("\n".join(block))
            except ValueError:
                return "text"
        return language or "text"

    @staticmethod
    def blank(out: List[str]) -> None:
        if out and out[-1] != "":
            out.append("")


def render_all() -> Dict[Path, Optional[str]]:
    guides = guide_names()
    rendered: Dict[Path, Optional[str]] = {}
    for name in guides:
        source = DOCS / ("%s.md" % name)
        rendered[RST_DIR / ("%s.rst" % name)] = (
            Converter(name, guides).convert(source.read_text(encoding="utf-8")) if source.is_file() else None)
    return rendered


def main(arguments: List[str]) -> int:
    check = arguments == ["--check"]
    if arguments and not check:
        raise SystemExit(__doc__)
    problems = []
    rendered = render_all()
    for path, text in rendered.items():
        if text is None:
            problems.append("%s: no guide %s for this toctree entry of docs/docsite/extra-docs.yml"
                            % (path.relative_to(REPO_ROOT), "docs/%s.md" % path.stem))
        elif check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                problems.append("%s differs from docs/%s.md: run `make docsite`" % (path.relative_to(REPO_ROOT), path.stem))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    stale = sorted(path for path in RST_DIR.glob("*.rst") if path not in rendered)
    problems.extend("%s: not listed in docs/docsite/extra-docs.yml (remove it)" % path.relative_to(REPO_ROOT) for path in stale)
    for problem in problems:
        print("docsite: " + problem, file=sys.stderr)
    if not problems:
        print("docsite: %d guides %s" % (len(rendered), "up to date" if check else "written"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
