"""Query-parameter filters of the deliveries list."""

import django_filters as filters

from .models import Delivery, Event


class DeliveryFilterSet(filters.FilterSet):
    webhook = filters.NumberFilter(field_name="webhook_id")
    contact = filters.NumberFilter(field_name="contact_id")
    event = filters.ChoiceFilter(choices=Event.choices)
    status = filters.ChoiceFilter(choices=Delivery.Status.choices)

    class Meta:
        model = Delivery
        fields: list[str] = []
