"""The README tells the truth: its commands are the ones CI runs, and its CLI examples run."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def _commands(block: str) -> list[str]:
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_ci_runs_exactly_the_readme_test_command():
    test_command = next(c for b in _blocks("sh") for c in _commands(b) if "pytest" in c)
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command.strip() in ci_lines


def test_dashboard_command_starts_the_app_file():
    dashboard = next(c for b in _blocks("sh") for c in _commands(b) if "streamlit run" in c)
    assert "requirements.txt" in dashboard
    script = dashboard.split("streamlit run", 1)[1].split()[0]
    assert (ROOT / script).is_file()


def test_readme_images_and_links_exist():
    for target in re.findall(r"\]\(((?:docs|data|tests)/[^)#]+)\)", README):
        assert (ROOT / target).exists(), target


def test_every_subcommand_is_documented():
    from trip.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:
        assert f"python -m trip {name}" in README, name


CLI_EXAMPLES = [c for b in _blocks("sh") for c in _commands(b) if c.startswith("python -m trip")]


def test_there_are_cli_examples():
    assert len(CLI_EXAMPLES) >= 5


@pytest.mark.parametrize("command", CLI_EXAMPLES)
def test_readme_cli_example_runs(command, tmp_path):
    args = [a.replace("data/", str(ROOT / "data") + "/") for a in shlex.split(command)[1:]]
    proc = subprocess.run([sys.executable, *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout or list(tmp_path.iterdir())
    assert "Traceback" not in proc.stderr
