"""scripts/setup's Debian mirror detection, run on sample apt sources (never apt-get)."""

from __future__ import annotations

import os
from pathlib import Path
import subprocess

import pytest

REPO = Path(__file__).resolve().parents[1]
SETUP = REPO / "scripts" / "setup"
FALLBACK = "http://deb.debian.org/debian"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the repository-wide fixture: no Home Assistant here."""


def apt_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    """An apt configuration directory holding these files (paths relative to it)."""
    root = tmp_path / "apt"
    (root / "sources.list.d").mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def print_mirror(root: Path) -> tuple[str, str]:
    """What ``scripts/setup --print-mirror`` prints (stdout, stderr) for this apt dir."""
    env = {**os.environ, "MICBOARD_APT_DIR": str(root)}
    result = subprocess.run(
        ["bash", str(SETUP), "--print-mirror"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout.strip(), result.stderr.strip()


ONE_LINE = """\
# deb http://commented.example.org/debian bookworm main
deb http://security.example.org/debian-security bookworm-security main
deb-src http://src.example.org/debian bookworm main
deb https://apt.example.com/vendor stable-but-not-debian main
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] \
http://mirror.example.org/debian/ bookworm main contrib
deb http://second.example.org/debian bookworm main
"""

DEB822 = """\
Types: deb
URIs: http://disabled.example.org/debian
Suites: trixie
Components: main
Enabled: no

Types: deb
# http://snapshot.example.org/archive/debian-security/20250520T000000Z
URIs: http://mirror.example.net/debian-security
Suites: trixie-security
Components: main

Types: deb-src
URIs: http://src.example.net/debian
Suites: trixie

types: deb deb-src
# a comment inside the stanza
uris: https://ftp.example.net/debian/
suites: trixie trixie-updates
components: main
signed-by: /usr/share/keyrings/debian-archive-keyring.gpg
"""


def test_one_line_list_format(tmp_path: Path) -> None:
    root = apt_dir(tmp_path, {"sources.list": ONE_LINE})
    mirror, message = print_mirror(root)
    assert mirror == "http://mirror.example.org/debian"
    assert message == (f"setup: Debian sid from {mirror} (the mirror {root}/sources.list uses)")


def test_deb822_sources_format(tmp_path: Path) -> None:
    root = apt_dir(tmp_path, {"sources.list.d/debian.sources": DEB822})
    mirror, message = print_mirror(root)
    assert mirror == "https://ftp.example.net/debian"
    assert f"(the mirror {root}/sources.list.d/debian.sources uses)" in message


def test_first_debian_entry_in_apt_order(tmp_path: Path) -> None:
    root = apt_dir(
        tmp_path,
        {
            # Only a vendor repository in sources.list, then sources.list.d by name.
            "sources.list": "deb https://apt.example.com/node nodistro main\n",
            "sources.list.d/a-vendor.list": "deb http://vendor.example.com/apt jammy main\n",
            "sources.list.d/b-debian.sources": DEB822,
            "sources.list.d/c-debian.list": "deb http://late.example.org/debian sid main\n",
            # Our own sid file (from an earlier run) and files apt ignores are not read.
            "sources.list.d/micboard-sid.sources": (
                "Types: deb\nURIs: http://own.example.org/debian\nSuites: sid\n"
            ),
            "sources.list.d/a.list.disabled": "deb http://off.example.org/debian sid main\n",
        },
    )
    assert print_mirror(root)[0] == "https://ftp.example.net/debian"


def test_backports_and_aliases_count_as_releases(tmp_path: Path) -> None:
    root = apt_dir(
        tmp_path,
        {"sources.list": "deb http://mirror.example.org/debian stable-backports main\n"},
    )
    assert print_mirror(root)[0] == "http://mirror.example.org/debian"


@pytest.mark.parametrize(
    "files",
    [
        {},
        # Ubuntu suites and third-party repositories are no Debian release.
        {
            "sources.list": "deb http://archive.example.com/ubuntu noble main\n",
            "sources.list.d/node.sources": (
                "Types: deb\nURIs: https://deb.example.com/node_20.x\nSuites: nodistro\n"
            ),
        },
        # Security mirrors only.
        {"sources.list": "deb http://security.example.org/debian-security trixie-security main\n"},
        # Nothing an HTTP client can use.
        {"sources.list": "deb cdrom:[Debian GNU/Linux 13]/ trixie main\n"},
    ],
)
def test_fallback_when_no_debian_mirror(tmp_path: Path, files: dict[str, str]) -> None:
    root = apt_dir(tmp_path, files)
    mirror, message = print_mirror(root)
    assert mirror == FALLBACK
    assert message == (
        f"setup: no Debian mirror in {root}/sources.list{{,.d}}; Debian sid from {FALLBACK}"
    )


def test_missing_apt_dir_falls_back(tmp_path: Path) -> None:
    assert print_mirror(tmp_path / "nowhere")[0] == FALLBACK
