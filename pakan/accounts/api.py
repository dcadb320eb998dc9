"""Signing in to the API: a username and password for a token, throttled like the login page
(the same counters), so the API is no back door for guessing passwords."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pakan.accounts.models import User
from pakan.accounts.services import LoginThrottled, authenticate_throttled
from pakan.registry.api import ERRORS, api_exception_handler, parse
from pakan.registry.serializers import ErrorResponse, TokenRequest, TokenResponse, api_error
from pakan.registry.validation import RegistryValidationError


def token_for(user: User) -> str:
    """The user's API token, made on first sign-in and kept until revoked in the admin."""
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


class TokenView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    def get_exception_handler(self):
        return api_exception_handler

    @extend_schema(
        operation_id="auth_token", tags=["auth"], auth=[], request=TokenRequest,
        summary="Exchange a username and password for an API token",
        description="Send the token as 'Authorization: Token <key>'. After too many failed "
                    "attempts for a username or from an address, answers 429 until the window "
                    "passes, even for the right password.",
        responses={200: TokenResponse, 400: ERRORS[400],
                   429: OpenApiResponse(ErrorResponse, description="Too many failed attempts.")})
    def post(self, request: Request) -> Response:
        credentials = parse(TokenRequest, request.data)
        try:
            user = authenticate_throttled(request._request, credentials["username"],
                                          credentials["password"])
        except LoginThrottled:
            raise exceptions.Throttled(wait=settings.LOGIN_FAILURE_WINDOW_SECONDS) from None
        if user is None:
            raise RegistryValidationError([api_error(None, "invalid_credentials")])
        return Response({"token": token_for(user), "username": user.username, "role": user.role})
