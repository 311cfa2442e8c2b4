from django.urls import path

from payments.api import views

app_name = "payments-api"

urlpatterns = [
    path("dossiers/<int:pk>/invoice/", views.InvoiceView.as_view(), name="invoice"),
    path("dossiers/<int:pk>/invoice/pay/", views.PayView.as_view(), name="pay"),
    path(
        "dossiers/<int:pk>/invoice/counter-payment/",
        views.CounterPaymentView.as_view(),
        name="counter-payment",
    ),
    path("dossiers/<int:pk>/invoice/waive/", views.WaiveView.as_view(), name="waive"),
    path("dossiers/<int:pk>/invoice/receipt/", views.ReceiptView.as_view(), name="receipt"),
    path("dossiers/<int:pk>/invoice/refund/", views.RefundView.as_view(), name="refund"),
    path(
        "dossiers/<int:pk>/invoice/refunds/<int:refund_id>/receipt/",
        views.RefundReceiptView.as_view(),
        name="refund-receipt",
    ),
    path("payments/<str:provider>/callback/", views.CallbackView.as_view(), name="callback"),
]
