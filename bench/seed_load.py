"""Seeds MODELS registered models x VERSIONS versions into an MLflow SQLite database for the
load test (bench/load.sh). MLflow's own store classes create the schema, the experiment and one
finished run per ten models (10 params, 5 metrics, a dataset input); models, their tags and
versions are then inserted in bulk with SQL into MLflow's registry tables (100,000 versions in
seconds instead of an hour). The server must be stopped; it then serves the data as usual.

Usage: python seed_load.py DB_PATH ARTIFACT_DIR MODELS VERSIONS
"""
import json
import sqlite3
import sys
import time

from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param, RunStatus, RunTag
from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as RegistryStore
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore as TrackingStore

db, artifacts, n_models, n_versions = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
uri = f"sqlite:///{db}"
ts = TrackingStore(uri, artifacts)
RegistryStore(uri)  # creates the registry tables
t0 = time.time()
exp = ts.create_experiment("/load/portfolio")
now = int(time.time() * 1000)
runs = []
for r in range((n_models + 9) // 10):
    run = ts.create_run(exp, user_id=f"builder{r % 7}", start_time=now,
                        tags=[RunTag("mlflow.user", f"builder{r % 7}")], run_name=f"load-train-{r}")
    rid = run.info.run_id
    ts.log_batch(rid, metrics=[Metric(f"metric_{k}", 0.5 + (r + k) % 50 / 100.0, now, 0) for k in range(5)],
                 params=[Param(f"param_{k:02d}", f"value-{r}-{k}") for k in range(10)], tags=[])
    ds = Dataset(name=f"data_{r}", digest=f"{(r * 31) & 0xffffffff:08x}", source_type="s3",
                 source=json.dumps({"uri": f"s3://load/{r}.parquet"}), schema=None, profile=None)
    ts.log_inputs(rid, datasets=[DatasetInput(ds, tags=[InputTag("mlflow.data.context", "training")])])
    ts.update_run_info(rid, RunStatus.FINISHED, now + 1000, None)
    runs.append(rid)
print(f"  {len(runs)} runs ({time.time() - t0:.0f} s)", flush=True)
c = sqlite3.connect(db)
c.executemany("insert into registered_models values (?, ?, ?, ?, 'default')",
              [(f"load-model-{m:05d}", now, now, f"load model {m}") for m in range(n_models)])
tags = []
for m in range(n_models):
    name = f"load-model-{m:05d}"
    tags += [("risk_tier", str(1 + m % 3), name), ("owner", f"owner{m % 17}@bank.example", name),
             ("monitoring", "enabled" if m % 4 else "disabled", name),
             ("next_review_date", "2026-06-01" if m % 5 == 0 else "2027-06-01", name)]
c.executemany("insert into registered_model_tags (key, value, name, workspace) values (?, ?, ?, 'default')", tags)
versions = []
for m in range(n_models):
    rid = runs[m // 10]
    for v in range(1, n_versions + 1):
        versions.append((f"load-model-{m:05d}", v, now + v, now + v, None, None, "None", f"runs:/{rid}/model",
                         rid, "READY", None, None, f"runs:/{rid}/model"))
c.executemany("insert into model_versions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'default')", versions)
c.commit()
print(f"seeded {n_models} models x {n_versions} versions in {time.time() - t0:.1f} s")
