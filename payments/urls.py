from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("sandbox/pay/", views.sandbox_pay, name="sandbox-pay"),
    path("return/<str:provider>/", views.payment_return, name="return"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
]
