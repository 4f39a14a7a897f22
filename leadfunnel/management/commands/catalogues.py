"""
The translation catalogues (``locale/<lang>/LC_MESSAGES/django.po``), in three steps:

- ``update``: find the strings marked in the code and templates and add them to each
  catalogue (Django's ``makemessages``, which needs GNU gettext), with this project's options;
- ``compile``: write the ``.mo`` files Django reads, with Babel (no gettext needed: the
  README's two commands run it on a machine with only Python);
- ``check``: fail when a marked string is missing from a catalogue, or is untranslated or
  fuzzy there (as ``msgfmt --statistics`` counts them). CI runs it.

The ``.po`` files are the source, in git; the ``.mo`` files are built, never committed.
"""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

# What makemessages reads: the apps and templates, not the tools around them.
IGNORED = ["*/.venv/*", ".venv/*", "tests/*", "bench/*", "docs/*", "var/*", "staticfiles/*"]
STATISTICS = re.compile(r"(\d+) (translated|fuzzy|untranslated)")


def catalogue_paths() -> list[Path]:
    """The ``django.po`` of every language but the source one (English)."""
    root = Path(settings.LOCALE_PATHS[0])
    return [root / code / "LC_MESSAGES" / "django.po" for code, _name in settings.LANGUAGES[1:]]


def update(verbosity: int = 0) -> None:
    """Bring every catalogue up to date with the marked strings (GNU gettext's xgettext)."""
    call_command(
        "makemessages",
        locale=[path.parent.parent.name for path in catalogue_paths()],
        extensions=["html", "txt", "py"],
        ignore_patterns=IGNORED,
        no_location=True,
        no_obsolete=True,
        verbosity=verbosity,
    )


def read(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=path.parent.parent.name)


def compile_all() -> list[Path]:
    """Write each catalogue's ``.mo`` beside it (Babel: no gettext on the machine needed)."""
    written = []
    for path in catalogue_paths():
        if not path.exists():
            continue
        catalogue = read(path)
        with path.with_suffix(".mo").open("wb") as mo:
            write_mo(mo, catalogue, use_fuzzy=False)
        written.append(path.with_suffix(".mo"))
    return written


def statistics(path: Path) -> dict[str, int]:
    """``msgfmt --statistics``'s counts: translated, fuzzy and untranslated messages."""
    if shutil.which("msgfmt") is None:
        raise CommandError("msgfmt is missing: install GNU gettext (apt-get install gettext).")
    answer = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
    )
    if answer.returncode:
        raise CommandError(f"msgfmt refuses {path}:\n{answer.stderr}")
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    counts |= {kind: int(n) for n, kind in STATISTICS.findall(answer.stderr)}
    return counts


def missing(before: Catalog, after: Catalog) -> list[str]:
    """The strings the code marks that the committed catalogue does not hold."""
    known = {message.id for message in before if message.id}
    return sorted(str(message.id) for message in after if message.id and message.id not in known)


class Command(BaseCommand):
    help = "Update, compile or check the translation catalogues (locale/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("step", choices=["update", "compile", "check"])

    def handle(self, *args: Any, step: str, **options: Any) -> None:
        if step == "update":
            update(options["verbosity"])
        elif step == "compile":
            for path in compile_all():
                self.stdout.write(f"Compiled {path}")
        else:
            self.check_catalogues()

    def check_catalogues(self) -> None:
        """makemessages on a copy finds nothing new, and msgfmt counts nothing untranslated
        or fuzzy. The committed catalogues are left as they were."""
        problems = []
        with tempfile.TemporaryDirectory() as keep:
            saved = {path: Path(keep) / f"{n}.po" for n, path in enumerate(catalogue_paths())}
            for path, copy in saved.items():
                if not path.exists():
                    raise CommandError(f"{path} is missing: run `manage.py catalogues update`.")
                shutil.copy(path, copy)
            try:
                update()
                for path, copy in saved.items():
                    new = missing(read(copy), read(path))
                    problems += [f"{path}: not in the catalogue: {text!r}" for text in new]
                    counts = statistics(copy)
                    self.stdout.write(f"{path}: {counts}")
                    if counts["untranslated"] or counts["fuzzy"]:
                        problems.append(
                            f"{path}: {counts['untranslated']} untranslated, "
                            f"{counts['fuzzy']} fuzzy"
                        )
            finally:
                for path, copy in saved.items():
                    shutil.copy(copy, path)
        if problems:
            raise CommandError(
                "\n".join(problems)
                + "\nRun `make messages`, translate the new strings in the .po file, commit it."
            )
        self.stdout.write(self.style.SUCCESS("Every marked string is translated."))
