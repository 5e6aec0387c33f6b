"""``/api/v1/`` routes (included from config/urls.py)."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from keyprojects.attraction.api import LeadViewSet
from keyprojects.brands.api import BrandApplicationViewSet, SelectionRoundViewSet
from keyprojects.cultivation.api import CultivationEntryViewSet, CultivationListViewSet
from keyprojects.partnership.api import AgreementViewSet

from . import approvals_views, assessment_views, dispatch_views, figures_views, oc4ids_views, plans_views, views

app_name = "api"

router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("units", views.UnitViewSet, basename="unit")
router.register("leaders", views.LeaderViewSet, basename="leader")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("monthly-plans", plans_views.MonthlyPlanViewSet, basename="monthly-plan")
router.register("periods", dispatch_views.PeriodViewSet, basename="period")
router.register("reports", dispatch_views.ReportViewSet, basename="report")
router.register("revisions", dispatch_views.RevisionViewSet, basename="revision")
router.register("warnings", dispatch_views.WarningViewSet, basename="warning")
router.register("problems", dispatch_views.ProblemViewSet, basename="problem")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("leads", LeadViewSet, basename="lead")
router.register("cultivation/lists", CultivationListViewSet, basename="cultivation-list")
router.register("cultivation/entries", CultivationEntryViewSet, basename="cultivation-entry")
router.register("brands/rounds", SelectionRoundViewSet, basename="brand-round")
router.register("brands/applications", BrandApplicationViewSet, basename="brand-application")
router.register("approvals", approvals_views.ApprovalViewSet, basename="approval")
router.register("factor-needs", approvals_views.FactorNeedViewSet, basename="factor-need")
router.register("consultations", approvals_views.ConsultationViewSet, basename="consultation")
router.register("assessments", assessment_views.AssessmentViewSet, basename="assessment")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/tokens/", views.TokenListView.as_view(), name="tokens"),
    path("auth/tokens/<int:pk>/", views.TokenDetailView.as_view(), name="token-detail"),
    path("oc4ids/", oc4ids_views.Oc4idsPackageView.as_view(), name="oc4ids"),
    path("figures/regions/", figures_views.RegionFiguresView.as_view(), name="figures-regions"),
    path("figures/projects/", figures_views.ProjectFiguresView.as_view(), name="figures-projects"),
    *router.urls,
    re_path(r"^", views.not_found),  # last: anything else under /api/v1/ is a JSON 404
]
