from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("sandbox/pay/", views.sandbox_pay, name="sandbox-pay"),
    path("return/<str:provider>/", views.payment_return, name="return"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("reconciliation/<int:pk>/mismatches.csv", views.mismatches_csv, name="mismatches-csv"),
    path("mismatches/<int:pk>/resolve/", views.mismatch_resolve, name="mismatch-resolve"),
    path("refunds/", views.refund, name="refund"),
    path("refunds/<int:pk>/paid-back/", views.refund_paid_back, name="refund-paid-back"),
    path("dossiers/<int:pk>/pay/", views.pay, name="pay"),
    path("dossiers/<int:pk>/counter-payment/", views.counter_payment, name="counter-payment"),
    path("dossiers/<int:pk>/waive/", views.waive, name="waive"),
]
