"""Every environment variable the settings read is listed, with its default and meaning, in
the README's Configuration table: a setting added without a line there fails here."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READ = re.compile(r'\benv(?:\.\w+|_bool|_date)?\(\s*"([A-Z][A-Z0-9_]+)"')


def test_every_environment_variable_the_settings_read_is_in_the_readme():
    names = {
        name
        for path in (ROOT / "leadfunnel" / "settings").glob("*.py")
        for name in READ.findall(path.read_text())
    }
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Development")]
    assert len(names) > 40  # the pattern still finds what the settings read
    assert sorted(name for name in names if f"`{name}`" not in table) == []
