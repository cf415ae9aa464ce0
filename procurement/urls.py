"""Work packages of a project, mounted at ``projects/<slug:slug>/packages/``."""

from django.urls import path

from procurement import day_views, views

app_name = "packages"

urlpatterns = [
    path("", views.package_list, name="list"),
    path("<int:number>/", views.package_detail, name="detail"),
    path("<int:number>/offer/", views.package_offer, name="offer"),
    path("<int:number>/withdraw/", views.package_withdraw, name="withdraw"),
    path("<int:number>/accept/", views.package_accept, name="accept"),
    path("<int:number>/decline/", views.package_decline, name="decline"),
    path("<int:number>/hand/", views.package_hand, name="hand"),
    path("<int:number>/move/", views.package_move, name="move"),
    path("<int:number>/days/", day_views.days, name="days"),
    path("<int:number>/days/withdraw/", day_views.day_withdraw, name="day-withdraw"),
]
