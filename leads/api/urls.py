from rest_framework.routers import DefaultRouter

from .views import CampaignViewSet, ContactViewSet

router = DefaultRouter()
router.register("contacts", ContactViewSet, basename="contact")
router.register("campaigns", CampaignViewSet, basename="campaign")

urlpatterns = router.urls
