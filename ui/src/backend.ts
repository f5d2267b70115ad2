// The only module that talks to the Rust side (and to the native dialog/opener plugins).
// Every command delegates to countersign-core; the types are generated from the Rust types
// (see src/bindings, checked by `cargo test -p countersign-desktop --test bindings`).
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { ask, open as openDialog, save as saveDialog } from "@tauri-apps/plugin-dialog";
import { revealItemInDir } from "@tauri-apps/plugin-opener";
import type { AnswerInput } from "./bindings/AnswerInput";
import type { Assigned } from "./bindings/Assigned";
import type { Role } from "./bindings/Role";
import type { SettingsInput } from "./bindings/SettingsInput";
import type { SettingsPage } from "./bindings/SettingsPage";
import type { AttestRequest } from "./bindings/AttestRequest";
import type { Attested } from "./bindings/Attested";
import type { AttestationCheck } from "./bindings/AttestationCheck";
import type { DatasetUse } from "./bindings/DatasetUse";
import type { ErrorReport } from "./bindings/ErrorReport";
import type { IdentitySaved } from "./bindings/IdentitySaved";
import type { Queue } from "./bindings/Queue";
import type { QueueOptions } from "./bindings/QueueOptions";
import type { FindingInput } from "./bindings/FindingInput";
import type { FindingUpdate } from "./bindings/FindingUpdate";
import type { InventoryPage } from "./bindings/InventoryPage";
import type { ModelPage } from "./bindings/ModelPage";
import type { PackReport } from "./bindings/PackReport";
import type { PortfolioReport } from "./bindings/PortfolioReport";
import type { Progress } from "./bindings/Progress";
import type { ReportFormat } from "./bindings/ReportFormat";
import type { Section } from "./bindings/Section";
import type { ReviewPage } from "./bindings/ReviewPage";
import type { ReviewSummary } from "./bindings/ReviewSummary";
import type { SignRequest } from "./bindings/SignRequest";
import type { Signed } from "./bindings/Signed";
import type { SyncReport } from "./bindings/SyncReport";
import type { Verification } from "./bindings/Verification";
import type { VersionPage } from "./bindings/VersionPage";
import type { WorkspaceInfo } from "./bindings/WorkspaceInfo";

export const workspaceInfo = () => invoke<WorkspaceInfo>("workspace_info");
export const inventoryList = () => invoke<InventoryPage>("inventory_list");
export const modelShow = (name: string) => invoke<ModelPage>("model_show", { name });
export const versionShow = (version: string) => invoke<VersionPage>("version_show", { version });
export const versionVerify = (version: string) =>
  invoke<Verification>("version_verify", { version });
export const lineageDataset = (query: string) => invoke<DatasetUse[]>("lineage_dataset", { query });
export const reviewOpen = (version: string) => invoke<ReviewPage>("review_open", { version });
export const reviewPreview = (version: string) => invoke<ReviewPage>("review_preview", { version });
export const identitySave = (identity: string) => invoke<IdentitySaved>("identity_save", { identity });
export const reviewNew = (version: string) => invoke<ReviewPage>("review_new", { version });
export const reviewList = (version: string) => invoke<ReviewSummary[]>("review_list", { version });
export const reviewAnswer = (version: string, answer: AnswerInput) =>
  invoke<ReviewPage>("review_answer", { version, answer });
export const reviewReportSet = (version: string, section: Section, text: string) =>
  invoke<ReviewPage>("review_report_set", { version, section, text });
export const exportReport = (version: string, out: string, onProgress: (p: Progress) => void) =>
  invoke<string>("export_report", { version, out, onProgress: channel(onProgress) });
export const reviewFindingAdd = (version: string, finding: FindingInput) =>
  invoke<ReviewPage>("review_finding_add", { version, finding });
export const reviewFindingUpdate = (version: string, id: string, update: FindingUpdate) =>
  invoke<ReviewPage>("review_finding_update", { version, id, update });
export const approvalSign = (request: SignRequest) => invoke<Signed>("approval_sign", { request });
export const attestationSign = (request: AttestRequest) => invoke<Attested>("attestation_sign", { request });
export const attestationList = (version: string) => invoke<AttestationCheck[]>("attestation_list", { version });
export const attestationStatements = () => invoke<string[]>("attestation_statements");
export const portfolioShow = () => invoke<PortfolioReport>("portfolio_show");
export const queueShow = (options: QueueOptions) => invoke<Queue>("queue_show", { options });
export const queueAssign = (version: string, to: string, role: Role, due: string | null) =>
  invoke<Assigned>("queue_assign", { version, to, role, due });
export const exportDefaultPath = (stem: string, ext: string) =>
  invoke<string>("export_default_path", { stem, ext });

function channel(onProgress: (p: Progress) => void): Channel<Progress> {
  const c = new Channel<Progress>();
  c.onmessage = onProgress;
  return c;
}

export const exportAuditPack = (version: string, out: string, onProgress: (p: Progress) => void) =>
  invoke<PackReport>("export_audit_pack", { version, out, onProgress: channel(onProgress) });
export const exportPortfolio = (out: string, format: ReportFormat) =>
  invoke<string>("export_portfolio", { out, format });
export const syncRun = (full: boolean, onProgress: (p: Progress) => void) =>
  invoke<SyncReport>("sync_run", { full, onProgress: channel(onProgress) });

/** The native save dialog; null when cancelled. */
export async function chooseSavePath(defaultPath: string, title: string): Promise<string | null> {
  return (await saveDialog({ defaultPath, title })) ?? null;
}

/** The native open dialog for a key file; null when cancelled. */
export const settingsShow = () => invoke<SettingsPage>("settings_show");
export const settingsSave = (input: SettingsInput) => invoke<SettingsPage>("settings_save", { input });

/** A file chosen in the native open dialog (null: cancelled). */
export async function chooseFile(title: string): Promise<string | null> {
  const p = await openDialog({ title, multiple: false, directory: false });
  return typeof p === "string" ? p : null;
}

/** A folder chosen in the native open dialog (null: cancelled). */
export async function chooseFolder(title: string): Promise<string | null> {
  const p = await openDialog({ title, multiple: false, directory: true });
  return typeof p === "string" ? p : null;
}

export const chooseKeyFile = () => chooseFile("Choose your SSH private key");

/** Shows an exported file or folder in the file manager. */
export const revealInFolder = (path: string) => revealItemInDir(path);

/** The error the Rust side sent, or one made from anything else thrown. */
export function asError(e: unknown): ErrorReport {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const r = e as Partial<ErrorReport>;
    const out: ErrorReport = { code: String(r.code), message: String(r.message), reasons: r.reasons ?? [] };
    if (typeof r.setting === "string") out.setting = r.setting;
    return out;
  }
  return { code: "internal", message: String(e), reasons: [] };
}

/** Calls `show` with each line core logs (a retry of a slow platform), from now on. */
export const onCoreLog = (show: (line: string) => void) => listen<string>("core-log", (e) => show(e.payload));

/** Asks a yes/no question in a native dialog. */
export const askYesNo = (text: string) => ask(text, { title: "Countersign", kind: "warning" });
