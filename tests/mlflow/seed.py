"""Seeds a real MLflow server with the test portfolio through MLflow's own Python client.

Usage: MLFLOW_TRACKING_URI=http://127.0.0.1:PORT python seed.py MANIFEST.json

Writes MANIFEST.json: what was seeded (ids MLflow assigned, and the values to expect), which
the Rust integration tests compare field by field with what Countersign syncs.
"""
import json
import sys

import mlflow
import pandas as pd
import requests
from mlflow.entities import DatasetInput, InputTag, LoggedModelInput, Metric, Param, RunTag
from mlflow.tracking import MlflowClient

c = MlflowClient()
manifest = {"models": {}, "runs": {}, "prompt": None}

exp_id = c.create_experiment("/risk/credit-scoring", tags={"business_unit": "retail-lending"})


def dataset(name, source, rows):
    df = pd.DataFrame({"income": [float(i) for i in range(rows)], "default": [i % 2 for i in range(rows)]})
    ds = mlflow.data.from_pandas(df, source=source, name=name, targets="default")
    return ds


def train_run(name, user, commit, params, history, finals, datasets):
    run = c.create_run(exp_id, run_name=name, tags={
        "mlflow.user": user,
        "mlflow.source.name": "pipelines/credit/train.py",
        "mlflow.source.type": "JOB",
        "mlflow.source.git.commit": commit,
        "mlflow.source.git.repoURL": "https://git.example.com/risk/models.git",
    })
    rid = run.info.run_id
    ts = 1_764_000_000_000
    metrics = []
    for key, values in history.items():
        metrics += [Metric(key, v, ts + step, step) for step, v in enumerate(values)]
    metrics += [Metric(k, v, ts, 0) for k, v in finals.items()]
    c.log_batch(rid, metrics=metrics, params=[Param(k, v) for k, v in params.items()])
    inputs = []
    for ctx, ds in datasets:
        inputs.append(DatasetInput(ds._to_mlflow_entity(), tags=[InputTag("mlflow.data.context", ctx)]))
    c.log_inputs(rid, datasets=inputs)
    c.set_terminated(rid)
    manifest["runs"][rid] = {
        "name": name, "user": user, "git_commit": commit, "params": params,
        "metrics": {**{k: v[-1] for k, v in history.items()}, **finals},
        "history": history,
        "datasets": [{"context": ctx, "name": ds.name, "digest": ds.digest, "source": ds.source.uri} for ctx, ds in datasets],
    }
    return rid


train = dataset("credit_train_2025q3", "s3://risk-data/credit/train_2025q3.parquet", 40)
oot = dataset("credit_oot_2025q3", "s3://risk-data/credit/oot_2025q3.parquet", 20)
r1 = train_run("pd-logreg-2025q3", "alice.chen", "30877432d1026706d7e805da846a32c3bb81e3c2",
               {"algorithm": "logistic_regression", "C": "0.5", "max_iter": "200"},
               {"val_auc": [0.70, 0.74, 0.76, 0.77], "train_loss": [0.69, 0.52, 0.47, 0.45]},
               {"auc_holdout": 0.78}, [("training", train), ("validation", oot)])
r2 = train_run("pd-gbm-2025q4", "bruno.diaz", "4b1c2d3e4f5061728394a5b6c7d8e9f001122334",
               {"algorithm": "gradient_boosting", "learning_rate": "0.05", "n_estimators": "300"},
               {"val_auc": [0.72, 0.77, 0.79, 0.80, 0.81]},
               {"auc_holdout": 0.80}, [("training", train), ("validation", oot)])

# An MLflow 3 logged model for version 2, evaluated by an independent validation run.
lm = c.create_logged_model(experiment_id=exp_id, name="model", source_run_id=r2, params={"learning_rate": "0.05"})
c.finalize_logged_model(lm.model_id, "READY")

c.create_registered_model("credit-scoring", description="Retail PD scorecard", tags={
    "risk_tier": "1", "owner": "carla.owner@bank.example", "business_purpose": "Retail credit decisions",
    "next_review_date": "2026-03-31", "monitoring": "enabled",
    "documentation_url": "https://wiki.example.com/models/credit-scoring"})
v1 = c.create_model_version("credit-scoring", source=f"runs:/{r1}/model", run_id=r1, tags={"framework": "sklearn"})
v2 = c.create_model_version("credit-scoring", source=f"models:/{lm.model_id}", run_id=r2, model_id=lm.model_id,
                            description="GBM challenger")
c.set_registered_model_alias("credit-scoring", "champion", v1.version)
c.set_registered_model_alias("credit-scoring", "challenger", v2.version)

eval_run = c.create_run(exp_id, run_name="independent-validation-2025q4", tags={"mlflow.user": "vera.validator"})
eid = eval_run.info.run_id
c.log_metric(eid, "oot_auc", 0.79, timestamp=1_764_000_100_000, step=0, model_id=lm.model_id)
c.log_inputs(eid, datasets=[DatasetInput(oot._to_mlflow_entity(), tags=[InputTag("mlflow.data.context", "evaluation")])],
             models=[LoggedModelInput(lm.model_id)])
c.set_terminated(eid)

c.create_registered_model("churn-propensity", tags={
    "risk_tier": "3", "owner": "dan.marketing@bank.example", "business_purpose": "Retention offers",
    "next_review_date": "2027-06-30", "monitoring": "none"})
r3 = train_run("churn-xgb", "erin.ds", "aa11bb22cc33dd44ee55ff6677889900aabbccdd", {"algorithm": "xgboost"},
               {}, {"auc_holdout": 0.71}, [("training", dataset("crm_2025", "s3://crm/2025.parquet", 10))])
v3 = c.create_model_version("churn-propensity", source=f"runs:/{r3}/model", run_id=r3)

prompt = mlflow.genai.register_prompt(name="credit-memo-summarizer", template="Summarise the memo: {{memo}}",
                                      commit_message="first version", tags={"llm_provider": "OpenAI"})
# The Python client refuses registry tag writes on prompts; the REST API takes them.
for key, value in {"risk_tier": "2", "owner": "pat.prompt@bank.example", "llm_provider": "OpenAI"}.items():
    requests.post(f"{mlflow.get_tracking_uri()}/api/2.0/mlflow/registered-models/set-tag",
                  json={"name": "credit-memo-summarizer", "key": key, "value": value}, timeout=30).raise_for_status()

manifest["models"] = {
    "credit-scoring": {"tier": "1", "owner": "carla.owner@bank.example", "kind": "classic",
                       "versions": {v1.version: {"run_id": r1, "aliases": ["champion"], "source": f"runs:/{r1}/model"},
                                    v2.version: {"run_id": r2, "aliases": ["challenger"], "source": f"models:/{lm.model_id}"}}},
    "churn-propensity": {"tier": "3", "owner": "dan.marketing@bank.example", "kind": "classic",
                         "versions": {v3.version: {"run_id": r3, "aliases": [], "source": f"runs:/{r3}/model"}}},
    "credit-memo-summarizer": {"tier": "2", "owner": "pat.prompt@bank.example", "kind": "prompt",
                               "versions": {str(prompt.version): {"run_id": None, "aliases": []}}},
}
manifest["logged_model_id"] = lm.model_id
manifest["evaluation_run_id"] = eid
manifest["experiment_id"] = exp_id
with open(sys.argv[1], "w") as f:
    json.dump(manifest, f, indent=2, sort_keys=True)
print(f"seeded {len(manifest['models'])} models, {len(manifest['runs'])} training runs")
