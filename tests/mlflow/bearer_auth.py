"""An MLflow auth plugin (`authorization_function` in the basic-auth app's ini) for the tests:
accepts `Authorization: Bearer TOKEN` for the tokens listed in the JSON file that
MLFLOW_AUTH_BEARER_TOKENS names ({"TOKEN": "username"}, read on every request, so the seed can
add tokens after start-up), as a server behind a token-issuing gateway does, and hands every
other request to MLflow's own basic-auth function unchanged. Users and their permissions are
MLflow's own (the token only names the user).
"""
import hmac
import json
import os

from flask import request
from werkzeug.datastructures import Authorization

from mlflow.server.auth import authenticate_request_basic_auth, make_basic_auth_response


def authenticate_request():
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        given = header[len("Bearer "):].strip()
        with open(os.environ["MLFLOW_AUTH_BEARER_TOKENS"]) as f:
            tokens = json.load(f)
        for token, user in tokens.items():
            if hmac.compare_digest(token.encode(), given.encode()):
                return Authorization("bearer", {"username": user})
        return make_basic_auth_response()
    return authenticate_request_basic_auth()
