"""A marketer merges one person's two records in Chromium: the contact page warns, the
side-by-side page takes the values chosen, the other record's page leads to the survivor,
and the undo puts both back."""

import pytest
from playwright.sync_api import expect

from leads.models import Contact
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_marketer_merges_two_records_side_by_side_and_undoes_it(
    log_in, live_server, marketer, screenshot
):
    work = ContactFactory(
        first_name="Ada", last_name="Lovelace", phone="+33 6 12 34 56 78", job_title="CTO"
    )
    home = ContactFactory(
        first_name="Ada", last_name="Lovelace", phone="06 12 34 56 78", job_title="Founder"
    )
    page = log_in("marketer")

    page.goto(f"{live_server.url}/contacts/{home.pk}/")
    warning = page.locator(".lookalikes")
    expect(warning).to_contain_text("same phone")
    warning.get_by_role("link", name="Compare and merge").click()

    pair = page.locator("section.pair")
    expect(pair).to_have_count(1)
    expect(pair.locator("tr.differs")).to_contain_text(["CTO"])
    screenshot(page, "duplicates_side_by_side")
    pair.get_by_label(f"Keep #{home.pk}").check()
    pair.get_by_label("CTO").check()  # the work record's job title
    pair.get_by_role("button", name="Merge").click()
    expect(page.locator(".message.success")).to_contain_text("merged into")
    expect(page.get_by_text("No suspected pair matches")).to_be_visible()

    kept = Contact.objects.get(pk=home.pk)
    assert (kept.job_title, kept.merged_into_id) == ("CTO", None)
    page.goto(f"{live_server.url}/contacts/{work.pk}/")
    assert page.url == f"{live_server.url}/contacts/{home.pk}/"
    expect(page.locator(".message")).to_contain_text("merged into contact")
    expect(page.locator("#timeline")).to_contain_text("Merged")

    page.goto(f"{live_server.url}/duplicates/")
    page.get_by_role("button", name=f"Undo the merge of #{work.pk} into #{home.pk}").click()
    expect(page.locator(".message.success")).to_contain_text("Merge undone")
    assert Contact.objects.get(pk=work.pk).merged_into_id is None
