"""Seeds an MLflow server running its basic-auth app the way an MLflow admin would.

Usage: MLFLOW_TRACKING_URI=http://127.0.0.1:PORT MLFLOW_TRACKING_USERNAME=admin \
       MLFLOW_TRACKING_PASSWORD=... python seed_auth.py MANIFEST.json

- `credit-auth` version 1 (tier 2, owned by olga.owner@bank.example): a scikit-learn model
  trained under `mlflow.sklearn.autolog()` by the admin and registered from its logged model.
- Users, made with MLflow's own auth client (`mlflow.server.get_app_client("basic-auth")`),
  with the default permission READ:
  - `vera` and `alex`: EDIT on the registered model `credit-auth` (nothing on experiments);
  - `rita`: nothing granted (READ everywhere);
  - `olga`: nothing granted yet (the test grants what her scenario needs).
- A bearer token for `vera`, written to the file MLFLOW_AUTH_BEARER_TOKENS names, which the
  server's auth plugin (bearer_auth.py) reads.

Writes MANIFEST.json: the model, its version, each user's password and the bearer tokens.
"""
import json
import os
import secrets
import sys

import mlflow
import mlflow.server
import pandas as pd
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LogisticRegression

uri = mlflow.get_tracking_uri()
c = MlflowClient()
auth = mlflow.server.get_app_client("basic-auth", tracking_uri=uri)

mlflow.set_experiment("/risk/credit-auth")
rows = 80
X = pd.DataFrame({"income": [float((i * 7) % 19) for i in range(rows)],
                  "debt": [float((i * 3) % 11) for i in range(rows)]})
y = [1 if a - 0.9 * d + ((i * 5) % 7 - 3) > 4 else 0 for i, (a, d) in enumerate(zip(X.income, X.debt))]
mlflow.sklearn.autolog(log_input_examples=False, silent=True)
with mlflow.start_run(run_name="credit-logreg"):
    LogisticRegression(max_iter=300).fit(X, y)
mlflow.sklearn.autolog(disable=True)
logged = mlflow.last_logged_model()
mv = mlflow.register_model(f"models:/{logged.model_id}", "credit-auth")
for key, value in {"risk_tier": "2", "owner": "olga.owner@bank.example"}.items():
    c.set_registered_model_tag("credit-auth", key, value)

users = {}
for name in ["vera", "alex", "rita", "olga"]:
    users[name] = "pw-" + secrets.token_hex(8)
    auth.create_user(name, users[name])
for name in ["vera", "alex"]:
    auth.grant_user_permission(name, "registered_model", "credit-auth", "EDIT")

tokens = {"vera": "tok-" + secrets.token_hex(16)}
with open(os.environ["MLFLOW_AUTH_BEARER_TOKENS"], "w") as f:
    json.dump({token: user for user, token in tokens.items()}, f)

manifest = {"model": "credit-auth", "version": str(mv.version), "users": users, "tokens": tokens}
with open(sys.argv[1], "w") as f:
    json.dump(manifest, f, indent=2)
print(f"seeded basic-auth: models:/credit-auth/{mv.version}, users {', '.join(users)}")
