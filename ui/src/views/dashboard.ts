// The dashboard: the portfolio figures with bar charts, and the overdue list.
import { portfolioShow } from "../backend";
import type { PortfolioReport } from "../bindings/PortfolioReport";
import { $, compact, h, s } from "../dom";
import { bars, percent } from "../logic/bars";
import { showError } from "./errors";

function chart(title: string, data: Record<string, number>): HTMLElement {
  const bs = bars(data, 220);
  const height = Math.max(22, bs.length * 22);
  const svg = s("svg", { viewBox: `0 0 400 ${height}`, width: 400, height, role: "img", class: "bars", "aria-label": `${title}: ${bs.map((b) => `${b.label} ${b.value}`).join(", ")}` });
  for (const b of bs) {
    svg.append(
      s("text", { x: 0, y: b.y + 15, class: "bar-label" }, b.label.length > 18 ? b.label.slice(0, 17) + "…" : b.label),
      s("rect", { x: 130, y: b.y + 4, width: Math.max(1, b.width), height: 14, rx: 2, class: "bar" }),
      s("text", { x: 136 + b.width, y: b.y + 15, class: "bar-value" }, String(b.value)),
    );
  }
  return h("figure", { class: "card chart" }, h("figcaption", {}, title), bs.length ? svg : h("p", { class: "muted" }, "none"));
}

function figure(label: string, value: string, cls = ""): HTMLElement {
  return h("div", { class: `card figure ${cls}`, "data-figure": label }, h("div", { class: "value" }, value), h("div", { class: "label" }, label));
}

export async function loadDashboard(): Promise<void> {
  try {
    render(await portfolioShow());
  } catch (e) {
    showError(e);
  }
}

function render(r: PortfolioReport): void {
  const f = r.figures;
  const pct = (share: number) => (f.in_production ? percent(share) : "—");
  const days = (d: number | null) => (d === null ? "—" : `${d.toFixed(1)} d`);
  const overdue = r.rows.filter((x) => x.overdue);
  $("dashboard").replaceChildren(...compact(
    h("p", { class: "muted" }, `${r.platform} · as of ${r.today}`),
    h(
      "div",
      { class: "figures" },
      figure("Models", String(f.models)),
      figure("Overdue reviews", String(f.overdue), f.overdue ? "alert" : ""),
      figure("In production", String(f.in_production)),
      figure("Production with owner", pct(f.production_with_owner)),
      figure("Production with monitoring", pct(f.production_with_monitoring)),
      figure("Models with open high findings", String(f.models_with_open_high_findings), f.models_with_open_high_findings ? "alert" : ""),
      figure("Candidate → approval (median)", days(f.median_days_to_approval)),
      figure("Candidate → approval (p90)", days(f.p90_days_to_approval)),
      figure("Open findings (past due)", `${f.open_findings} (${f.findings_past_due})`, f.findings_past_due ? "alert" : ""),
      figure("Assignments past due", String(f.assignments_past_due), f.assignments_past_due ? "alert" : ""),
    ),
    h("div", { class: "charts" }, chart("By tier", f.by_tier), chart("By status", f.by_status), chart("By kind", f.by_kind), chart("Prompts per provider", f.prompts_per_provider)),
    h(
      "section",
      { class: "block", "aria-label": "Overdue reviews" },
      h("h3", {}, `Overdue reviews (${overdue.length})`),
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, ...["Model", "Tier", "Owner", "Next review", "Status"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, ...overdue.map((x) => h("tr", {}, h("td", {}, x.name), h("td", {}, x.tier ?? "—"), h("td", {}, x.owner ?? "—"), h("td", { class: "overdue" }, x.next_review ?? "—"), h("td", {}, x.status)))),
      ),
    ),
    r.assignments_past_due.length
      ? h(
          "section",
          { class: "block", "aria-label": "Assignments past due" },
          h("h3", {}, `Assignments past due (${r.assignments_past_due.length})`),
          h(
            "table",
            {},
            h("thead", {}, h("tr", {}, ...["Version", "Role", "Assigned to", "By", "Due", "Late"].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, ...r.assignments_past_due.map((x) => h("tr", {}, h("td", {}, x.version), h("td", {}, x.assignment.role), h("td", {}, x.assignment.to), h("td", {}, x.assignment.by), h("td", { class: "overdue" }, x.assignment.due ?? "—"), h("td", {}, `${x.days_late} d`)))),
          ),
        )
      : null,
    r.findings.length
      ? h(
          "section",
          { class: "block", "aria-label": "Open findings" },
          h("h3", {}, `Open findings (${r.findings.length})`),
          h(
            "table",
            {},
            h("thead", {}, h("tr", {}, ...["Version", "Finding", "Severity", "Title", "Owner", "Due", "Open for"].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, ...r.findings.map((x) => h("tr", {}, h("td", {}, x.version), h("td", {}, x.finding.id), h("td", {}, x.finding.severity), h("td", {}, x.finding.title), h("td", {}, x.finding.owner), h("td", { class: x.finding.past_due ? "overdue" : "" }, x.finding.due), h("td", {}, `${x.finding.days_open} d`)))),
          ),
        )
      : null,
  ));
}
