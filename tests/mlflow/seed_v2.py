"""Seeds an MLflow 2.x server (2.22) the way a 2.x team works: stages, not aliases.

Usage: MLFLOW_TRACKING_URI=http://127.0.0.1:PORT python seed_v2.py MANIFEST.json

- `pd-scorecard` (tier 3, owned by olga.owner@bank.example): two versions, each trained in a
  run of its own with a training dataset logged by `mlflow.log_input` and the model logged
  with `mlflow.sklearn.log_model(…, registered_model_name=…)` (2.x has no logged models);
  version 1 moved to the `Production` stage and version 2 to `Staging` with
  `MlflowClient.transition_model_version_stage`.

Writes MANIFEST.json: the model, its versions and stages, the dataset digest and the metric
values MLflow recorded, read back through MLflow's own client.
"""
import json
import sys

import mlflow
import pandas as pd
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LogisticRegression

assert mlflow.__version__.startswith("2."), f"this seeds an MLflow 2.x server, not {mlflow.__version__}"
c = MlflowClient()
mlflow.set_experiment("/risk/pd-scorecard")
rows = 90
X = pd.DataFrame({"utilisation": [float((i * 7) % 17) for i in range(rows)],
                  "arrears": [float((i * 3) % 5) for i in range(rows)]})
y = [1 if u + 2 * a + ((i * 5) % 7 - 3) > 12 else 0 for i, (u, a) in enumerate(zip(X.utilisation, X.arrears))]
train = X.copy()
train["default"] = y
ds = mlflow.data.from_pandas(train, source="s3://risk-data/pd/train_2026q2.parquet",
                             name="pd_train_2026q2", targets="default")
versions = []
for i in range(2):
    with mlflow.start_run(run_name=f"pd-logreg-{i + 1}") as run:
        mlflow.log_input(ds, context="training")
        model = LogisticRegression(max_iter=100 + 50 * i).fit(X, y)
        mlflow.log_params({"max_iter": 100 + 50 * i, "algorithm": "logistic_regression"})
        mlflow.log_metric("accuracy_train", float(model.score(X, y)))
        info = mlflow.sklearn.log_model(model, "model", registered_model_name="pd-scorecard")
    versions.append((str(info.registered_model_version), run.info.run_id))
for key, value in {"risk_tier": "3", "owner": "olga.owner@bank.example"}.items():
    c.set_registered_model_tag("pd-scorecard", key, value)
c.transition_model_version_stage("pd-scorecard", versions[0][0], "Production")
c.transition_model_version_stage("pd-scorecard", versions[1][0], "Staging")

manifest = {
    "name": "pd-scorecard",
    "mlflow_version": mlflow.__version__,
    "versions": [{"version": v, "run_id": r, "stage": c.get_model_version("pd-scorecard", v).current_stage,
                  "metrics": c.get_run(r).data.metrics} for v, r in versions],
    "dataset_digest": ds.digest,
}
with open(sys.argv[1], "w") as f:
    json.dump(manifest, f, indent=2, sort_keys=True)
print(f"seeded MLflow {mlflow.__version__}: pd-scorecard versions "
      + ", ".join(f"{v['version']} ({v['stage']})" for v in manifest["versions"]))
