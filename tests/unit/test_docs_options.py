"""`tinyinit --help`, README's options table and the man page name the same options and the
same environment variables; README works as a package index page; `-l` prints LICENSE.

Each source is read as a user sees it: the options column of `--help` (cli.USAGE), the
`| option | env | meaning |` table of README.md, the OPTIONS and ENVIRONMENT sections of
man/tinyinit.1. Only the names are compared: the wording is each document's own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tinyinit import _license, cli

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
MAN_PAGE = REPO / "man" / "tinyinit.1"

OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")
# The environment variables tinyinit reads are its own and those of tini and dumb-init.
ENV_VAR = re.compile(r"\b(?:TINYINIT|TINI|DUMB_INIT)_[A-Z0-9_]*[A-Z0-9]")


def usage_names() -> tuple[set[str], set[str]]:
    """Options (first column of each option line) and variables of `tinyinit --help`."""
    options: set[str] = set()
    for line in cli.USAGE.splitlines():
        if re.match(r"  -", line):  # an option line; continuation lines are indented further
            first_column = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
            options.update(OPTION.findall(first_column))
    return options, set(ENV_VAR.findall(cli.USAGE))


def readme_table_rows() -> list[list[str]]:
    lines = README.read_text(encoding="utf-8").splitlines()
    header = next(
        (i for i, line in enumerate(lines) if re.fullmatch(r"\|\s*option\s*\|\s*env\s*\|.*", line)),
        None,
    )
    assert header is not None, "README.md has no `| option | env | meaning |` table"
    rows = []
    for line in lines[header + 2 :]:  # after the header and its |---| line
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def readme_names() -> tuple[set[str], set[str]]:
    options: set[str] = set()
    variables: set[str] = set()
    for row in readme_table_rows():
        options.update(OPTION.findall(row[0]))
        variables.update(ENV_VAR.findall(row[1]))
    return options, variables


def man_sections() -> dict[str, str]:
    """Section name -> its roff source, with escapes for dashes and fonts removed."""
    text = MAN_PAGE.read_text(encoding="utf-8")
    text = text.replace("\\-", "-")
    text = re.sub(r"\\f[BIRP]", "", text)
    sections: dict[str, str] = {}
    for chunk in re.split(r"^\.SH\s+", text, flags=re.M)[1:]:
        title, _, body = chunk.partition("\n")
        sections[title.strip().strip('"')] = body
    return sections


def man_tags(section: str) -> list[str]:
    """The tag line of each .TP paragraph of a section (an option or a variable)."""
    lines = man_sections()[section].splitlines()
    return [lines[i + 1] for i, line in enumerate(lines[:-1]) if line.startswith(".TP")]


def man_names() -> tuple[set[str], set[str]]:
    options: set[str] = set()
    for tag in man_tags("OPTIONS"):
        options.update(OPTION.findall(re.sub(r"^\.\w+\s*", "", tag)))
    variables: set[str] = set()
    for tag in man_tags("ENVIRONMENT"):
        variables.update(ENV_VAR.findall(tag))
    return options, variables


def test_sources_are_read() -> None:
    """The extraction finds what is there today (guards against a parser that finds nothing)."""
    for options, variables in (usage_names(), readme_names(), man_names()):
        assert {"--grace", "-c", "--single-child", "-h", "--help", "-l"} <= options
        assert {"TINYINIT_GRACE", "DUMB_INIT_SETSID", "TINI_SUBREAPER"} <= variables


@pytest.mark.parametrize("source", ["README.md options table", "man/tinyinit.1"])
def test_same_options_as_help(source: str) -> None:
    help_options, _ = usage_names()
    options, _ = readme_names() if source.startswith("README") else man_names()
    assert sorted(options - help_options) == [], f"in {source} but not in --help"
    assert sorted(help_options - options) == [], f"in --help but not in {source}"


@pytest.mark.parametrize("source", ["README.md options table", "man/tinyinit.1"])
def test_same_variables_as_help(source: str) -> None:
    _, help_variables = usage_names()
    _, variables = readme_names() if source.startswith("README") else man_names()
    assert sorted(variables - help_variables) == [], f"in {source} but not in --help"
    assert sorted(help_variables - variables) == [], f"in --help but not in {source}"


def test_man_page_version_is_the_package_version() -> None:
    from tinyinit import __version__

    header = next(line for line in MAN_PAGE.read_text().splitlines() if line.startswith(".TH"))
    assert f'"tinyinit {__version__}"' in header


def test_readme_links_work_on_an_index_page() -> None:
    """README.md is the package's long description: a relative link or image, or an anchor
    into the page, breaks on the index, which shows the text without the repository."""
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)", text)
    targets += re.findall(r"\b(?:href|src)=[\"']([^\"']+)", text)
    targets += re.findall(r"^\[[^\]]+\]:\s*(\S+)", text, flags=re.M)  # reference definitions
    assert targets, "README.md has no links at all: the extraction is broken"
    relative = [t for t in targets if not t.startswith(("https://", "http://", "mailto:"))]
    assert relative == []


def test_license_module_is_the_license_file() -> None:
    """`tinyinit -l` prints tinyinit/_license.py's TEXT: it must be LICENSE, word for word."""
    assert (REPO / "LICENSE").read_text(encoding="utf-8") == _license.TEXT
    assert "Copyright (c) 2026 The tinyinit authors" in _license.TEXT


def test_dash_l_prints_the_license_file() -> None:
    assert cli.parse(["-l"], {}).info == (REPO / "LICENSE").read_text(encoding="utf-8")
