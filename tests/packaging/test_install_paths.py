"""Each install path of README, taken as a stranger would: a wheel and an sdist built from the
checkout (`python -m build`), the sdist built offline with Debian bookworm's setuptools, and
`pip install git+URL` (a file:// URL of a git repository made from the checkout stands in for
the placeholder address). Each result is installed into a new venv and run.

Needs PyPI (or pip's cache) for the build backend and psutil, as a user's install does.
Deselect with `-m "not packaging"`.
"""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tinyinit import __version__

pytestmark = pytest.mark.packaging

REPO = Path(__file__).resolve().parents[2]
WHEEL = f"tinyinit-{__version__}-py3-none-any.whl"
SDIST = f"tinyinit-{__version__}.tar.gz"
BOOKWORM_SETUPTOOLS = "66.1.1"  # Debian bookworm's python3-setuptools
# What a checkout holds that a build needs (README's install paths build from these).
SOURCES = (
    "pyproject.toml",
    "MANIFEST.in",
    "README.md",
    "LICENSE",
    "CHANGELOG.md",
    "CONTRIBUTING.md",
    "SECURITY.md",
    "bin",
    "man",
    "tinyinit",
)


def run(*argv: str | Path, cwd: Path | None = None, timeout: float = 120) -> str:
    result = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert result.returncode == 0, f"{argv} exited {result.returncode}:\n{result.stderr}"
    return result.stdout


def new_venv(path: Path, *, system_site_packages: bool = False) -> Path:
    """A venv without pip of its own (fast); pip reaches it with `--python`."""
    options = ["--without-pip"] + (["--system-site-packages"] if system_site_packages else [])
    run(sys.executable, "-m", "venv", *options, path)
    return path / "bin" / "python"


def pip(python: Path, *args: str | Path, timeout: float = 120) -> str:
    return run(sys.executable, "-m", "pip", "--python", python, *args, timeout=timeout)


def copy_sources(destination: Path) -> Path:
    destination.mkdir()
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(
                source, destination / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(source, destination / name)
    return destination


def check_installed(python: Path) -> None:
    """The installed command runs, names the package's version, and brought its man page."""
    venv = python.parent.parent
    tinyinit = venv / "bin" / "tinyinit"
    assert run(tinyinit, "-V").strip() == f"tinyinit {__version__}"
    run(tinyinit, "--", "true")
    man_page = venv / "share" / "man" / "man1" / "tinyinit.1"
    assert man_page.read_bytes() == (REPO / "man" / "tinyinit.1").read_bytes()


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build` of a copy of the checkout: the sdist, then the wheel built from it."""
    work = tmp_path_factory.mktemp("build")
    source = copy_sources(work / "src")
    run(sys.executable, "-m", "build", "--outdir", work / "dist", source, timeout=180)
    return work / "dist"


def test_wheel_from_checkout_installs_and_runs(dist: Path, tmp_path: Path) -> None:
    python = new_venv(tmp_path / "venv")
    pip(python, "install", dist / WHEEL)
    check_installed(python)


def test_wheel_metadata_is_what_an_index_shows(dist: Path) -> None:
    with zipfile.ZipFile(dist / WHEEL) as wheel:
        names = wheel.namelist()
        metadata = email.message_from_bytes(
            wheel.read(f"tinyinit-{__version__}.dist-info/METADATA")
        )
        license_files = [n for n in names if n.endswith("/LICENSE") and ".dist-info/" in n]
        assert len(license_files) == 1
        assert wheel.read(license_files[0]) == (REPO / "LICENSE").read_bytes()
    assert metadata["Version"] == __version__
    assert metadata.get_all("License-File") == ["LICENSE"]
    # Dev-only dependencies are dependency groups, never extras.
    assert metadata.get_all("Provides-Extra") == ["prctl"]
    classifiers = set(metadata.get_all("Classifier"))
    assert {
        "Topic :: System :: Boot :: Init",
        "Environment :: Console",
        "Operating System :: POSIX :: Linux",
    } <= classifiers
    assert {f"Programming Language :: Python :: 3.{minor}" for minor in range(9, 14)} <= classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)
    assert metadata.get_all("Project-URL")
    assert metadata["Keywords"]
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata.get_payload().startswith("# tinyinit")


def test_sdist_holds_what_a_build_needs(dist: Path) -> None:
    with tarfile.open(dist / SDIST) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "pyproject.toml", "man/tinyinit.1", "bin/tinyinit"} <= names
    assert {"CHANGELOG.md", "SECURITY.md", "CONTRIBUTING.md"} <= names
    assert "tinyinit/__init__.py" in names


def test_sdist_builds_offline_with_bookworm_setuptools(dist: Path, tmp_path: Path) -> None:
    """README's offline recipe: no index, no build isolation, setuptools and wheel as Debian
    bookworm has them (66.1, with `wheel`, which setuptools before 70.1 needs for wheels)."""
    builder = new_venv(tmp_path / "builder")
    pip(builder, "install", f"setuptools=={BOOKWORM_SETUPTOOLS}", "wheel")
    out = tmp_path / "wheels"
    pip(
        builder, "wheel", "--no-build-isolation", "--no-index", "--no-deps", "-w", out, dist / SDIST
    )
    with zipfile.ZipFile(out / WHEEL) as offline, zipfile.ZipFile(dist / WHEEL) as isolated:
        assert {n for n in offline.namelist() if "dist-info" not in n} == {
            n for n in isolated.namelist() if "dist-info" not in n
        }
    python = new_venv(tmp_path / "venv")
    pip(python, "install", out / WHEEL)
    check_installed(python)


def test_pip_install_git_url(tmp_path: Path) -> None:
    """`pip install git+URL`: pip clones the repository and builds what is committed."""
    if shutil.which("git") is None:
        pytest.fail("git is not installed (apt-get install git)")
    repo = copy_sources(tmp_path / "repo")
    git = ("git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid")
    run(*git, "init", "-q")
    run(*git, "add", "-A")
    run(*git, "commit", "-q", "-m", "checkout")
    python = new_venv(tmp_path / "venv")
    pip(python, "install", f"git+file://{repo}", timeout=180)
    check_installed(python)
