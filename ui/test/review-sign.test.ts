import { describe, expect, it } from "vitest";
import type { ReviewPage } from "../src/bindings/ReviewPage";
import { byArea, itemState, nextUnanswered, progressText } from "../src/logic/review";
import { attestRequest, attestation, needsPassphrase, ownerAttestation, problems, request, type SignForm } from "../src/logic/sign";

const item = (id: string, area: string) => ({ id, title: id, area, guidance: "", check: { kind: "attestation" as const }, automatic: null });
const page = {
  review: {
    header: { items: [item("a", "Data"), item("b", "Perf"), item("c", "Data")] },
    answers: { b: { outcome: "pass", note: "", evidence_refs: [], overrides_automatic: false, answered_by: "v", answered_at: "" } },
    findings: [],
  },
  status: { tier: "1", total: 3, answered: 1, can_approve: false, ready_for_decision: false },
  resumed: false,
} as unknown as ReviewPage;

describe("review", () => {
  it("shows progress and finds the next unanswered item, wrapping", () => {
    expect(progressText(page)).toBe("1 of 3 answered · tier 1");
    expect(nextUnanswered(page, null)).toBe("a");
    expect(nextUnanswered(page, "a")).toBe("c");
    expect(nextUnanswered(page, "c")).toBe("a");
    expect(itemState(undefined)).toBe("unanswered");
  });
  it("groups items by area in checklist order", () => {
    expect(byArea(page.review.header.items).map(([a, is]) => [a, is.map((i) => i.id)])).toEqual([["Data", ["a", "c"]], ["Perf", ["b"]]]);
  });
});

const form: SignForm = { version: "models:/m/1", role: "validator", decision: "approve", conditions: "", expires: "", keyKind: "file", keyPath: "/k", passphrase: null, note: "" };

describe("sign form", () => {
  it("needs conditions and an expiry for a conditional approval, and a key file", () => {
    expect(problems(form)).toEqual([]);
    expect(problems({ ...form, decision: "approve_with_conditions" })).toHaveLength(2);
    expect(problems({ ...form, conditions: "x" })).toEqual(["Conditions only go with “approve with conditions”."]);
    expect(problems({ ...form, keyPath: " " })).toHaveLength(1);
    expect(problems({ ...form, keyKind: "agent", keyPath: "" })).toEqual([]);
  });
  it("makes the owner's attestation with a note and no decision", () => {
    const owner: SignForm = { ...form, role: "owner", decision: "approve_with_conditions", conditions: "left over", note: "  Checked with the desk.  " };
    // A decision's fields do not matter to an attestation.
    expect(problems(owner)).toEqual([]);
    expect(problems({ ...owner, note: "x".repeat(2001) })).toEqual(["The note holds at most 2000 characters."]);
    expect(problems({ ...owner, keyPath: "" })).toHaveLength(1);
    expect(attestRequest(owner)).toEqual({ version: "models:/m/1", note: "Checked with the desk.", key: { kind: "file", path: "/k", passphrase: null } });
    expect(attestRequest({ ...owner, note: "   " }).note).toBeNull();
    const lines = ownerAttestation(owner, ["It is used as documented.", "Limits hold."]);
    expect(lines).toEqual([
      "Version: models:/m/1",
      "You attest: It is used as documented.",
      "You attest: Limits hold.",
      "Note: Checked with the desk.",
      "Key: /k",
      "An attestation is never an approval: the gate does not read it.",
    ]);
  });
  it("builds the request the Rust side expects", () => {
    expect(request({ ...form, decision: "approve_with_conditions", conditions: " monthly drift report \n\n recalibrate ", expires: "2027-01-31", passphrase: "pw" })).toEqual({
      version: "models:/m/1", role: "validator", decision: "approve_with_conditions",
      conditions: ["monthly drift report", "recalibrate"], expires: "2027-01-31",
      key: { kind: "file", path: "/k", passphrase: "pw" },
    });
    expect(request({ ...form, keyKind: "agent", conditions: "ignored" }).key).toEqual({ kind: "agent" });
    expect(request({ ...form, conditions: "ignored" }).conditions).toEqual([]);
  });
  it("says what a signature attests before it is made", () => {
    const started = {
      ...page,
      preview: false,
      review: {
        ...page.review,
        header: { ...page.review.header, id: "rev-1", evidence_sha256: "ab12", policy_version: "2026.3" },
        report: { rating: { text: "satisfactory_with_findings", written_by: "v", written_at: "" } },
      },
      status: { ...page.status, blockers: ["open high finding F-1"] },
    } as unknown as ReviewPage;
    const lines = attestation(
      { ...form, decision: "approve_with_conditions", conditions: "monthly drift report\nrecalibrate", expires: "2027-01-31" },
      started,
    );
    expect(lines).toEqual([
      "Version: models:/m/1",
      "Evidence: sha256 ab12",
      "Review: rev-1 under policy 2026.3, 1 of 3 items answered",
      "Overall rating: Satisfactory with findings",
      "Blocks an approval: open high finding F-1",
      "Decision: approve with conditions, as validator",
      "Condition: monthly drift report",
      "Condition: recalibrate",
      "Conditions expire: 2027-01-31",
      "Key: /k",
    ]);
    // A reject is never blocked; no review is said plainly.
    expect(attestation({ ...form, decision: "reject" }, started)).not.toContain("Blocks an approval: open high finding F-1");
    expect(attestation(form, null)[1]).toMatch(/^Review: none started/);
    const agent = attestation({ ...form, keyKind: "agent" }, null);
    expect(agent[agent.length - 1]).toBe("Key: ssh-agent");
  });
  it("asks for a passphrase on passphrase_needed only", () => {
    expect(needsPassphrase("passphrase_needed")).toBe(true);
    expect(needsPassphrase("refused")).toBe(false);
  });
});

describe("the validation report", () => {
  it("names every section once, in the report's order, and writes ratings as words", async () => {
    const { REPORT_SECTIONS, ratingLabel } = await import("../src/logic/review");
    const keys = REPORT_SECTIONS.map(([k]) => k);
    expect(new Set(keys).size).toBe(8);
    expect(keys[0]).toBe("executive_summary");
    expect(keys).toContain("validation_limitations");
    expect(ratingLabel("satisfactory_with_findings")).toBe("Satisfactory with findings");
    expect(ratingLabel("")).toBe("");
  });
});
