from rest_framework.routers import DefaultRouter

from .duplicates import DuplicatePairViewSet, DuplicateScanViewSet, MergeViewSet
from .views import CampaignViewSet, ContactViewSet

router = DefaultRouter()
router.register("contacts", ContactViewSet, basename="contact")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("duplicates", DuplicatePairViewSet, basename="duplicate")
router.register("duplicate-scans", DuplicateScanViewSet, basename="duplicate-scan")
router.register("merges", MergeViewSet, basename="merge")

urlpatterns = router.urls
