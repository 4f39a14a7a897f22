"""
The CSV import in the demo: one finished import on the import page (a trade-show list with a
few bad rows, so the report has something to show), and a 100,000-row sample file in
``var/demo/`` to try the page and its progress bar with.
"""

import csv
import io
from collections.abc import Iterator

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from integrations.models import ImportJob, OnDuplicate
from integrations.services import imports

DEMO_FILE = "trade-show-leads.csv"
SAMPLE_FILE = "sample-contacts-100k.csv"
HEADER = (
    "E-mail",
    "Prénom",
    "Nom",
    "Organisation",
    "Job Title",
    "Employees",
    "Country",
    "Industry",
    "Phone",
    "Met at",
)
SIZES = ("8", "25", "60", "150", "400", "1,200", "6000")
COUNTRIES = ("FR", "Germany", "GB", "Espagne", "nl", "United States", "Belgique")
TITLES = ("CMO", "Head of Marketing", "VP Sales", "RevOps Manager", "CEO", "Student")
INDUSTRIES = ("Software", "Manufacturing", "Retail", "Finance", "Healthcare")
BAD_EMAIL_EVERY, BAD_SIZE_EVERY, BAD_COUNTRY_EVERY = 400, 401, 997
# Names and companies that look like people's, and unlike one another: a file of numbered
# names ("First11", "First111") would be one look-alike pair after another.
FIRST_NAMES: tuple[str, ...] = (
    "Alice",
    "Bruno",
    "Camille",
    "Diane",
    "Étienne",
    "Fatima",
    "Gaspard",
    "Hélène",
)
FIRST_NAMES += ("Igor", "Julie", "Kenza", "Louis", "Maëlle", "Nicolas", "Océane", "Pierre")
FIRST_NAMES += ("Rania", "Samuel", "Thaïs", "Ugo", "Valérie", "William", "Yasmine", "Zoé")
LAST_NAMES: tuple[str, ...] = (
    "Arnaud",
    "Blanc",
    "Chevalier",
    "Delmas",
    "Fontaine",
    "Garnier",
    "Hoarau",
)
LAST_NAMES += ("Jacquet", "Klein", "Lemaire", "Marchand", "Nguyen", "Olivier", "Perrin")
LAST_NAMES += ("Roussel", "Schneider", "Tessier", "Vidal", "Weiss", "Zimmermann")
COMPANY_STARTS = ("Alto", "Brio", "Cygne", "Dune", "Écho", "Fjord", "Grenat", "Halo", "Iris")
COMPANY_ENDS = (" Conseil", " Industrie", " Logiciels", " Santé", " Transports", " Énergie")


def sample_rows(count: int, *, domain: str = "sample.example") -> Iterator[tuple[str, ...]]:
    """Rows as a spreadsheet export has them; about one in 200 is bad (a broken e-mail, a
    company size in words, an unknown country), always the same ones."""
    for n in range(count):
        yield (
            f"lead{n}@{domain}" if n % BAD_EMAIL_EVERY else f"lead{n} at {domain}",
            FIRST_NAMES[n % len(FIRST_NAMES)],
            LAST_NAMES[n // len(FIRST_NAMES) % len(LAST_NAMES)],
            COMPANY_STARTS[n % len(COMPANY_STARTS)] + COMPANY_ENDS[n // 7 % len(COMPANY_ENDS)],
            TITLES[n % len(TITLES)],
            SIZES[n % len(SIZES)] if n % BAD_SIZE_EVERY else "a few",
            COUNTRIES[n % len(COUNTRIES)] if n % BAD_COUNTRY_EVERY else "Atlantis",
            INDUSTRIES[n % len(INDUSTRIES)],
            f"+33 1 {n:08d}",
            "SaaS Connect" if n % 3 else "Partner webinar",
        )


def sample_csv(count: int, **options) -> bytes:
    """A semicolon-separated UTF-8 file, as Excel writes it in a French locale."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(sample_rows(count, **options))
    return buffer.getvalue().encode("utf-8")


def ensure_import(users: dict) -> None:
    """Import the trade-show list once (as the marketer), and write the sample file."""
    sample = settings.VAR_DIR / "demo" / SAMPLE_FILE
    if not sample.exists():
        sample.parent.mkdir(parents=True, exist_ok=True)
        sample.write_bytes(sample_csv(100_000))
    if ImportJob.objects.filter(file_name=DEMO_FILE).exists():
        return
    data = sample_csv(600, domain="tradeshow.example")
    job = imports.import_create(
        by=users["marketer"],
        file=SimpleUploadedFile(DEMO_FILE, data),
        on_duplicate=OnDuplicate.UPDATE_BLANKS,
    )
    imports.import_run(job_id=job.pk)
