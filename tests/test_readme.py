"""The README's tour runs as written, against the emulator."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _tour_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    tour = text.split("## A five-minute tour", 1)[1].split("## Writing a plugin", 1)[0]
    return re.findall(r"```python\n(.*?)```", tour, flags=re.S)


def test_readme_starts_with_the_two_quick_start_commands() -> None:
    first_block = re.search(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["bash scripts/demo", "bash scripts/test"]


def test_readme_tour_runs_against_the_emulator(tmp_path: Path) -> None:
    blocks = _tour_blocks()
    assert len(blocks) == 3
    program = tmp_path / "tour.py"
    program.write_text("\n\n".join(blocks), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(program)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # the comment under the first block shows exactly what it prints
    expected = re.search(r"^# (\{'type': 'NUMBER'.*\})$", blocks[0], re.M)
    assert expected is not None
    assert lines[0] == expected.group(1)
    assert lines[1].startswith("['set_thermostat']")
    name, rest = lines[2].split(" ", 1)
    assert name == "set_thermostat"
    assert "'cool'" in rest
    assert "'temperature': 22" in rest
    assert " answered " in rest
