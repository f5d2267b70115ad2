"""Seeds MODELS registered models x VERSIONS versions straight into an MLflow SQLite database
through MLflow's own store classes (the server must be stopped; ~10x faster than over HTTP and
the server then serves identical data). Each version has its own finished run with 20 params,
10 metrics and one dataset input.

Usage: python seed_bulk.py DB ARTIFACT_DIR MODELS VERSIONS
DB is a SQLite file's path, or a store URI (postgresql+psycopg2://…, which may be seeded while
its server runs).
"""
import json
import sys
import time

from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param, RunStatus, RunTag
from mlflow.entities.model_registry import RegisteredModelTag
from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as RegistryStore
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore as TrackingStore

db, artifacts, n_models, n_versions = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
uri = db if "://" in db else f"sqlite:///{db}"
ts = TrackingStore(uri, artifacts)
rs = RegistryStore(uri)
t0 = time.time()
exp = ts.create_experiment("/bench/portfolio")
now = int(time.time() * 1000)
for m in range(n_models):
    name = f"bench-model-{m:04d}"
    rs.create_registered_model(name, tags=[
        RegisteredModelTag("risk_tier", str(1 + m % 3)),
        RegisteredModelTag("owner", f"owner{m % 17}@bank.example"),
        RegisteredModelTag("business_purpose", "benchmark"),
        RegisteredModelTag("next_review_date", "2027-01-01"),
    ], description=f"benchmark model {m}")
    for v in range(n_versions):
        run = ts.create_run(exp, user_id=f"builder{m % 7}", start_time=now, tags=[RunTag("mlflow.user", f"builder{m % 7}"),
                            RunTag("mlflow.source.git.commit", f"{m:020d}{v:020d}")], run_name=f"{name}-v{v + 1}")
        rid = run.info.run_id
        ts.log_batch(rid,
                     metrics=[Metric(f"metric_{k}", 0.5 + (m * 7 + v * 3 + k) % 50 / 100.0, now, 0) for k in range(10)],
                     params=[Param(f"param_{k:02d}", f"value-{m}-{v}-{k}") for k in range(20)], tags=[])
        ds = Dataset(name=f"data_{m}_{v}", digest=f"{(m * 31 + v) & 0xffffffff:08x}", source_type="s3",
                     source=json.dumps({"uri": f"s3://bench/{m}/{v}.parquet"}), schema=None, profile=None)
        ts.log_inputs(rid, datasets=[DatasetInput(ds, tags=[InputTag("mlflow.data.context", "training")])])
        ts.update_run_info(rid, RunStatus.FINISHED, now + 1000, None)
        rs.create_model_version(name, f"runs:/{rid}/model", run_id=rid)
    if (m + 1) % 100 == 0:
        print(f"  {m + 1}/{n_models} models ({time.time() - t0:.0f} s)", flush=True)
print(f"seeded {n_models} models x {n_versions} versions in {time.time() - t0:.1f} s")
