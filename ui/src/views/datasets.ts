// Reverse lineage: every version trained or evaluated on a dataset (digest or source).
import { lineageDataset } from "../backend";
import { $, h } from "../dom";
import { clearError, showError } from "./errors";

export function initDatasets(open: (name: string, version: string) => void): void {
  $("dataset-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const q = ($("dataset-query") as HTMLInputElement).value.trim();
    if (!q) return;
    try {
      const uses = await lineageDataset(q);
      clearError();
      $("dataset-results").replaceChildren(
        h("p", { id: "dataset-count" }, `${uses.length} version(s) used ${q}`),
        h(
          "table",
          {},
          h("thead", {}, h("tr", {}, ...["Version", "How", "Dataset", "Run", ""].map((c) => h("th", { scope: "col" }, c)))),
          h(
            "tbody",
            {},
            ...uses.map((u) =>
              h(
                "tr",
                {},
                h("td", {}, u.version),
                h("td", {}, `${u.produced_version ? "trained" : "evaluated"} (${u.context})`),
                h("td", {}, `${u.dataset_name} · ${u.digest.slice(0, 12)}`),
                h("td", {}, u.run_id.slice(0, 12)),
                h("td", {}, h("button", { type: "button", onclick: () => open(u.name, u.version_number) }, "Open")),
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      showError(err);
    }
  });
}
