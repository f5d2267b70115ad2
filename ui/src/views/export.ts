// The export dialog: an audit pack of the selected version, or the portfolio report, to a path
// chosen in the native save dialog (or typed), with progress and "Show in folder".
import { chooseSavePath, exportAuditPack, exportDefaultPath, exportPortfolio, exportReport, revealInFolder } from "../backend";
import type { ReportFormat } from "../bindings/ReportFormat";
import { $, h, toast } from "../dom";
import { clearError, showError } from "./errors";

type Kind = "pack" | "portfolio" | "report";
let kind: Kind = "pack";
let version = "";
const dialog = () => $("export-dialog") as HTMLDialogElement;
const pathInput = () => $("export-path") as HTMLInputElement;

export function initExport(): void {
  $("export-choose").addEventListener("click", async () => {
    const p = await chooseSavePath(pathInput().value, kind === "pack" ? "Save the audit pack" : kind === "report" ? "Save the validation report" : "Save the portfolio report").catch(() => null);
    if (p) pathInput().value = p;
  });
  $("export-cancel").addEventListener("click", () => dialog().close());
  $("export-format").addEventListener("change", async () => {
    if (kind === "portfolio") pathInput().value = await exportDefaultPath("portfolio", `.${($("export-format") as HTMLSelectElement).value}`);
  });
  $("export-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void run();
  });
}

export async function openExport(k: Kind, v: string): Promise<void> {
  kind = k;
  version = v;
  $("export-title").textContent = k === "pack" ? `Export the audit pack of ${v}` : k === "report" ? `Export the validation report of ${v}` : "Export the portfolio report";
  $("export-format-row").hidden = k !== "portfolio";
  $("export-hint").textContent =
    k === "pack" ? "A new folder, or a file ending in .zip. A pack is never written over." : k === "report" ? "A file ending in .pdf, or .md for Markdown. A report is never written over." : "PDF, JSON or CSV.";
  $("export-result").replaceChildren();
  clearError($("export-error"));
  const bar = $("export-progress") as HTMLProgressElement;
  bar.hidden = true;
  $("export-stage").textContent = "";
  const name = v.replace(/^models:\//, "").replace("/", "-v");
  pathInput().value = k === "pack" ? await exportDefaultPath(name, "") : k === "report" ? await exportDefaultPath(`${name}-validation-report`, ".pdf") : await exportDefaultPath("portfolio", ".pdf");
  dialog().showModal();
  pathInput().focus();
}

async function run(): Promise<void> {
  const out = pathInput().value.trim();
  if (!out) {
    showError({ code: "invalid_input", message: "Choose where to save the export.", reasons: [] }, $("export-error"));
    return;
  }
  clearError($("export-error"));
  const bar = $("export-progress") as HTMLProgressElement;
  const button = $("export-submit") as HTMLButtonElement;
  button.disabled = true;
  bar.hidden = false;
  bar.removeAttribute("value");
  // Progress messages travel on their own channel and can arrive after the result: once the
  // export has ended they are ignored, so a late one never paints over the outcome.
  let ended = false;
  try {
    let written: string;
    let summary: string;
    if (kind === "pack") {
      const r = await exportAuditPack(version, out, (p) => {
        if (ended) return;
        bar.max = p.total ?? 1;
        bar.value = p.done;
        $("export-stage").textContent = p.message;
      });
      written = r.path;
      summary = `Audit pack written: ${r.files.length} files, pack hash ${r.manifest_sha256.slice(0, 16)}…, gate ${r.gate_pass ? "PASS" : "FAIL"}${r.stale ? ", an approval is stale" : ""}.`;
    } else if (kind === "report") {
      written = await exportReport(version, out, (p) => {
        if (ended) return;
        $("export-stage").textContent = p.message;
      });
      summary = "Validation report written.";
    } else {
      written = await exportPortfolio(out, ($("export-format") as HTMLSelectElement).value as ReportFormat);
      summary = "Portfolio report written.";
    }
    ended = true;
    bar.max = 1;
    bar.value = 1;
    $("export-stage").textContent = "done";
    $("export-result").replaceChildren(
      h("p", { class: "ok", id: "export-ok" }, summary),
      h("p", {}, h("code", { id: "export-written" }, written)),
      h("button", { type: "button", onclick: () => void revealInFolder(written).catch((e) => showError(e, $("export-error"))) }, "Show in folder"),
    );
    toast(summary);
  } catch (e) {
    ended = true;
    bar.hidden = true;
    $("export-stage").textContent = "";
    showError(e, $("export-error"));
  } finally {
    button.disabled = false;
  }
}
