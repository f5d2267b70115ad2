import { errorText, inventoryDetail, inventoryList, type ModelSummary } from "./backend";
import { filterModels, ownerName } from "./inventory";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let models: ModelSummary[] = [];
let selected: string | null = null;

function cell(text: string, cls?: string): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function render(): void {
  const rows = filterModels(models, {
    search: $<HTMLInputElement>("search").value,
    tier: $<HTMLSelectElement>("tier").value,
    kind: $<HTMLSelectElement>("kind").value,
  });
  const body = $<HTMLTableElement>("inventory").tBodies[0];
  body.replaceChildren(
    ...rows.map((m) => {
      const tr = document.createElement("tr");
      tr.dataset.name = m.name;
      tr.tabIndex = 0;
      tr.setAttribute("aria-selected", String(m.name === selected));
      tr.append(
        cell(m.name, "name"),
        cell(m.kind),
        cell(m.risk_tier ?? "—"),
        cell(ownerName(m.owner)),
        cell(m.latest_version ? `v${m.latest_version}` : "—"),
        cell(m.next_review_date ?? "—", m.overdue ? "overdue" : ""),
      );
      tr.addEventListener("click", () => void select(m.name));
      tr.addEventListener("keydown", (e) => {
        if (e.key === "Enter") void select(m.name);
        if (e.key === "ArrowDown") (tr.nextElementSibling as HTMLElement | null)?.focus();
        if (e.key === "ArrowUp") (tr.previousElementSibling as HTMLElement | null)?.focus();
      });
      return tr;
    }),
  );
  $("counts").textContent = `${rows.length} of ${models.length} models`;
}

async function select(name: string): Promise<void> {
  selected = name;
  render();
  const pane = $("detail");
  try {
    const d = await inventoryDetail(name);
    const m = d.model;
    pane.replaceChildren();
    const h = document.createElement("h2");
    h.textContent = m.name;
    const dl = document.createElement("dl");
    const add = (k: string, v: string) => {
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = v;
      dl.append(dt, dd);
    };
    add("Kind", m.kind);
    add("Tier", m.risk_tier ?? "—");
    add("Owner", m.owner ?? "—");
    add("Purpose", m.business_purpose ?? "—");
    add("Next review", m.next_review_date ?? "—");
    add("Monitoring", m.monitoring ?? "—");
    if (m.llm_provider) add("Provider", m.llm_provider);
    const vh = document.createElement("h3");
    vh.textContent = "Versions";
    const ul = document.createElement("ul");
    ul.className = "versions";
    for (const v of d.versions) {
      const li = document.createElement("li");
      li.textContent = `v${v.version}${v.aliases.length ? " @" + v.aliases.join(" @") : ""} — ${v.creator ?? "unknown creator"}`;
      ul.append(li);
    }
    pane.append(h, dl, vh, ul);
  } catch (e) {
    showError(e);
  }
}

function showError(e: unknown): void {
  const p = $("error");
  p.hidden = false;
  p.textContent = errorText(e);
}

async function load(): Promise<void> {
  try {
    const inv = await inventoryList();
    models = inv.models;
    $("platform").textContent = inv.platform;
    render();
  } catch (e) {
    showError(e);
  }
}

for (const id of ["search", "tier", "kind"]) $(id).addEventListener("input", render);
void load();
