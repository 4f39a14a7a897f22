"""
From a spreadsheet's columns to contact fields: the headers people actually write (in
English and French), the user's own mapping on top, and the checks each cell must pass.

A rejected row's reason names the field and the rule, and quotes the cell only for fields
that are not personal data (a company size, a country): the error report is shared and kept,
the person's details are not.
"""

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from leads.models import Contact
from leads.normalise import country_code


class ImportField(models.TextChoices):
    """Where a column goes: a contact field, the contact's ``attributes``, or nowhere."""

    EMAIL = "email", _("E-mail")
    FIRST_NAME = "first_name", _("First name")
    LAST_NAME = "last_name", _("Last name")
    PHONE = "phone", _("Phone")
    COMPANY = "company", _("Company")
    JOB_TITLE = "job_title", _("Job title")
    COMPANY_SIZE = "company_size", _("Company size")
    INDUSTRY = "industry", _("Industry")
    COUNTRY = "country", _("Country")
    ATTRIBUTE = "attribute", _("Keep as an attribute")
    IGNORE = "ignore", _("Ignore")


CONTACT_FIELDS = tuple(
    f for f in ImportField if f not in (ImportField.ATTRIBUTE, ImportField.IGNORE)
)
TEXT_FIELDS = tuple(
    f for f in CONTACT_FIELDS if f not in (ImportField.COMPANY_SIZE, ImportField.COUNTRY)
)

# Headers are compared lower-cased, without accents, spaces or punctuation ("E-mail address"
# -> "emailaddress", "Prénom" -> "prenom").
ALIASES: dict[ImportField, tuple[str, ...]] = {
    ImportField.EMAIL: (
        "email",
        "emailaddress",
        "mail",
        "courriel",
        "adressemail",
        "adresseemail",
    ),
    ImportField.FIRST_NAME: ("firstname", "first", "givenname", "forename", "prenom"),
    ImportField.LAST_NAME: ("lastname", "last", "surname", "familyname", "nom", "nomdefamille"),
    ImportField.PHONE: ("phone", "phonenumber", "telephone", "tel", "mobile", "mobilephone"),
    ImportField.COMPANY: (
        "company",
        "companyname",
        "organisation",
        "organization",
        "org",
        "account",
        "accountname",
        "societe",
        "entreprise",
    ),
    ImportField.JOB_TITLE: ("jobtitle", "title", "position", "role", "poste", "fonction"),
    ImportField.COMPANY_SIZE: (
        "companysize",
        "employees",
        "numberofemployees",
        "headcount",
        "size",
        "effectif",
        "taille",
    ),
    ImportField.INDUSTRY: ("industry", "sector", "vertical", "secteur", "secteurdactivite"),
    ImportField.COUNTRY: ("country", "countrycode", "pays"),
}
_BY_ALIAS = {alias: target for target, aliases in ALIASES.items() for alias in aliases}


def normalize_header(header: str) -> str:
    decomposed = unicodedata.normalize("NFKD", header)
    return "".join(ch for ch in decomposed.lower() if ch.isalnum() and ch.isascii())


def unique_columns(header: Sequence[str]) -> list[str]:
    """Column names a mapping can refer to: blanks named by position, repeats numbered."""
    columns: list[str] = []
    for index, raw in enumerate(header):
        name = raw.strip() or f"column {index + 1}"
        candidate, n = name, 2
        while candidate in columns:
            candidate, n = f"{name} ({n})", n + 1
        columns.append(candidate)
    return columns


def guess_mapping(columns: Sequence[str]) -> dict[str, str]:
    """The field each column most likely holds; unknown columns become attributes."""
    mapping: dict[str, str] = {}
    taken: set[ImportField] = set()
    for column in columns:
        target = _BY_ALIAS.get(normalize_header(column))
        if target is None or target in taken:
            target = ImportField.ATTRIBUTE
        else:
            taken.add(target)
        mapping[column] = target.value
    return mapping


def resolve_mapping(columns: Sequence[str], given: Mapping[str, str] | None) -> dict[str, str]:
    """The guessed mapping with the user's choices on top; a 400 if it cannot work."""
    given = dict(given or {})
    errors = [f"No column named {name!r} in the file." for name in given if name not in columns]
    errors += [
        f"{name!r}: {target!r} is not a field (choose from {', '.join(ImportField.values)})."
        for name, target in given.items()
        if target not in ImportField.values
    ]
    if errors:
        raise ValidationError({"mapping": errors})
    guessed = guess_mapping(columns)
    chosen = set(given.values())
    mapping = {
        column: given.get(column)
        or (guessed[column] if guessed[column] not in chosen else ImportField.ATTRIBUTE.value)
        for column in columns
    }
    targets = [t for t in mapping.values() if t in CONTACT_FIELDS]
    errors = [f"Several columns go to {t}." for t in sorted(set(targets)) if targets.count(t) > 1]
    if ImportField.EMAIL not in targets:
        errors.append(gettext("No column holds the e-mail address: map one to 'email'."))
    if errors:
        raise ValidationError({"mapping": errors})
    return mapping


class RowRejected(Exception):
    """The row cannot be imported; the message is the reason shown in the report."""


@dataclass
class CleanRow:
    """A row ready for the database: the contact fields it fills, and extra attributes."""

    line: int
    values: dict[str, object]
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return str(self.values[ImportField.EMAIL]).lower()


def _quoted(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


_SIZE = re.compile(r"^\d{1,3}(?:[ ,.'\u00a0\u202f]\d{3})+$|^\d+$")


def _company_size(value: str) -> int:
    if not _SIZE.match(value):
        raise ValueError(_("%(value)s is not a whole number") % {"value": _quoted(value)})
    return int(re.sub(r"\D", "", value))


def _country(value: str) -> str:
    code = country_code(value)
    if not code:
        raise ValueError(_("%(value)s is not a known country") % {"value": _quoted(value)})
    return code


def _max_length(name: str) -> int:
    """The longest text the contact's field ``name`` holds."""
    limit = cast(models.CharField[Any, Any], Contact._meta.get_field(name)).max_length
    return limit or 0


def _text(limit: int) -> Callable[[str], str]:
    def clean(value: str) -> str:
        if len(value) > limit:
            raise ValueError(_("longer than %(limit)d characters") % {"limit": limit})
        return value

    return clean


def _email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise ValueError(_("not a valid e-mail address")) from None
    return _text(_max_length("email"))(value)


@lru_cache(maxsize=1)
def _cleaners() -> dict[str, Callable[[str], object]]:
    """Per field: the cell as the contact field wants it, or ``ValueError`` with the reason."""
    cleaners: dict[str, Callable[[str], object]] = {
        field: _text(_max_length(field)) for field in TEXT_FIELDS
    }
    cleaners.update({ImportField.EMAIL: _email, ImportField.COMPANY_SIZE: _company_size})
    cleaners[ImportField.COUNTRY] = _country
    return cleaners


class RowCleaner:
    """Turns the cells of one row into a ``CleanRow`` with a fixed column plan."""

    def __init__(self, columns: Sequence[str], mapping: Mapping[str, str]):
        self.width = len(columns)
        cleaners = _cleaners()
        self.plan = [
            (index, column, ImportField(mapping[column]), cleaners.get(mapping[column]))
            for index, column in enumerate(columns)
            if mapping[column] != ImportField.IGNORE
        ]

    def clean(self, line: int, cells: list[str]) -> CleanRow | None:
        """The row, ``None`` for a blank line, or ``RowRejected`` with every reason."""
        if not any(cell.strip() for cell in cells):
            return None
        if len(cells) > self.width and any(c.strip() for c in cells[self.width :]):
            raise RowRejected(f"the row has {len(cells)} cells, the header has {self.width}")
        row = CleanRow(line=line, values={})
        problems = []
        for index, column, target, clean in self.plan:
            value = cells[index].strip().replace("\x00", "") if index < len(cells) else ""
            if not value:
                continue
            if clean is None:
                row.attributes[column] = value
                continue
            try:
                row.values[target] = clean(value)
            except ValueError as exc:
                problems.append(f"{target}: {exc}")
        if ImportField.EMAIL not in row.values and not any(
            problem.startswith("email:") for problem in problems
        ):
            problems.insert(0, "email: missing")
        if problems:
            raise RowRejected("; ".join(problems))
        return row
