"""Seeds the evaluation scenario on a server of its own, the way MLflow's docs do it.

Usage: MLFLOW_TRACKING_URI=http://127.0.0.1:PORT python seed_evaluations.py MANIFEST.json

- `fraud-detector` version 1: a scikit-learn model trained under `mlflow.sklearn.autolog()`,
  registered from its logged model, then evaluated by a separate run with
  `mlflow.models.evaluate(model="models:/fraud-detector/1", …)`. MLflow links that evaluation to
  the version only through the run's `mlflow.datasets` tag (which names the logged model).
- `claims-triage` prompt version 1, evaluated with `mlflow.genai.evaluate` by a `predict_fn` that
  loads the prompt, with a code scorer (no LLM), then an LLM judge's and a reviewer's feedback on
  its traces (one judge score overridden by the reviewer): MLflow links that run to the prompt version only
  through the run tag `mlflow.linkedPrompts`.
  Version 2 changes the template and the model configuration (temperature, max_tokens);
  version 1 holds the alias `production`.
- `campaign-uplift` versions 1 and 2 (purpose marketing; version 1 holds the alias `champion`):
  trained under autolog on a CRM extract logged with `mlflow.log_input(…, tags={"classification":
  "pii"})`, the tag a data-use rule matches; `fraud-detector`'s evaluation did not use it.

Writes MANIFEST.json: the ids MLflow assigned and the metric values it recorded, read back
through MLflow's own client, which the Rust tests compare with what Countersign finds.
"""
import json
import sys

import mlflow
import pandas as pd
import requests
from mlflow.genai.scorers import scorer
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LogisticRegression

c = MlflowClient()
uri = mlflow.get_tracking_uri()

# A classic model, trained with autolog.
mlflow.set_experiment("/risk/fraud")
rows = 120
X = pd.DataFrame({"amount": [float((i * 7) % 23) for i in range(rows)],
                  "velocity": [float((i * 5) % 13) for i in range(rows)]})
# Labels with some noise, so that the evaluation's metrics are not all 1.0.
y = [1 if a + 0.8 * v + ((i * 11) % 9 - 4) > 16 else 0 for i, (a, v) in enumerate(zip(X.amount, X.velocity))]
mlflow.sklearn.autolog(log_input_examples=False, silent=True)
with mlflow.start_run(run_name="fraud-logreg") as train_run:
    LogisticRegression(max_iter=300).fit(X, y)
mlflow.sklearn.autolog(disable=True)
logged = mlflow.last_logged_model()
mv = mlflow.register_model(f"models:/{logged.model_id}", "fraud-detector")
for key, value in {"risk_tier": "2", "owner": "olga.owner@bank.example"}.items():
    c.set_registered_model_tag("fraud-detector", key, value)

# An independent evaluation of the registered version, by its models:/ URI.
holdout = X.copy()
holdout["label"] = y
holdout_ds = mlflow.data.from_pandas(holdout, source="s3://risk-data/fraud/holdout_2026q3.parquet",
                                     name="fraud_holdout_2026q3", targets="label")
with mlflow.start_run(run_name="fraud-independent-evaluation") as eval_run:
    mlflow.models.evaluate(model=f"models:/fraud-detector/{mv.version}", data=holdout_ds,
                           model_type="classifier", evaluators=["default"])

# A prompt, evaluated with mlflow.genai.evaluate and a code scorer.
mlflow.set_experiment("/genai/claims")
prompt = mlflow.genai.register_prompt(name="claims-triage", template="Classify this claim: {{claim}}",
                                      commit_message="first version",
                                      model_config={"provider": "openai", "model_name": "gpt-4o-mini",
                                                    "temperature": 0.0})
for key, value in {"risk_tier": "2", "owner": "pat.prompt@bank.example"}.items():
    requests.post(f"{uri}/api/2.0/mlflow/registered-models/set-tag",
                  json={"name": "claims-triage", "key": key, "value": value}, timeout=30).raise_for_status()


@scorer
def names_the_claim(inputs, outputs) -> bool:
    return inputs["claim"] in outputs


def predict_fn(claim):
    return mlflow.genai.load_prompt(f"prompts:/claims-triage/{prompt.version}").format(claim=claim)


claims = [{"inputs": {"claim": c_}} for c_ in ["water damage in kitchen", "stolen bicycle", "hail on roof"]]
with mlflow.start_run(run_name="claims-triage-evaluation") as genai_run:
    mlflow.genai.evaluate(data=claims, predict_fn=predict_fn, scorers=[names_the_claim])

# Feedback on the evaluation's traces as teams add it after the run: an LLM judge's scores
# (imported as MLflow's docs show, with its source), a reviewer's verdicts, and one judge score
# the reviewer overrode (the original is then invalid and must not count).
from mlflow.entities import AssessmentSource

genai_traces = mlflow.search_traces(run_id=genai_run.info.run_id, return_type="list",
                                    locations=[genai_run.info.experiment_id])
judge = AssessmentSource(source_type="LLM_JUDGE", source_id="openai:/gpt-4o-mini")
hana = AssessmentSource(source_type="HUMAN", source_id="hana.reviewer@bank.example")
judged = []
for i, t in enumerate(sorted(genai_traces, key=lambda t: t.info.trace_id)):
    tid = t.info.trace_id
    judged.append(mlflow.log_feedback(trace_id=tid, name="groundedness", value=[0.9, 0.6, 1.0][i],
                                      source=judge, rationale="judged against the claim text"))
    if i < 2:
        mlflow.log_feedback(trace_id=tid, name="correct_category", value=(i == 0), source=hana,
                            rationale="checked by hand")
mlflow.override_feedback(trace_id=judged[1].trace_id, assessment_id=judged[1].assessment_id,
                         value=0.2, source=hana, rationale="the judge missed the hail")


# A second version of the prompt: a new template and a warmer model; the first stays in
# production (its alias), so a review of the second compares against both.
prompt2 = mlflow.genai.register_prompt(
    name="claims-triage",
    template="Classify this insurance claim: {{claim}}\nAnswer with one category.",
    commit_message="stricter answer", model_config={"provider": "openai", "model_name": "gpt-4o-mini",
                                                    "temperature": 0.2, "max_tokens": 20})
mlflow.genai.set_prompt_alias("claims-triage", alias="production", version=int(prompt.version))


def assessment_counts(run):
    """What MLflow's own client says of the run's traces: per assessment name, valid
    assessments per source type, and traces carrying one per source type."""
    out = {}
    for t in mlflow.search_traces(run_id=run.info.run_id, return_type="list",
                                  locations=[run.info.experiment_id]):
        seen = set()
        for a in t.info.assessments:
            if a.valid is False:
                continue
            kind = a.source.source_type
            row = out.setdefault(a.name, {"by_source": {}, "traces_by_source": {}})
            row["by_source"][kind] = row["by_source"].get(kind, 0) + 1
            seen.add((a.name, kind))
        for name, kind in seen:
            row = out[name]["traces_by_source"]
            row[kind] = row.get(kind, 0) + 1
    return out


# A marketing model trained on personal data, tagged as such where it is used.
mlflow.set_experiment("/marketing/campaigns")
crm = X.copy()
crm["responded"] = y
crm_ds = mlflow.data.from_pandas(crm, source="s3://crm-extracts/contacts_2026q3.parquet",
                                 name="crm_contacts_2026q3", targets="responded")
campaign_versions = []
for i in range(2):
    mlflow.sklearn.autolog(log_input_examples=False, silent=True, log_datasets=False)
    with mlflow.start_run(run_name=f"uplift-{i + 1}"):
        mlflow.log_input(crm_ds, context="training", tags={"classification": "pii"})
        LogisticRegression(max_iter=200 + i).fit(X, y)
    mlflow.sklearn.autolog(disable=True)
    campaign_versions.append(mlflow.register_model(f"models:/{mlflow.last_logged_model().model_id}",
                                                   "campaign-uplift").version)
for key, value in {"risk_tier": "3", "owner": "mia.marketing@bank.example",
                   "business_purpose": "marketing"}.items():
    c.set_registered_model_tag("campaign-uplift", key, value)
c.set_registered_model_alias("campaign-uplift", "champion", campaign_versions[0])


def metrics_of(run_id):
    return {k: v for k, v in c.get_run(run_id).data.metrics.items()}


manifest = {
    "fraud": {"name": "fraud-detector", "version": mv.version, "logged_model_id": logged.model_id,
              "training_run_id": train_run.info.run_id, "evaluation_run_id": eval_run.info.run_id,
              "evaluation_metrics": metrics_of(eval_run.info.run_id),
              "evaluation_tags": {k: v for k, v in c.get_run(eval_run.info.run_id).data.tags.items()
                                  if k == "mlflow.datasets"},
              "holdout_digest": holdout_ds.digest},
    "prompt": {"name": "claims-triage", "version": str(prompt.version),
               "evaluation_run_id": genai_run.info.run_id,
               "evaluation_metrics": metrics_of(genai_run.info.run_id),
               "linked_prompts": c.get_run(genai_run.info.run_id).data.tags.get("mlflow.linkedPrompts"),
               "traces": len(genai_traces),
               "second": {"version": str(prompt2.version), "template": prompt2.template,
                          "model_config": mlflow.genai.load_prompt(
                              f"prompts:/claims-triage/{prompt2.version}").model_config},
               "assessments": assessment_counts(genai_run)},
    "campaign": {"name": "campaign-uplift", "versions": [str(v) for v in campaign_versions],
                 "champion": str(campaign_versions[0]), "crm_digest": crm_ds.digest},
}
with open(sys.argv[1], "w") as f:
    json.dump(manifest, f, indent=2, sort_keys=True)
print(f"seeded the evaluation scenario: {mv.name} {mv.version}, prompt claims-triage {prompt.version}")
