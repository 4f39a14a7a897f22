"""Query-parameter filters of the deliveries list."""

import django_filters as filters

from leads.filtersets import IdFilter

from .models import Delivery, Event


class DeliveryFilterSet(filters.FilterSet):
    webhook = IdFilter(field_name="webhook_id")
    contact = IdFilter(field_name="contact_id")
    event = filters.ChoiceFilter(choices=Event.choices)
    status = filters.ChoiceFilter(choices=Delivery.Status.choices)

    class Meta:
        model = Delivery
        fields: list[str] = []
