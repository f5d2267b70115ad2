// The review page: checklist with automatic results, answers with notes (saved per answer),
// findings editor, progress, and what blocks the decision.
import { askYesNo, reviewAnswer, reviewFindingAdd, reviewFindingSet, reviewNew, reviewOpen } from "../backend";
import type { Outcome } from "../bindings/Outcome";
import type { ReviewItem } from "../bindings/ReviewItem";
import type { ReviewPage } from "../bindings/ReviewPage";
import type { Severity } from "../bindings/Severity";
import { $, compact, h, toast } from "../dom";
import { autoLabel, byArea, itemState, progressText } from "../logic/review";
import { clearError, showError } from "./errors";

let page: ReviewPage | null = null;
let version = "";

export async function openReview(v: string): Promise<boolean> {
  try {
    page = await reviewOpen(v);
    version = v;
    clearError($("review-error"));
    render();
    toast((page.resumed ? `Resumed the review of ${v}` : `Started a review of ${v}`) + (page.note ? ` — note: ${page.note}` : ""));
    return true;
  } catch (e) {
    showError(e);
    return false;
  }
}

async function apply(p: Promise<ReviewPage>, done: string): Promise<void> {
  try {
    page = await p;
    clearError($("review-error"));
    render();
    toast(done);
  } catch (e) {
    showError(e, $("review-error"));
  }
}

function answer(item: ReviewItem, outcome: Outcome | null): void {
  const note = ($(`note-${item.id}`) as HTMLTextAreaElement).value;
  void apply(reviewAnswer(version, { item: item.id, outcome, note, evidence: [] }), `Saved ${item.id}: ${outcome ?? "automatic result confirmed"}`).then(() => {
    ($(`item-${item.id}`).querySelector("button[data-outcome]") as HTMLElement | null)?.focus();
  });
}

function itemView(item: ReviewItem): HTMLElement {
  const a = page!.review.answers[item.id];
  const state = itemState(a);
  const auto = item.automatic;
  const labels: [Outcome, string][] = [
    ["pass", "Pass"],
    ["fail", "Fail"],
    ["not_applicable", "N/A"],
  ];
  return h(
    "article",
    { class: `item item-${state}`, id: `item-${item.id}`, "data-item": item.id, "aria-label": `${item.id}: ${item.title}` },
    h("header", {}, h("span", { class: "item-id" }, item.id), " ", h("strong", {}, item.title), h("span", { class: `badge badge-${state}` }, state.replace("_", " "))),
    item.guidance ? h("p", { class: "guidance muted" }, item.guidance) : null,
    h("p", { class: `auto auto-${auto?.outcome ?? "none"}` }, autoLabel(item), auto ? ` — ${auto.explanation}` : ""),
    h("label", { class: "note" }, "Note", h("textarea", { id: `note-${item.id}`, rows: 2, "aria-label": `Note for ${item.id}` })),
    h(
      "div",
      { class: "answer-buttons", role: "group", "aria-label": `Answer ${item.id}` },
      ...labels.map(([o, l]) => h("button", { type: "button", "data-outcome": o, "aria-pressed": String(a?.outcome === o), onclick: () => answer(item, o) }, l)),
      auto && auto.outcome !== "missing" ? h("button", { type: "button", "data-outcome": "confirm", onclick: () => answer(item, null) }, "Confirm automatic") : null,
    ),
    a ? h("p", { class: "muted saved" }, `Answered ${a.outcome.replace("_", " ")} by ${a.answered_by ?? "—"} at ${a.answered_at.slice(0, 16).replace("T", " ")}`) : null,
  );
}

function findingsView(): HTMLElement {
  const p = page!;
  const list = h(
    "ul",
    { class: "findings" },
    ...p.review.findings.map((f) =>
      h(
        "li",
        { class: `finding sev-${f.severity} st-${f.status}`, "data-finding": f.id },
        h("strong", {}, `${f.id} [${f.severity}] ${f.title}`),
        ` — ${f.status}, owner ${f.owner}, due ${f.due}${f.item ? `, item ${f.item}` : ""}`,
        f.status === "open"
          ? h(
              "span",
              { class: "finding-actions" },
              h("button", { type: "button", onclick: () => void apply(reviewFindingSet(version, f.id, "remediated"), `${f.id} remediated`) }, "Mark remediated"),
              h("button", { type: "button", onclick: () => void apply(reviewFindingSet(version, f.id, "accepted"), `${f.id} accepted as an exception`) }, "Accept as exception"),
            )
          : h("button", { type: "button", onclick: () => void apply(reviewFindingSet(version, f.id, "open"), `${f.id} reopened`) }, "Reopen"),
      ),
    ),
  );
  const val = (id: string) => ($(id) as HTMLInputElement).value;
  const form = h(
    "form",
    {
      class: "finding-form",
      "aria-label": "Raise a finding",
      onsubmit: (e: Event) => {
        e.preventDefault();
        void apply(
          reviewFindingAdd(version, {
            title: val("f-title"),
            severity: val("f-severity") as Severity,
            description: val("f-description"),
            owner: val("f-owner"),
            due: val("f-due"),
            item: val("f-item") || null,
          }),
          "Finding raised",
        );
      },
    },
    h("label", {}, "Title ", h("input", { id: "f-title", required: true })),
    h("label", {}, "Severity ", h("select", { id: "f-severity" }, h("option", { value: "high" }, "high"), h("option", { value: "medium" }, "medium"), h("option", { value: "low" }, "low"))),
    h("label", {}, "Item ", h("select", { id: "f-item" }, h("option", { value: "" }, "—"), ...p.review.header.items.map((i) => h("option", { value: i.id }, i.id)))),
    h("label", {}, "Owner ", h("input", { id: "f-owner", required: true, type: "email" })),
    h("label", {}, "Due ", h("input", { id: "f-due", required: true, type: "date" })),
    h("label", { class: "wide" }, "Description ", h("textarea", { id: "f-description", rows: 2 })),
    h("button", { type: "submit" }, "Raise finding"),
  );
  return h("section", { class: "block", "aria-label": "Findings" }, h("h3", {}, `Findings (${p.review.findings.length})`), list, form);
}

/** "Start new review": supersedes this review (kept, with its answers; open findings carry over) with the evidence as the platform shows it now. */
function newReviewButton(): HTMLElement {
  const b = h("button", { type: "button", id: "review-new" }, "Start new review");
  b.addEventListener("click", () => {
    const old = page?.review.header.id ?? "";
    void askYesNo(`Start a new review of ${version}? It supersedes ${old}, which is kept with its answers; its open findings carry over.`).then((yes) => {
      if (yes) void apply(reviewNew(version), `Started a new review of ${version}, superseding ${old}`);
    });
  });
  return b;
}

export function render(): void {
  if (!page) return;
  const p = page;
  const st = p.status;
  const hd = p.review.header;
  $("review-title").textContent = `Review of ${hd.name} v${hd.version}`;
  $("review-meta").textContent = `tier ${hd.tier} · policy ${hd.policy_version} · evidence ${hd.evidence_sha256.slice(0, 12)} · started ${hd.started_at.slice(0, 10)} by ${hd.reviewer ?? "—"}`;
  const bar = $("review-progress") as HTMLProgressElement;
  bar.max = st.total;
  bar.value = st.answered;
  $("review-progress-text").textContent = progressText(p);
  $("review-blockers").replaceChildren(...compact(
    st.blockers.length
      ? h("div", { class: "blockers", role: "status" }, h("strong", {}, "What blocks an approve decision"), h("ul", {}, ...st.blockers.map((b) => h("li", {}, b))))
      : h("p", { class: "ready" }, "Nothing blocks an approve decision: sign it from the model's detail."),
    st.evidence_changes.length ? h("div", { class: "warning" }, h("strong", {}, "The evidence changed on the platform since this review started"), h("ul", {}, ...st.evidence_changes.map((c) => h("li", {}, c)))) : null,
    // Always offered: after the evidence changed, and to revalidate an approved version.
    newReviewButton(),
  ));
  // Notes typed but not saved yet survive the re-render.
  const drafts = new Map<string, string>();
  document.querySelectorAll<HTMLTextAreaElement>("#review-items textarea[id^=note-]").forEach((t) => drafts.set(t.id, t.value));
  $("review-items").replaceChildren(...byArea(hd.items).map(([area, items]) => h("section", { class: "area", "aria-label": area }, h("h3", {}, area), ...items.map(itemView))), findingsView());
  for (const item of hd.items) {
    const t = $(`note-${item.id}`) as HTMLTextAreaElement;
    t.value = drafts.get(t.id) ?? p.review.answers[item.id]?.note ?? "";
  }
}
