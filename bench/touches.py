"""The touches of the generated base: each contact's first (its campaign, when first seen)
and, on PostgreSQL, for about two in three, one to three more from other campaigns before its
MQL (or within 60 days), what multi-touch attribution shares credit over. Set-based: two
INSERT ... SELECT, seeded so every run draws the same touches."""

SEED = 0.42


def touches_spread() -> int:
    """Replace the touches with the generated ones; how many there are."""
    from django.db import connection

    from leads.models import Touch

    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE leads_touch" if postgres else "DELETE FROM leads_touch")
        cursor.execute(
            "INSERT INTO leads_touch (contact_id, campaign_id, at, source, utm_source, "
            "utm_medium, utm_campaign) SELECT id, campaign_id, first_seen_at, 'created', '', "
            "'', '' FROM leads_contact WHERE campaign_id IS NOT NULL"
        )
        if not postgres:  # the tests' small bases on SQLite: first touches only
            return Touch.objects.count()
        cursor.execute("SELECT setseed(%s)", [SEED])
        cursor.execute(
            """
            WITH campaigns AS (SELECT array_agg(id ORDER BY id) AS ids FROM leads_campaign)
            INSERT INTO leads_touch (contact_id, campaign_id, at, source, utm_source,
                                     utm_medium, utm_campaign)
            SELECT c.id,
                   campaigns.ids[1 + floor(random() * array_length(campaigns.ids, 1))::int],
                   c.first_seen_at + random() * (
                       COALESCE(c.mql_at, c.first_seen_at + interval '60 days') - c.first_seen_at
                   ),
                   'event', '', '', ''
            FROM leads_contact c
            CROSS JOIN campaigns
            CROSS JOIN LATERAL generate_series(1, floor(random() * 4)::int) AS extra
            """
        )
        cursor.execute("ANALYZE leads_touch")
    return Touch.objects.count()
