// Wires the views together: navigation, theme, sync, the detail's actions, keyboard shortcuts.
import { onCoreLog, syncRun, workspaceInfo } from "./backend";
import type { Role } from "./bindings/Role";
import { $, toast } from "./dom";
import { SHORTCUTS } from "./logic/keys";
import { loadDashboard } from "./views/dashboard";
import { initDatasets } from "./views/datasets";
import { selection, showModel, verifyNow } from "./views/detail";
import { showError } from "./views/errors";
import { initExport, openExport } from "./views/export";
import { initInventory, loadInventory } from "./views/inventory";
import { initQueue, loadQueue } from "./views/queue";
import { initIdentity, setInfo } from "./views/identity";
import { openReview } from "./views/review";
import { initSettings, loadSettings } from "./views/settings";
import { initSign, openSign } from "./views/sign";

type View = "inventory" | "dashboard" | "datasets" | "review" | "queue" | "settings";

function show(view: View): void {
  for (const v of ["inventory", "dashboard", "datasets", "review", "queue", "settings"] as View[]) $(`view-${v}`).hidden = v !== view;
  for (const tab of document.querySelectorAll<HTMLButtonElement>("nav [data-view]")) tab.setAttribute("aria-current", String(tab.dataset.view === view));
  if (view === "dashboard") void loadDashboard();
  if (view === "queue") void loadQueue();
  if (view === "settings") void loadSettings();
}

function setTheme(theme: "light" | "dark"): void {
  document.documentElement.dataset.theme = theme;
  $("theme").setAttribute("aria-pressed", String(theme === "dark"));
  $("theme").textContent = theme === "dark" ? "Light theme" : "Dark theme";
  localStorage.setItem("countersign.theme", theme);
}

function suggestedRole(): Role {
  const m = selection()?.model;
  const mine = m?.approvals.some((a) => a.role === "validator" && a.version === selection()?.version);
  return mine ? "approver" : "validator";
}

async function act(action: string): Promise<void> {
  const sel = selection();
  if (!sel?.version) return;
  if (action === "review") {
    if (await openReview(sel.version)) show("review");
  } else if (action === "sign") openSign(sel.version, suggestedRole());
  else if (action === "verify") await verifyNow();
  else if (action === "export") await openExport("pack", sel.version);
  else if (action === "export-report") await openExport("report", sel.version);
}

async function sync(): Promise<void> {
  const button = $("sync") as HTMLButtonElement;
  const bar = $("sync-progress") as HTMLProgressElement;
  button.disabled = true;
  bar.hidden = false;
  bar.removeAttribute("value");
  // Progress can arrive after the result (its own channel): ignored once the sync has ended.
  let ended = false;
  try {
    const r = await syncRun(false, (p) => {
      if (ended) return;
      if (p.total) {
        bar.max = p.total;
        bar.value = p.done;
      }
      toast(`Syncing — ${p.message}`);
    });
    ended = true;
    toast(`Synced ${r.platform}: ${r.models} models, ${r.versions} versions, ${r.runs_fetched} runs fetched, ${r.requests} requests`);
    await loadInventory();
  } catch (e) {
    ended = true;
    showError(e);
  } finally {
    button.disabled = false;
    bar.hidden = true;
  }
}

function typing(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
}

async function start(): Promise<void> {
  const saved = localStorage.getItem("countersign.theme");
  setTheme(saved === "dark" || saved === "light" ? saved : matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  $("theme").addEventListener("click", () => setTheme(document.documentElement.dataset.theme === "dark" ? "light" : "dark"));
  for (const tab of document.querySelectorAll<HTMLButtonElement>("nav [data-view]")) tab.addEventListener("click", () => show(tab.dataset.view as View));
  $("sync").addEventListener("click", () => void sync());
  document.addEventListener("countersign:open-settings", () => show("settings"));
  $("review-back").addEventListener("click", () => {
    show("inventory");
    const sel = selection();
    if (sel) void showModel(sel.model.detail.model.name, sel.version?.split("/").pop());
  });
  $("export-portfolio").addEventListener("click", () => void openExport("portfolio", ""));
  $("detail").addEventListener("click", (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>("button[data-action]");
    if (b) void act(b.dataset.action!);
  });
  void onCoreLog((line) => toast(line));
  initInventory((name) => void showModel(name));
  initSign(() => {
    const sel = selection();
    if (sel) void showModel(sel.model.detail.model.name, sel.version?.split("/").pop());
    void loadInventory();
  });
  initExport();
  initIdentity();
  initQueue(async (version) => {
    if (await openReview(version)) show("review");
  });
  initDatasets((name, version) => {
    show("inventory");
    void showModel(name, version);
  });
  document.addEventListener("keydown", (e) => {
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey || document.querySelector("dialog[open]")) return;
    const run: Record<string, () => void> = {
      search: () => $("search").focus(),
      review: () => void act("review"),
      sign: () => void act("sign"),
      verify: () => void act("verify"),
      export: () => void act("export"),
      export_validation_report: () => void act("export-report"),
      sync: () => void sync(),
      dashboard: () => show("dashboard"),
      queue: () => show("queue"),
      lineage: () => show("datasets"),
      view_inventory: () => show("inventory"),
      view_dashboard: () => show("dashboard"),
      view_datasets: () => show("datasets"),
      view_queue: () => show("queue"),
    };
    const action = SHORTCUTS[e.key];
    const f = action === undefined ? undefined : run[action];
    if (f) {
      e.preventDefault();
      f();
    }
  });
  initSettings(async () => {
    // The workspace opens afresh from the saved settings.
    if (await openWorkspace()) {
      await loadInventory();
      show("inventory");
    }
  });
  // A first run (nothing says which platform to use) opens on the settings.
  const settings = await loadSettings();
  if (settings?.needs_setup) {
    show("settings");
    return;
  }
  await openWorkspace();
  await loadInventory();
  show("inventory");
}

/** Reads the workspace's header facts; false (the error shown) when it does not open. */
async function openWorkspace(): Promise<boolean> {
  try {
    const info = await workspaceInfo();
    $("platform").textContent = info.platform;
    setInfo(info);
    return true;
  } catch (e) {
    showError(e);
    return false;
  }
}

void start();
