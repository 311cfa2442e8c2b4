from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("sandbox/pay/", views.sandbox_pay, name="sandbox-pay"),
    path("return/<str:provider>/", views.payment_return, name="return"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("dossiers/<int:pk>/pay/", views.pay, name="pay"),
    path("dossiers/<int:pk>/counter-payment/", views.counter_payment, name="counter-payment"),
    path("dossiers/<int:pk>/waive/", views.waive, name="waive"),
]
