// Pure inventory logic for the view: filtering and formatting.
import type { ModelSummary } from "./backend";

export interface FilterState {
  search: string;
  tier: string;
  kind: string;
}

export function filterModels(models: ModelSummary[], f: FilterState): ModelSummary[] {
  const q = f.search.trim().toLowerCase();
  return models.filter(
    (m) =>
      (!f.tier || m.risk_tier === f.tier) &&
      (!f.kind || m.kind === f.kind) &&
      (!q || m.name.toLowerCase().includes(q) || (m.owner ?? "").toLowerCase().includes(q)),
  );
}

export function ownerName(owner: string | null): string {
  if (!owner) return "—";
  const lt = owner.indexOf("<");
  return lt > 0 ? owner.slice(0, lt).trim() : owner;
}
