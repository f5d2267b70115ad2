import { describe, expect, it } from "vitest";
import type { ModelState } from "../src/bindings/ModelState";
import type { ModelSummary } from "../src/bindings/ModelSummary";
import { countsText, facets, matches, nextReviewText, NO_FILTERS, ownerName, rows, sortRows } from "../src/logic/inventory";

function model(name: string, over: Partial<ModelSummary> = {}): ModelSummary {
  return {
    name, kind: "classic", description: "", owner: null, business_purpose: null, risk_tier: "2",
    next_review_date: null, monitoring: null, llm_provider: null, created_ms: 0, updated_ms: 0,
    tags: {}, aliases: {}, latest_version: "1", version_count: 1, overdue: false,
    next_review: { date: null, computed: null, declared: null, approved_on: null }, ...over,
  };
}

const models = [
  model("credit-scoring", { risk_tier: "1", owner: "Ann Lee <ann@bank.example>", overdue: true }),
  model("churn", { owner: "bob@bank.example", description: "Churn propensity" }),
  model("chat-prompt", { kind: "prompt", risk_tier: null, owner: "Ann Lee <ann@bank.example>" }),
];
const statuses: Record<string, ModelState> = { "credit-scoring": { status: "approved", last_approval: "v1", counts: true } };

describe("inventory", () => {
  const all = rows(models, statuses);
  it("takes status from the ledger and defaults to not reviewed", () => {
    expect(all.map((r) => r.status)).toEqual(["approved", "not reviewed", "not reviewed"]);
  });
  it("filters by each chip and by search over name, owner and description", () => {
    const f = (over: object) => all.filter((r) => matches(r, { ...NO_FILTERS, ...over })).map((r) => r.model.name);
    expect(f({ tier: "1" })).toEqual(["credit-scoring"]);
    expect(f({ tier: "untiered" })).toEqual(["chat-prompt"]);
    expect(f({ kind: "prompt" })).toEqual(["chat-prompt"]);
    expect(f({ status: "not reviewed" })).toEqual(["churn", "chat-prompt"]);
    expect(f({ owner: "Ann Lee" })).toEqual(["credit-scoring", "chat-prompt"]);
    expect(f({ overdue: true })).toEqual(["credit-scoring"]);
    expect(f({ search: "PROPENSITY" })).toEqual(["churn"]);
    expect(f({ search: "ann@" , kind: "classic" })).toEqual(["credit-scoring"]);
  });
  it("sorts by a column both ways, ties by name", () => {
    expect(sortRows(all, "tier", false).map((r) => r.model.name)).toEqual(["credit-scoring", "churn", "chat-prompt"]);
    expect(sortRows(all, "name", true).map((r) => r.model.name)).toEqual(["credit-scoring", "churn", "chat-prompt"]);
    expect(sortRows(all, "name", false).map((r) => r.model.name)).toEqual(["chat-prompt", "churn", "credit-scoring"]);
  });
  it("counts facet values", () => {
    expect(facets(all).owner).toEqual([["Ann Lee", 2], ["bob@bank.example", 1]]);
    expect(facets(all).tier).toEqual([["1", 1], ["2", 1], ["untiered", 1]]);
  });
  it("formats owners and counts", () => {
    expect(ownerName("Zoë Łukasz <z@x>")).toBe("Zoë Łukasz");
    expect(ownerName(null)).toBe("—");
    expect(countsText(2, 3, 1)).toBe("2 of 3 models · 1 overdue");
  });
});

describe("next review", () => {
  it("shows the date that counts, and the owner's tag beside it when they differ", () => {
    const n = { date: "2027-02-03", computed: "2027-02-03", declared: "2026-03-01", approved_on: "2026-02-03" };
    expect(nextReviewText(n, false)).toBe("2027-02-03 (owner's tag 2026-03-01)");
    expect(nextReviewText({ ...n, declared: "2027-02-03" }, false)).toBe("2027-02-03");
    expect(nextReviewText({ date: "2026-01-01", computed: null, declared: "2026-01-01", approved_on: null }, true)).toBe("2026-01-01 (overdue)");
    expect(nextReviewText({ date: null, computed: null, declared: null, approved_on: null }, false)).toBeNull();
  });
});
