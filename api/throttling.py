"""Requests per user (per address without login), at the rates of settings.API_THROTTLE_RATES,
read at each request (DRF's own throttles read theirs once, at import)."""

from django.conf import settings
from rest_framework import throttling


class SettingsRate:
    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]


class UserThrottle(SettingsRate, throttling.UserRateThrottle):
    pass


class AnonThrottle(SettingsRate, throttling.AnonRateThrottle):
    pass
