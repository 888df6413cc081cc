"""The Python examples of docs/python/README.md run as written."""

import re
from pathlib import Path

import pytest

from conftest import run_python

README = Path(__file__).resolve().parents[3] / "docs" / "python" / "README.md"
SHORT_README = Path(__file__).resolve().parents[1] / "README.md"
ROADMAP_EXAMPLE = '''from toonstore import ToonStore

# Open database
db = ToonStore.open("/path/to/db")

# Basic operations
row_id = db.put(b"users[1]{id,name}: 1,Alice")
data = db.get(row_id)
db.delete(row_id)

# Iteration
for row_id, data in db.scan():
    print(f"{row_id}: {data}")

# Context manager
with ToonStore.open("/path/to/db") as db:
    db.put(b"data")

# Close
db.close()
'''


def examples():
    found = []
    for readme in (README, SHORT_README):
        if readme.exists():
            found += re.findall(r"```python\n(.*?)```", readme.read_text(), re.S)
    return found


def test_readme_has_the_roadmap_example_verbatim():
    if not README.exists():
        pytest.skip("docs/python/README.md is not beside this checkout")
    assert ROADMAP_EXAMPLE in examples()


@pytest.mark.parametrize("index", range(len(examples())))
def test_readme_example_runs(tmp_path, index):
    code = examples()[index]
    # Only the directories change: every example gets fresh ones.
    for n, path in enumerate(sorted(set(re.findall(r'"(/(?:path/to|tmp)/[^"]*)"', code)))):
        code = code.replace(f'"{path}"', repr(str(tmp_path / f"db{n}")))
    result = run_python(code)
    assert result.returncode == 0, result.stderr
