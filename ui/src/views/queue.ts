// The review queue: what must be reviewed or approved, by whom, by when, and why — the same
// `Workspace::queue` as `countersign queue` and the TUI's Q. A row's button opens the review of
// that very version.
import { asError, queueAssign, queueShow } from "../backend";
import type { Queue } from "../bindings/Queue";
import type { QueueItem } from "../bindings/QueueItem";
import { $, h, toast } from "../dom";
import { nextReviewText } from "../logic/inventory";
import { findingsText, reasonKinds } from "../logic/queue";
import { clearError, showError } from "./errors";
import { ensureIdentity } from "./identity";

let onReview: (version: string) => void = () => {};
let loading = false;

let assigning = "";

export function initQueue(review: (version: string) => void): void {
  onReview = review;
  $("queue-refresh").addEventListener("click", () => void loadQueue());
  $("queue-mine").addEventListener("change", () => void loadQueue());
  $("assign-cancel").addEventListener("click", () => ($("assign-dialog") as HTMLDialogElement).close());
  $("assign-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void assign();
  });
}

/** Opens the assignment dialog for a version, the role it needs next chosen. */
export function openAssign(version: string, needs: string): void {
  assigning = version;
  $("assign-version").textContent = version;
  ($("assign-role") as HTMLSelectElement).value = needs === "approver" ? "approver" : "validator";
  clearError($("assign-error"));
  ($("assign-dialog") as HTMLDialogElement).showModal();
  ($("assign-to") as HTMLInputElement).focus();
}

async function assign(): Promise<void> {
  const to = ($("assign-to") as HTMLInputElement).value.trim();
  const role = ($("assign-role") as HTMLSelectElement).value === "approver" ? "approver" : "validator";
  const due = ($("assign-due") as HTMLInputElement).value.trim() || null;
  // An assignment records who made it: asked first when nobody is configured.
  if (!(await ensureIdentity())) return;
  const button = $("assign-ok") as HTMLButtonElement;
  button.disabled = true;
  try {
    const done = await queueAssign(assigning, to, role, due);
    ($("assign-dialog") as HTMLDialogElement).close();
    toast(`Assigned ${done.version} to ${done.assignment.to} (${done.assignment.role})`);
    await loadQueue();
  } catch (e) {
    // What was typed stays in the dialog.
    showError(asError(e), $("assign-error"));
  } finally {
    button.disabled = false;
  }
}

export async function loadQueue(): Promise<void> {
  if (loading) return;
  loading = true;
  const mine = ($("queue-mine") as HTMLInputElement).checked;
  $("queue-meta").textContent = "Verifying approvals on the platform…";
  try {
    render(await queueShow({ mine, tier: null, offline: false }));
  } catch (e) {
    $("queue-meta").textContent = "";
    showError(e);
  } finally {
    loading = false;
  }
}

function row(i: QueueItem): HTMLElement {
  const late = i.days_overdue > 0 ? `${i.days_overdue} d late` : "";
  const reasons = h(
    "ul",
    { class: "reasons" },
    ...i.reasons.map((r) => h("li", {}, h("strong", {}, r.kind), ` due ${r.due ?? "—"}: `, r.detail)),
  );
  const assigned = i.assignments.map((a) => `${a.to} (${a.role}${a.due ? `, due ${a.due}` : ""})`).join(", ") || "—";
  const next = i.next_review;
  const nextText = nextReviewText(next, false) ?? "—";
  return h(
    "tr",
    { "data-version": i.version_ref },
    h("td", { class: i.days_overdue > 0 ? "overdue" : "" }, i.due ?? "—", late ? h("div", {}, late) : ""),
    h("td", {}, i.tier ?? "—"),
    h("td", {}, `${i.name} v${i.version}`, i.in_production ? h("div", { class: "muted" }, "in production") : ""),
    h("td", {}, i.status, h("div", { class: "muted" }, `needs ${i.needs}`)),
    h("td", {}, assigned),
    h("td", {}, reasons, h("div", { class: "muted" }, `next review ${nextText}`)),
    h("td", { class: "findings" }, ...findingsText(i).map((t) => h("div", {}, t))),
    h(
      "td",
      {},
      h("button", { type: "button", "data-review": i.version_ref, title: `Open the review of ${i.version_ref}` }, "Review"),
      i.needs === "validator" || i.needs === "approver" ? h("button", { type: "button", "data-assign": i.version_ref, "data-needs": i.needs, title: `Assign ${i.version_ref} to a reviewer` }, "Assign…") : null,
    ),
  );
}

function render(q: Queue): void {
  const note = q.judged === "verified" ? "approvals verified on the platform now" : "approvals judged from the local ledger, not verified on the platform (no trust root pinned)";
  $("queue-meta").textContent = `${q.platform} · as of ${q.today} · ${q.items.length} item(s)${q.mine ? ` assigned to ${q.mine}` : ""} · ${reasonKinds(q.items)} · ${note}`;
  const body = h("tbody", {}, ...q.items.map(row));
  body.addEventListener("click", (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>("button[data-review]");
    if (b) onReview(b.dataset.review!);
    const a = (e.target as HTMLElement).closest<HTMLButtonElement>("button[data-assign]");
    if (a) openAssign(a.dataset.assign!, a.dataset.needs ?? "validator");
  });
  $("queue").replaceChildren(
    ...q.unverified.map((u) => h("p", { class: "error" }, `Could not verify ${u}`)),
    q.items.length
      ? h(
          "table",
          { "aria-label": "Review queue" },
          h("thead", {}, h("tr", {}, ...["Due", "Tier", "Version", "Status", "Assigned", "Why", "Open findings", ""].map((c) => h("th", { scope: "col" }, c)))),
          body,
        )
      : h("p", { class: "muted" }, q.mine ? "Nothing in the queue is assigned to you." : "Nothing needs review or approval now or in the coming weeks."),
  );
}
