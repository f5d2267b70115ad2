import { describe, expect, it } from "vitest";
import type { QueueItem } from "../src/bindings/QueueItem";
import { findingsText, reasonKinds } from "../src/logic/queue";

function item(kinds: QueueItem["reasons"][number]["kind"][]): QueueItem {
  return {
    version_ref: "models:/m/1", name: "m", version: "1", tier: "1", owner: null, status: "not reviewed", in_production: false, needs: "validator",
    reasons: kinds.map((kind) => ({ kind, detail: "", due: null })), due: null, days_overdue: 0, assignments: [],
    next_review: { date: null, computed: null, declared: null, approved_on: null },
    findings: [],
  };
}

describe("queue", () => {
  it("counts each reason once per item, most frequent first", () => {
    expect(reasonKinds([item(["cadence", "new_version"]), item(["cadence", "cadence"]), item(["evidence_changed"])])).toBe("2 cadence, 1 evidence_changed, 1 new_version");
    expect(reasonKinds([])).toBe("no reasons");
  });
  it("says how long each open finding has been open", () => {
    const i = item(["cadence"]);
    i.findings = [
      { id: "F-1", severity: "high", title: "Back-test too short", owner: "o", due: "2026-10-01", days_open: 45, past_due: true },
      { id: "F-2", severity: "low", title: "Typo", owner: "o", due: "2027-01-01", days_open: 3, past_due: false },
    ];
    expect(findingsText(i)).toEqual(["F-1 high, open 45 d (past due): Back-test too short", "F-2 low, open 3 d: Typo"]);
    expect(findingsText(item([]))).toEqual([]);
  });
});
