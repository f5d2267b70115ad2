// Pure helpers of the queue view (tested without a window).
import type { QueueItem } from "../bindings/QueueItem";

/** "3 cadence, 1 evidence_changed": how many items each reason puts in the queue. */
export function reasonKinds(items: QueueItem[]): string {
  const counts = new Map<string, number>();
  for (const i of items) for (const k of new Set(i.reasons.map((r) => r.kind))) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `${n} ${k}`).join(", ") || "no reasons";
}

/** One line per open finding: "F-2 high, open 45 d (past due)". */
export function findingsText(i: QueueItem): string[] {
  return (i.findings ?? []).map((f) => `${f.id} ${f.severity}, open ${f.days_open} d${f.past_due ? " (past due)" : ""}: ${f.title}`);
}
