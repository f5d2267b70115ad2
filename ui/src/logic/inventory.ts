// Inventory logic for the view: filter chips, search, sort and counts. Pure: no DOM, no IPC.
import type { ModelState } from "../bindings/ModelState";
import type { ModelStatus } from "../bindings/ModelStatus";
import type { ModelSummary } from "../bindings/ModelSummary";
import type { NextReview } from "../bindings/NextReview";

export interface Filters {
  search: string;
  tier: string | null;
  kind: string | null;
  status: string | null;
  owner: string | null;
  overdue: boolean;
}

export const NO_FILTERS: Filters = { search: "", tier: null, kind: null, status: null, owner: null, overdue: false };

export type SortKey = "name" | "tier" | "owner" | "next_review" | "status";

export interface Row {
  model: ModelSummary;
  status: ModelStatus;
  lastApproval: string | null;
  counts: boolean | null;
}

export function rows(models: ModelSummary[], statuses: Record<string, ModelState>): Row[] {
  return models.map((m) => {
    const s = statuses[m.name];
    return {
      model: m,
      status: s?.status ?? "not reviewed",
      lastApproval: s?.last_approval ?? null,
      counts: s?.counts ?? null,
    };
  });
}

export function ownerName(owner: string | null): string {
  if (!owner) return "—";
  const lt = owner.indexOf("<");
  return lt > 0 ? owner.slice(0, lt).trim() : owner;
}

export function matches(r: Row, f: Filters): boolean {
  const m = r.model;
  const q = f.search.trim().toLowerCase();
  return (
    (f.tier === null || (m.risk_tier ?? "untiered") === f.tier) &&
    (f.kind === null || m.kind === f.kind) &&
    (f.status === null || r.status === f.status) &&
    (f.owner === null || ownerName(m.owner) === f.owner) &&
    (!f.overdue || m.overdue) &&
    (!q ||
      m.name.toLowerCase().includes(q) ||
      (m.owner ?? "").toLowerCase().includes(q) ||
      m.description.toLowerCase().includes(q))
  );
}

function key(r: Row, k: SortKey): string | null {
  switch (k) {
    case "name":
      return r.model.name;
    case "tier":
      return r.model.risk_tier;
    case "owner":
      return ownerName(r.model.owner);
    case "next_review":
      return r.model.next_review.date;
    case "status":
      return r.status;
  }
}

/** Missing values (no tier, no review date) sort last. */
function compare(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a.localeCompare(b);
}

export function sortRows(list: Row[], k: SortKey, descending: boolean): Row[] {
  const out = [...list].sort((a, b) => compare(key(a, k), key(b, k)) || a.model.name.localeCompare(b.model.name));
  return descending ? out.reverse() : out;
}

/** The values each chip group offers, with how many rows have each. */
export function facets(list: Row[]): Record<"tier" | "kind" | "status" | "owner", [string, number][]> {
  const count = (f: (r: Row) => string) => {
    const m = new Map<string, number>();
    for (const r of list) m.set(f(r), (m.get(f(r)) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  };
  return {
    tier: count((r) => r.model.risk_tier ?? "untiered"),
    kind: count((r) => r.model.kind),
    status: count((r) => r.status),
    owner: count((r) => ownerName(r.model.owner)),
  };
}

export function countsText(shown: number, total: number, overdue: number): string {
  return `${shown} of ${total} models · ${overdue} overdue`;
}

/** The next review date that counts, with the owner's declared date beside it when they
 * differ, as core's `NextReview::describe` words it; null when neither is known. */
export function nextReviewText(n: NextReview, overdue: boolean): string | null {
  if (!n.date) return null;
  const base = n.computed && n.declared && n.computed !== n.declared ? `${n.date} (owner's tag ${n.declared})` : n.date;
  return overdue ? `${base} (overdue)` : base;
}
