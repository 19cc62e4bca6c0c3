from django.urls import path

from spona.front.portal.views import auth, customer, staff

app_name = "portal"

urlpatterns = [
    # The customer's pages
    path("", customer.home, name="home"),
    path("tickets/", customer.ticket_list, name="ticket_list"),
    path("tickets/new/", customer.ticket_create, name="ticket_create"),
    path("tickets/suggestions/", customer.ticket_suggestions, name="ticket_suggestions"),
    path("tickets/<int:pk>/", customer.ticket_detail, name="ticket_detail"),
    path("orders/", customer.order_list, name="order_list"),
    path("orders/<int:pk>/", customer.order_detail, name="order_detail"),
    path("deliveries/", customer.delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/", customer.delivery_detail, name="delivery_detail"),
    path("invoices/", customer.invoice_list, name="invoice_list"),
    path("invoices/<int:pk>/", customer.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", customer.invoice_pdf, name="invoice_pdf"),
    path("help/", customer.article_list, name="article_list"),
    path("help/<int:pk>/", customer.article_detail, name="article_detail"),
    path("password/", customer.password_change, name="password_change"),
    path("two-factor/", customer.two_factor, name="two_factor"),
    # The invitation link (signed; no login)
    path("invitation/<str:token>/", auth.invitation, name="invitation"),
    # Staff: a customer's portal logins
    path("customers/<int:pk>/", staff.customer_access, name="customer_access"),
    path("customers/<int:pk>/active/", staff.customer_login_active, name="customer_login_active"),
]
