import { describe, expect, it } from "vitest";
import type { QueueItem } from "../src/bindings/QueueItem";
import { reasonKinds } from "../src/logic/queue";

function item(kinds: QueueItem["reasons"][number]["kind"][]): QueueItem {
  return {
    version_ref: "models:/m/1", name: "m", version: "1", tier: "1", owner: null, status: "not reviewed", in_production: false, needs: "validator",
    reasons: kinds.map((kind) => ({ kind, detail: "", due: null })), due: null, days_overdue: 0, assignments: [],
    next_review: { date: null, computed: null, declared: null, approved_on: null },
  };
}

describe("queue", () => {
  it("counts each reason once per item, most frequent first", () => {
    expect(reasonKinds([item(["cadence", "new_version"]), item(["cadence", "cadence"]), item(["evidence_changed"])])).toBe("2 cadence, 1 evidence_changed, 1 new_version");
    expect(reasonKinds([])).toBe("no reasons");
  });
});
