"""The naive pull with MLflow's Python client: search models, search versions, get_run per
version. Prints the number of runs fetched."""
import sys
from mlflow.tracking import MlflowClient

c = MlflowClient(sys.argv[1])
models, token = [], None
while True:
    page = c.search_registered_models(max_results=1000, page_token=token)
    models += list(page)
    token = page.token
    if not token:
        break
versions, token = [], None
while True:
    page = c.search_model_versions(max_results=10000, page_token=token)
    versions += list(page)
    token = page.token
    if not token:
        break
runs = [c.get_run(v.run_id) for v in versions if v.run_id]
print(f"{len(models)} models, {len(versions)} versions, {len(runs)} runs")
