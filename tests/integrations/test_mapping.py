import pytest
from django.core.exceptions import ValidationError

from integrations.mapping import (
    RowCleaner,
    RowRejected,
    guess_mapping,
    resolve_mapping,
    unique_columns,
)


def test_common_headers_are_recognised_in_english_and_french():
    columns = [
        "E-mail",
        "Prénom",
        "Nom",
        "Organisation",
        "Job Title",
        "Number of employees",
        "Pays",
        "Téléphone",
        "Secteur",
        "Favourite colour",
    ]
    assert guess_mapping(columns) == {
        "E-mail": "email",
        "Prénom": "first_name",
        "Nom": "last_name",
        "Organisation": "company",
        "Job Title": "job_title",
        "Number of employees": "company_size",
        "Pays": "country",
        "Téléphone": "phone",
        "Secteur": "industry",
        "Favourite colour": "attribute",
    }


@pytest.mark.parametrize(
    "header", ["email", "Email Address", "e-mail", "E-Mail Address", "Courriel"]
)
def test_email_header_aliases(header):
    assert guess_mapping([header]) == {header: "email"}


def test_a_second_column_for_the_same_field_becomes_an_attribute():
    assert guess_mapping(["Email", "E-mail"]) == {"Email": "email", "E-mail": "attribute"}


def test_blank_and_repeated_headers_get_names_a_mapping_can_use():
    assert unique_columns(["email", "", "Notes", "Notes"]) == [
        "email",
        "column 2",
        "Notes",
        "Notes (2)",
    ]


def test_the_users_mapping_wins_over_the_guess():
    mapping = resolve_mapping(["Mail", "Contact"], {"Contact": "email", "Mail": "ignore"})
    assert mapping == {"Mail": "ignore", "Contact": "email"}


def test_a_guess_gives_way_to_a_field_the_user_chose_for_another_column():
    mapping = resolve_mapping(["email", "work email"], {"work email": "email"})
    assert mapping == {"email": "attribute", "work email": "email"}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"Nope": "email"}, "No column named 'Nope'"),
        ({"Mail": "birthday"}, "'birthday' is not a field"),
        ({"Mail": "ignore"}, "No column holds the e-mail address"),
        ({"Mail": "email", "Name": "email"}, "Several columns go to email"),
    ],
)
def test_a_mapping_that_cannot_work_is_refused(given, message):
    with pytest.raises(ValidationError) as caught:
        resolve_mapping(["Mail", "Name"], given)
    assert any(message in m for m in caught.value.message_dict["mapping"])


def cleaner(*columns: str) -> RowCleaner:
    return RowCleaner(columns, resolve_mapping(columns, None))


def test_a_row_is_cleaned_into_fields_and_attributes():
    row = cleaner("email", "company size", "country", "Notes").clean(
        7, [" Ada@Example.com ", "1,200", "france", "met at a fair"]
    )
    assert row.line == 7
    assert row.values == {"email": "Ada@Example.com", "company_size": 1200, "country": "FR"}
    assert row.attributes == {"Notes": "met at a fair"}
    assert row.key == "ada@example.com"


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        (["", "10", "FR"], "email: missing"),
        (["not-an-email", "10", "FR"], "email: not a valid e-mail address"),
        (["a@example.com", "ten", "FR"], "company_size: 'ten' is not a whole number"),
        (["a@example.com", "10", "Narnia"], "country: 'Narnia' is not a known country"),
        (["a@example.com", "10", "FR", "extra"], "the row has 4 cells, the header has 3"),
        (["bad", "x", "FR"], "email: not a valid e-mail address; company_size: 'x' is not"),
    ],
)
def test_a_bad_row_is_rejected_with_every_reason(cells, reason):
    with pytest.raises(RowRejected) as caught:
        cleaner("email", "size", "country").clean(3, cells)
    assert str(caught.value).startswith(reason)


def test_a_rejection_does_not_quote_personal_data():
    with pytest.raises(RowRejected) as caught:
        cleaner("email", "first name").clean(2, ["jane.doe@", "J" * 101])
    assert "jane" not in str(caught.value)
    assert "first_name: longer than 100 characters" in str(caught.value)


def test_blank_lines_are_not_rows():
    assert cleaner("email", "size").clean(2, []) is None
    assert cleaner("email", "size").clean(2, [" ", ""]) is None


def test_short_rows_are_padded_and_empty_trailing_cells_allowed():
    row = cleaner("email", "first name").clean(2, ["a@example.com"])
    assert row.values == {"email": "a@example.com"}
    row = cleaner("email").clean(2, ["a@example.com", "", ""])
    assert row.values == {"email": "a@example.com"}


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("fr", "FR"),
        ("DEU", "DE"),
        ("Germany", "DE"),
        ("Allemagne", "DE"),
        ("Deutschland", "DE"),
        ("United States", "US"),
        ("UK", "GB"),
    ],
)
def test_countries_are_read_from_codes_and_common_names(written, code):
    assert (
        cleaner("email", "country").clean(2, ["a@example.com", written]).values["country"] == code
    )


def test_a_row_without_email_and_with_other_problems_gets_every_reason():
    with pytest.raises(RowRejected) as caught:
        cleaner("email", "size").clean(2, ["", "many"])
    assert str(caught.value) == "email: missing; company_size: 'many' is not a whole number"
