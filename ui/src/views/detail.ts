// A model's detail: record and tier rationale, versions, lineage graph, metrics with history
// charts, tags, approvals with verification results. The version shown is the one the
// actions (review, sign, verify, export) act on.
import { promptBlock } from "./prompt";
import { modelShow, versionShow, versionVerify } from "../backend";
import type { ModelPage } from "../bindings/ModelPage";
import type { Verification } from "../bindings/Verification";
import type { VersionPage } from "../bindings/VersionPage";
import { $, compact, dl, h, s, toast } from "../dom";
import { chartPoints, fmt } from "../logic/chart";
import { nextReviewText } from "../logic/inventory";
import { layout, NODE_H, NODE_W } from "../logic/lineage";
import { showError } from "./errors";

export interface Selection {
  model: ModelPage;
  version: string | null;
}

let current: Selection | null = null;
let versionPage: VersionPage | null = null;
let verification: Verification | null = null;

export const selection = (): Selection | null => current;

export async function showModel(name: string, version?: string): Promise<void> {
  const pane = $("detail");
  pane.setAttribute("aria-busy", "true");
  try {
    const model = await modelShow(name);
    const versions = model.detail.versions;
    const latest = versions.reduce<string | null>((best, x) => (best === null || Number(x.version) > Number(best) ? x.version : best), null);
    const v = version && versions.some((x) => x.version === version) ? version : latest;
    current = { model, version: v ? `models:/${name}/${v}` : null };
    versionPage = current.version ? await versionShow(current.version) : null;
    verification = null;
    render();
  } catch (e) {
    showError(e, $("detail-error"));
  } finally {
    pane.removeAttribute("aria-busy");
  }
}

export async function verifyNow(): Promise<void> {
  if (!current?.version) return;
  const version = current.version;
  toast(`Verifying ${version} against the platform…`);
  try {
    verification = await versionVerify(version);
    toast(`Verified ${version}: gate ${verification.gate.pass ? "PASS" : "FAIL"}`);
    render();
  } catch (e) {
    showError(e, $("detail-error"));
  }
}

function section(title: string, ...body: (Node | null)[]): HTMLElement {
  return h("section", { class: "block", "aria-label": title }, h("h3", {}, title), ...body);
}

function lineageSvg(p: VersionPage, m: ModelPage): SVGElement {
  const g = layout(p.lineage, m.approvals);
  const svg = s("svg", { viewBox: `0 0 ${g.width} ${g.height}`, width: g.width, height: g.height, role: "img", class: "lineage", "aria-label": `Lineage of ${p.version}: ${g.nodes.map((n) => `${n.kind} ${n.label}`).join(", ")}` });
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  for (const [a, b] of g.edges) {
    const na = byId.get(a);
    const nb = byId.get(b);
    if (!na || !nb) continue;
    const [x1, y1, x2, y2] = na.x < nb.x ? [na.x + NODE_W, na.y + NODE_H / 2, nb.x, nb.y + NODE_H / 2] : [nb.x + NODE_W, nb.y + NODE_H / 2, na.x, na.y + NODE_H / 2];
    const mx = (x1 + x2) / 2;
    svg.append(s("path", { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2 - 6},${y2}`, class: "edge", "marker-end": "url(#arrow)" }));
  }
  svg.prepend(s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 5, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" }))));
  for (const n of g.nodes) {
    const cls = `node node-${n.kind}${n.ok === false ? " node-bad" : ""}`;
    const title = s("title", {}, `${n.kind}: ${n.label} — ${n.sub}`);
    svg.append(
      s(
        "g",
        { class: cls, "data-kind": n.kind },
        title,
        s("rect", { x: n.x, y: n.y, width: NODE_W, height: NODE_H, rx: 6 }),
        s("text", { x: n.x + 8, y: n.y + 18, class: "label" }, n.label.length > 20 ? n.label.slice(0, 19) + "…" : n.label),
        s("text", { x: n.x + 8, y: n.y + 34, class: "sub" }, n.sub.length > 24 ? n.sub.slice(0, 23) + "…" : n.sub),
      ),
    );
  }
  return svg;
}

function metricsBlock(p: VersionPage): HTMLElement | null {
  const run = p.evidence.run;
  if (!run) return null;
  const keys = Object.keys(run.metrics).sort();
  if (!keys.length) return null;
  const table = h("table", { class: "metrics" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Metric"), h("th", { scope: "col" }, "Value"), h("th", { scope: "col" }, "History"))));
  const body = h("tbody");
  for (const k of keys) {
    const m = run.metrics[k];
    const geo = chartPoints(m.history, 160, 36);
    const chart = geo
      ? s("svg", { viewBox: "0 0 160 36", width: 160, height: 36, class: "spark", role: "img", "aria-label": `${k}: ${geo.count} points from step ${geo.firstStep} to ${geo.lastStep}, between ${fmt(geo.min)} and ${fmt(geo.max)}` }, s("polyline", { points: geo.points }))
      : null;
    body.append(h("tr", { "data-metric": k }, h("td", {}, k), h("td", { class: "num" }, fmt(m.value)), h("td", {}, chart ?? h("span", { class: "muted" }, m.history.length > 1 ? "no numeric history" : "single value"))));
  }
  table.append(body);
  return section("Metrics", table);
}

// What scorers, judges and reviewers said on the traces of GenAI evaluations (rows from core).
function assessmentsBlock(p: VersionPage): HTMLElement | null {
  if (!p.assessments.length) return null;
  const heads = ["Run", "Assessment", "By source (on traces)", "Result", "Traces read"];
  return section(
    "Assessments on evaluation traces",
    h(
      "table",
      { class: "assessments" },
      h("thead", {}, h("tr", {}, ...heads.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...p.assessments.map((row) => h("tr", {}, ...row.map((c) => h("td", {}, c))))),
    ),
  );
}

function kv(title: string, map: Record<string, string>): HTMLElement | null {
  const keys = Object.keys(map).sort();
  if (!keys.length) return null;
  return h("details", { class: "block" }, h("summary", {}, `${title} (${keys.length})`), dl(keys.map((k) => [k, map[k]])));
}

function verificationBlock(v: Verification): HTMLElement {
  return section(
    "Verification",
    h("p", { class: v.gate.pass ? "gate pass" : "gate fail", id: "gate-result" }, `Gate ${v.gate.pass ? "PASS" : "FAIL"} · tier ${v.gate.tier ?? "—"} · needs ${v.gate.required_roles.join(" + ")}`),
    v.gate.reasons.length ? h("ul", {}, ...v.gate.reasons.map((r) => h("li", {}, r))) : null,
    h(
      "ul",
      { class: "checks" },
      ...v.approvals.map((a) =>
        h(
          "li",
          { class: a.counts ? "ok" : "bad" },
          `${a.counts ? "✓ counts" : "✗ does not count"}: ${a.record ? `${a.record.role} ${a.record.decision} by ${a.record.signer}` : a.location}`,
          a.reasons.length ? h("ul", {}, ...a.reasons.map((r) => h("li", {}, r))) : null,
        ),
      ),
    ),
  );
}

export function render(): void {
  const pane = $("detail");
  if (!current) return;
  const m = current.model;
  const md = m.detail.model;
  const a = m.assessment;
  const versionSelect = h(
    "select",
    {
      id: "version-select",
      "aria-label": "Version",
      onchange: (e: Event) => void showModel(md.name, (e.target as HTMLSelectElement).value),
    },
    ...m.detail.versions.map((v) => {
      const o = h("option", { value: v.version }, `v${v.version}${v.aliases.length ? " @" + v.aliases.join(" @") : ""}${v.stage ? ` [${v.stage}]` : ""} — ${m.version_status[v.version] ?? ""}`);
      o.selected = current?.version === `models:/${md.name}/${v.version}`;
      return o;
    }),
  );
  pane.replaceChildren(...compact(
    h("h2", {}, md.name),
    h("p", { class: "muted" }, md.description || "No description."),
    h("p", { id: "detail-error", class: "error", role: "alert", hidden: true }),
    h(
      "div",
      { class: "actions", role: "toolbar", "aria-label": "Actions on this version" },
      h("label", {}, "Version ", versionSelect),
      h("button", { type: "button", id: "act-review", "data-action": "review", disabled: !current.version }, "Review"),
      h("button", { type: "button", id: "act-sign", "data-action": "sign", disabled: !current.version }, "Sign…"),
      h("button", { type: "button", id: "act-verify", "data-action": "verify", disabled: !current.version }, "Verify now"),
      h("button", { type: "button", id: "act-export", "data-action": "export", disabled: !current.version }, "Export audit pack…"),
      h("button", { type: "button", id: "act-report", "data-action": "export-report", disabled: !current.version }, "Export report…"),
    ),
    section(
      "Record",
      dl([
        ["Kind", md.kind],
        ["Owner", md.owner],
        ["Purpose", md.business_purpose],
        ["Tier (platform)", md.risk_tier ?? "untiered"],
        ["Tier (rubric)", a.tier ? `${a.tier} · score ${a.score}${a.disagrees ? " · DISAGREES with the platform" : ""}` : `undetermined (${a.unanswered.length} question(s) unanswered)`],
        ["Next review", nextReviewText(m.next_review, m.overdue)],
        ["Monitoring", md.monitoring],
        ["Provider", md.llm_provider],
      ]),
      a.rationale.length ? h("details", { class: "rationale" }, h("summary", {}, "Tier rationale"), h("ul", {}, ...a.rationale.map((r) => h("li", {}, r)))) : null,
    ),
    versionPage ? section("Lineage", h("div", { class: "scroll-x" }, lineageSvg(versionPage, m))) : null,
    versionPage ? metricsBlock(versionPage) : null,
    versionPage ? assessmentsBlock(versionPage) : null,
    versionPage?.prompt ? promptBlock(versionPage.prompt) : null,
    versionPage?.evidence.run ? kv("Parameters", versionPage.evidence.run.params) : null,
    versionPage ? kv("Version tags", versionPage.evidence.version.tags) : null,
    kv("Model tags", md.tags),
    section(
      "Approvals",
      m.approvals.length
        ? h(
            "table",
            { class: "approvals" },
            h("thead", {}, h("tr", {}, ...["Version", "Role", "Decision", "Signer", "Signed", "Counts"].map((c) => h("th", { scope: "col" }, c)))),
            h(
              "tbody",
              {},
              ...m.approvals.map((e) =>
                h("tr", {}, h("td", {}, e.version.replace(/^models:\/[^/]+\//, "v")), h("td", {}, e.role), h("td", {}, e.decision), h("td", {}, e.signer), h("td", {}, e.signed_at.slice(0, 10)), h("td", { class: e.counted === false ? "bad" : "" }, e.counted === false ? "✗ no" : e.counted ? "✓ yes" : "signed here")),
              ),
            ),
          )
        : h("p", { class: "muted" }, "No approvals recorded yet."),
    ),
    verification ? verificationBlock(verification) : null,
  ));
}

