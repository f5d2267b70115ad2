"""Seeds MODELS registered models x VERSIONS versions straight into an MLflow SQLite database
for the load test (bench/load.sh): one finished run per model (10 params, 5 metrics, a dataset
input) that all of the model's versions point at, so 100,000 versions seed in minutes.
The server must be stopped; it then serves identical data.

Usage: python seed_load.py DB_PATH ARTIFACT_DIR MODELS VERSIONS
"""
import json
import sys
import time

from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param, RunStatus, RunTag
from mlflow.entities.model_registry import RegisteredModelTag
from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as RegistryStore
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore as TrackingStore

db, artifacts, n_models, n_versions = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
uri = f"sqlite:///{db}"
ts = TrackingStore(uri, artifacts)
rs = RegistryStore(uri)
t0 = time.time()
exp = ts.create_experiment("/load/portfolio")
now = int(time.time() * 1000)
for m in range(n_models):
    name = f"load-model-{m:05d}"
    rs.create_registered_model(name, tags=[
        RegisteredModelTag("risk_tier", str(1 + m % 3)),
        RegisteredModelTag("owner", f"owner{m % 17}@bank.example"),
        RegisteredModelTag("monitoring", "enabled" if m % 4 else "disabled"),
        RegisteredModelTag("next_review_date", "2026-06-01" if m % 5 == 0 else "2027-06-01"),
    ], description=f"load model {m}")
    run = ts.create_run(exp, user_id=f"builder{m % 7}", start_time=now,
                        tags=[RunTag("mlflow.user", f"builder{m % 7}")], run_name=f"{name}-train")
    rid = run.info.run_id
    ts.log_batch(rid, metrics=[Metric(f"metric_{k}", 0.5 + (m + k) % 50 / 100.0, now, 0) for k in range(5)],
                 params=[Param(f"param_{k:02d}", f"value-{m}-{k}") for k in range(10)], tags=[])
    ds = Dataset(name=f"data_{m}", digest=f"{(m * 31) & 0xffffffff:08x}", source_type="s3",
                 source=json.dumps({"uri": f"s3://load/{m}.parquet"}), schema=None, profile=None)
    ts.log_inputs(rid, datasets=[DatasetInput(ds, tags=[InputTag("mlflow.data.context", "training")])])
    ts.update_run_info(rid, RunStatus.FINISHED, now + 1000, None)
    for v in range(n_versions):
        rs.create_model_version(name, f"runs:/{rid}/model", run_id=rid)
    if (m + 1) % 500 == 0:
        print(f"  {m + 1}/{n_models} models ({time.time() - t0:.0f} s)", flush=True)
print(f"seeded {n_models} models x {n_versions} versions in {time.time() - t0:.1f} s")
