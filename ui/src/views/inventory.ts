// The inventory: filter chips, search, sortable table, counts. Selecting a row opens the detail.
import { inventoryList } from "../backend";
import type { InventoryPage } from "../bindings/InventoryPage";
import { $, h } from "../dom";
import { countsText, facets, matches, nextReviewText, NO_FILTERS, ownerName, rows, sortRows, type Filters, type Row, type SortKey } from "../logic/inventory";
import { clearError, showError } from "./errors";

let page: InventoryPage | null = null;
let all: Row[] = [];
let filters: Filters = { ...NO_FILTERS };
let sort: SortKey = "name";
let descending = false;
let selected: string | null = null;
let onSelect: (name: string) => void = () => {};

const COLUMNS: [SortKey | null, string][] = [
  ["name", "Name"],
  [null, "Kind"],
  ["tier", "Tier"],
  ["owner", "Owner"],
  [null, "Latest"],
  ["status", "Status"],
  ["next_review", "Next review"],
];

export function initInventory(select: (name: string) => void): void {
  onSelect = select;
  $("search").addEventListener("input", (e) => {
    filters.search = (e.target as HTMLInputElement).value;
    render();
  });
  $("clear-filters").addEventListener("click", () => {
    filters = { ...NO_FILTERS };
    ($("search") as HTMLInputElement).value = "";
    render();
  });
  const head = $<HTMLTableElement>("inventory").tHead!.rows[0];
  head.replaceChildren(
    ...COLUMNS.map(([k, label]) => {
      if (!k) return h("th", { scope: "col" }, label);
      const b = h("button", { class: "sort", type: "button", "data-sort": k, onclick: () => setSort(k) }, label);
      return h("th", { scope: "col", "aria-sort": "none" }, b);
    }),
  );
}

function setSort(k: SortKey): void {
  descending = sort === k ? !descending : false;
  sort = k;
  render();
}

export async function loadInventory(): Promise<void> {
  try {
    page = await inventoryList();
    all = rows(page.view.models, page.statuses);
    clearError();
    $("synced").textContent = page.view.synced_at ? `synced ${page.view.synced_at.slice(0, 16).replace("T", " ")}` : "never synced";
    render();
  } catch (e) {
    showError(e);
  }
}

function chipGroup(label: string, key: "tier" | "kind" | "status" | "owner", values: [string, number][]): HTMLElement {
  const current = filters[key];
  return h(
    "div",
    { class: "chips", role: "group", "aria-label": `Filter by ${label}` },
    h("span", { class: "chip-label" }, label),
    ...values.map(([v, n]) =>
      h(
        "button",
        {
          type: "button",
          class: "chip",
          "data-filter": key,
          "data-value": v,
          "aria-pressed": String(current === v),
          onclick: () => {
            filters[key] = current === v ? null : v;
            render();
          },
        },
        `${v} `,
        h("span", { class: "n" }, String(n)),
      ),
    ),
  );
}

export function render(): void {
  const f = facets(all);
  const overdueCount = all.filter((r) => r.model.overdue).length;
  $("chips").replaceChildren(
    chipGroup("Tier", "tier", f.tier),
    chipGroup("Kind", "kind", f.kind),
    chipGroup("Status", "status", f.status),
    chipGroup("Owner", "owner", f.owner),
    h(
      "div",
      { class: "chips", role: "group", "aria-label": "Filter overdue" },
      h(
        "button",
        {
          type: "button",
          class: "chip overdue-chip",
          "data-filter": "overdue",
          "aria-pressed": String(filters.overdue),
          onclick: () => {
            filters.overdue = !filters.overdue;
            render();
          },
        },
        "Overdue ",
        h("span", { class: "n" }, String(overdueCount)),
      ),
    ),
  );
  const shown = sortRows(all.filter((r) => matches(r, filters)), sort, descending);
  for (const th of $<HTMLTableElement>("inventory").tHead!.rows[0].cells) {
    const b = th.querySelector<HTMLButtonElement>("button.sort");
    if (b) th.setAttribute("aria-sort", b.dataset.sort === sort ? (descending ? "descending" : "ascending") : "none");
  }
  const body = $<HTMLTableElement>("inventory").tBodies[0];
  body.replaceChildren(
    ...shown.map((r) => {
      const m = r.model;
      const tr = h(
        "tr",
        { "data-name": m.name, tabindex: 0, "aria-selected": String(m.name === selected) },
        h("td", { class: "name" }, m.name),
        h("td", {}, m.kind),
        h("td", {}, m.risk_tier ?? "—"),
        h("td", {}, ownerName(m.owner)),
        h("td", {}, m.latest_version ? `v${m.latest_version}` : "—"),
        h("td", { class: `status status-${r.status.replace(/ /g, "-")}` }, r.counts === false ? `${r.status} ✗` : r.status),
        h("td", { class: m.overdue ? "overdue" : "" }, nextReviewText(m.next_review, m.overdue) ?? "—"),
      );
      tr.addEventListener("click", () => choose(m.name));
      tr.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          choose(m.name);
        } else if (e.key === "ArrowDown" || e.key === "j") {
          e.preventDefault();
          (tr.nextElementSibling as HTMLElement | null)?.focus();
        } else if (e.key === "ArrowUp" || e.key === "k") {
          e.preventDefault();
          (tr.previousElementSibling as HTMLElement | null)?.focus();
        }
      });
      return tr;
    }),
  );
  $("counts").textContent = countsText(shown.length, all.length, overdueCount);
}

function choose(name: string): void {
  selected = name;
  for (const tr of $<HTMLTableElement>("inventory").tBodies[0].rows) tr.setAttribute("aria-selected", String(tr.dataset.name === name));
  onSelect(name);
}
