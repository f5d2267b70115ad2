// The review page: checklist with automatic results, answers with notes (saved per answer),
// findings editor, progress, and what blocks the decision.
import { askYesNo, reviewAnswer, reviewFindingAdd, reviewFindingUpdate, reviewNew, reviewOpen, reviewPreview, reviewReportSet } from "../backend";
import type { Finding } from "../bindings/Finding";
import type { FindingStatus } from "../bindings/FindingStatus";
import type { Outcome } from "../bindings/Outcome";
import type { ReviewItem } from "../bindings/ReviewItem";
import type { ReviewPage } from "../bindings/ReviewPage";
import type { Section } from "../bindings/Section";
import type { Severity } from "../bindings/Severity";
import { $, compact, h, toast } from "../dom";
import { REPORT_SECTIONS, autoLabel, byArea, itemState, progressText, ratingLabel } from "../logic/review";
import { clearError, showError } from "./errors";
import { promptBlock } from "./prompt";
import { ensureIdentity } from "./identity";

let page: ReviewPage | null = null;
let version = "";
/** The version whose fields are on screen: drafts are kept only for the same version. */
let renderedVersion = "";

/** Shows the review of a version: the one under way, or a preview of its checklist when none
 * exists (looking is not starting: nothing is saved until "Start review"). */
export async function openReview(v: string): Promise<boolean> {
  try {
    page = await reviewPreview(v);
    version = v;
    clearError($("review-error"));
    render();
    toast(page.preview ? `The checklist of ${v}, to look at: nothing is saved until you start the review` : `Resumed the review of ${v}`);
    return true;
  } catch (e) {
    showError(e);
    return false;
  }
}

/** Runs something that records, once the identity it records is known (asked on first use). */
async function apply(make: () => Promise<ReviewPage>, done: string): Promise<void> {
  if (!(await ensureIdentity())) return;
  try {
    page = await make();
    clearError($("review-error"));
    render();
    toast(done);
  } catch (e) {
    showError(e, $("review-error"));
  }
}

function answer(item: ReviewItem, outcome: Outcome | null): void {
  const note = ($(`note-${item.id}`) as HTMLTextAreaElement).value;
  void apply(() => reviewAnswer(version, { item: item.id, outcome, note, evidence: [] }), `Saved ${item.id}: ${outcome ?? "automatic result confirmed"}`).then(() => {
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
      ...labels.map(([o, l]) => h("button", { type: "button", "data-outcome": o, "aria-pressed": String(a?.outcome === o), disabled: page!.preview, onclick: () => answer(item, o) }, l)),
      auto && auto.outcome !== "missing" ? h("button", { type: "button", "data-outcome": "confirm", disabled: page!.preview, onclick: () => answer(item, null) }, "Confirm automatic") : null,
    ),
    a ? h("p", { class: "muted saved" }, `Answered ${a.outcome.replace("_", " ")} by ${a.answered_by ?? "—"} at ${a.answered_at.slice(0, 16).replace("T", " ")}`) : null,
  );
}

/** The form a finding's change needs: a note always, an evidence link for a remediation, an
 * expiry for an exception. Opened under the finding; nothing typed is lost on a refusal. */
function changeForm(e: Event, f: Finding, status: FindingStatus): void {
  const li = (e.target as HTMLElement).closest("li")!;
  li.querySelector("form.finding-change")?.remove();
  const note = h("textarea", { rows: 2, required: true, "aria-label": `Note for ${f.id}` }) as HTMLTextAreaElement;
  const evidence = h("input", { type: "text", placeholder: "ticket, run or document", "aria-label": "Evidence link" }) as HTMLInputElement;
  const expires = h("input", { type: "date", required: true, "aria-label": "Exception expires" }) as HTMLInputElement;
  const label = status === "remediated" ? "What was done" : status === "accepted" ? "Why the risk is accepted" : "Why it is open again";
  const form = h(
    "form",
    {
      class: "finding-change",
      "aria-label": `Change ${f.id}`,
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        void apply(
          () => reviewFindingUpdate(version, f.id, { status, note: note.value, evidence: evidence.value || null, expires: status === "accepted" ? expires.value || null : null }),
          `${f.id} ${status === "accepted" ? "accepted as an exception" : status === "open" ? "reopened" : "remediated"}`,
        );
      },
    },
    h("label", {}, label, note),
    status === "remediated" ? h("label", {}, "Evidence", evidence) : null,
    status === "accepted" ? h("label", {}, "Expires", expires) : null,
    h("button", { type: "submit" }, "Confirm"),
    h("button", { type: "button", onclick: () => form.remove() }, "Cancel"),
  );
  li.append(form);
  note.focus();
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
        ` — ${f.status}${f.exception_expires ? ` until ${f.exception_expires}` : ""}, owner ${f.owner}, due ${f.due}${f.item ? `, item ${f.item}` : ""}`,
        f.action_plan ? h("div", { class: "muted" }, `Action plan: ${f.action_plan}`) : null,
        ...(f.history ?? []).map((c) => h("div", { class: "muted" }, `${c.status} by ${c.by ?? "—"} at ${c.at.slice(0, 16).replace("T", " ")}: ${c.note}${c.evidence ? ` (${c.evidence})` : ""}${c.expires ? `, until ${c.expires}` : ""}`)),
        f.status === "open"
          ? h(
              "span",
              { class: "finding-actions" },
              h("button", { type: "button", onclick: (e: Event) => changeForm(e, f, "remediated") }, "Mark remediated…"),
              h("button", { type: "button", onclick: (e: Event) => changeForm(e, f, "accepted") }, "Accept as exception…"),
            )
          : h("button", { type: "button", onclick: (e: Event) => changeForm(e, f, "open") }, "Reopen…"),
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
          () => reviewFindingAdd(version, {
            title: val("f-title"),
            severity: val("f-severity") as Severity,
            description: val("f-description"),
            owner: val("f-owner"),
            due: val("f-due"),
            item: val("f-item") || null,
            action_plan: val("f-action-plan"),
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
    h("label", { class: "wide" }, "Action plan ", h("textarea", { id: "f-action-plan", rows: 2 })),
    h("button", { type: "submit" }, "Raise finding"),
  );
  return h("section", { class: "block", "aria-label": "Findings" }, h("h3", {}, `Findings (${p.review.findings.length})`), list, form);
}

/** Saves one section of the validation report as typed (a refusal keeps the text). */
function saveSection(section: Section, title: string): void {
  const el = $(`report-${section}`) as HTMLTextAreaElement | HTMLSelectElement;
  void apply(() => reviewReportSet(version, section, el.value), el.value.trim() ? `${title} saved` : `${title} cleared`);
}

/** The validator's report: each section with who wrote it, the ones the tier requires marked;
 * the rating chosen from the policy's scale. Saved per section, like notes. */
function reportView(): HTMLElement {
  const p = page!;
  const parts = REPORT_SECTIONS.map(([s, title]) => {
    const written = p.review.report?.[s];
    const required = p.report_required.includes(s);
    // A saved rating the scale no longer has stays visible (marked) rather than shown blank.
    const offScale = s === "rating" && written && !p.ratings.includes(written.text) ? [h("option", { value: written.text }, `${ratingLabel(written.text)} (not on the policy's scale)`)] : [];
    const field =
      s === "rating"
        ? h("select", { id: `report-${s}`, "aria-label": title }, h("option", { value: "" }, "— no rating —"), ...p.ratings.map((r) => h("option", { value: r }, ratingLabel(r))), ...offScale)
        : h("textarea", { id: `report-${s}`, rows: s === "executive_summary" || s === "conclusion" ? 4 : 3, "aria-label": title });
    return h(
      "div",
      { class: `report-section${required && !written ? " report-missing" : ""}`, "data-section": s },
      h("label", { for: `report-${s}` }, h("strong", {}, title), required ? h("span", { class: "badge badge-required" }, written ? "required" : "required — not written") : null),
      field,
      h("div", { class: "report-actions" },
        h("button", { type: "button", "data-save": s, onclick: () => saveSection(s, title) }, "Save"),
        written ? h("span", { class: "muted saved" }, `Written by ${written.written_by ?? "—"} at ${written.written_at.slice(0, 16)}Z`) : null,
      ),
    );
  });
  return h("section", { class: "block report", id: "review-report", "aria-label": "Validation report" }, h("h3", {}, "Validation report"), ...parts);
}

/** "Start review": creates the review this page previews. */
function startButton(): HTMLElement {
  return h(
    "div",
    { class: "warning", role: "status" },
    h("strong", {}, "Preview — nothing is saved and the model's status is unchanged. "),
    h("button", { type: "button", id: "review-start", class: "primary", onclick: () => void apply(() => reviewOpen(version), `Started a review of ${version}`) }, "Start review"),
  );
}

/** "Start new review": supersedes this review (kept, with its answers; open findings carry over) with the evidence as the platform shows it now. */
function newReviewButton(): HTMLElement {
  const b = h("button", { type: "button", id: "review-new" }, "Start new review");
  b.addEventListener("click", () => {
    const old = page?.review.header.id ?? "";
    void askYesNo(`Start a new review of ${version}? It supersedes ${old}, which is kept with its answers; its open findings carry over.`).then((yes) => {
      if (yes) void apply(() => reviewNew(version), `Started a new review of ${version}, superseding ${old}`);
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
  $("review-meta").textContent = `tier ${hd.tier} · policy ${hd.policy_version} · evidence ${hd.evidence_sha256.slice(0, 12)} · ${p.preview ? "not started (a preview)" : `started ${hd.started_at.slice(0, 10)} by ${hd.reviewer ?? "—"}`}`;
  const bar = $("review-progress") as HTMLProgressElement;
  bar.max = st.total;
  bar.value = st.answered;
  $("review-progress-text").textContent = progressText(p);
  $("review-blockers").replaceChildren(...compact(
    st.blockers.length
      ? h("div", { class: "blockers", role: "status" }, h("strong", {}, "What blocks an approve decision"), h("ul", {}, ...st.blockers.map((b) => h("li", {}, b))))
      : h("p", { class: "ready" }, "Nothing blocks an approve decision: sign it from the model's detail."),
    p.note ? h("div", { class: "note", role: "note" }, h("strong", {}, "Note: "), p.note) : null,
    st.evidence_changes.length ? h("div", { class: "warning" }, h("strong", {}, "The evidence changed on the platform since this review started"), h("ul", {}, ...st.evidence_changes.map((c) => h("li", {}, c)))) : null,
    // Always offered: after the evidence changed, and to revalidate an approved version.
    p.preview ? startButton() : newReviewButton(),
    p.prompt ? promptBlock(p.prompt) : null,
  ));
  // Notes and report text typed but not saved yet survive the re-render — of the same
  // version only: another version's fields never carry over.
  const drafts = new Map<string, string>();
  const reportDrafts = new Map<string, string>();
  if (renderedVersion === version) {
    document.querySelectorAll<HTMLTextAreaElement>("#review-items textarea[id^=note-]").forEach((t) => drafts.set(t.id, t.value));
    document.querySelectorAll<HTMLTextAreaElement | HTMLSelectElement>("#review-report [id^=report-]").forEach((t) => {
      const saved = p.review.report?.[t.id.slice("report-".length) as Section]?.text ?? "";
      if (t.value !== saved) reportDrafts.set(t.id, t.value);
    });
  }
  renderedVersion = version;
  $("review-items").replaceChildren(
    ...byArea(hd.items).map(([area, items]) => h("section", { class: "area", "aria-label": area }, h("h3", {}, area), ...items.map(itemView))),
    ...(p.preview ? [h("p", { class: "muted" }, "Findings and the validation report are written once the review has started.")] : [findingsView(), reportView()]),
  );
  for (const item of hd.items) {
    const t = $(`note-${item.id}`) as HTMLTextAreaElement;
    t.value = drafts.get(t.id) ?? p.review.answers[item.id]?.note ?? "";
  }
  if (!p.preview) {
    for (const [s] of REPORT_SECTIONS) {
      const t = $(`report-${s}`) as HTMLTextAreaElement | HTMLSelectElement;
      t.value = reportDrafts.get(t.id) ?? p.review.report?.[s]?.text ?? "";
    }
  }
}
