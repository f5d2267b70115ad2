import { describe, expect, it } from "vitest";
import type { Lineage } from "../src/bindings/Lineage";
import { bars, percent } from "../src/logic/bars";
import { chartPoints, fmt } from "../src/logic/chart";
import { layout, NODE_W } from "../src/logic/lineage";

const lineage: Lineage = {
  version: "models:/credit/2",
  source: "runs:/r1/model",
  run: { run_id: "r1", run_name: "train", experiment: "credit", user: "bob" },
  datasets: [
    { context: "training", name: "train", digest: "abcdef0123456789", source_type: "local", source: "s3://t" },
    { context: "validation", name: "oot", digest: "99", source_type: "local", source: "s3://o" },
  ],
  code: null,
  config: {},
  logged_model: null,
  evaluations: [{ run_id: "e1", run_name: "eval", experiment: "credit", user: null }],
};

describe("lineage layout", () => {
  const g = layout(lineage, [
    { approval_sha256: "a", version: "models:/credit/2", platform: "p", role: "validator", signer: "vera", decision: "approve", signed_at: "", origin: "made", recorded_at: "", counted: false },
    { approval_sha256: "b", version: "models:/credit/1", platform: "p", role: "approver", signer: "ann", decision: "approve", signed_at: "", origin: "made", recorded_at: "" },
  ]);
  it("draws datasets → run → version → approvals of this version only", () => {
    expect(g.nodes.map((n) => n.kind)).toEqual(["dataset", "dataset", "run", "evaluation", "version", "approval"]);
    expect(g.edges).toEqual([["ds0", "run"], ["ds1", "run"], ["run", "version"], ["version", "ev0"], ["version", "ap0"]]);
    expect(g.nodes.find((n) => n.kind === "approval")?.ok).toBe(false);
    expect(g.nodes[0].sub).toBe("training · abcdef0123");
  });
  it("puts columns left to right without overlap", () => {
    const x = (k: string) => g.nodes.find((n) => n.kind === k)!.x;
    expect(x("dataset") + NODE_W).toBeLessThan(x("run"));
    expect(x("run") + NODE_W).toBeLessThan(x("version"));
    expect(x("version") + NODE_W).toBeLessThan(x("approval"));
    const ds = g.nodes.filter((n) => n.kind === "dataset");
    expect(Math.abs(ds[0].y - ds[1].y)).toBeGreaterThan(40);
    expect(g.nodes.every((n) => n.x + NODE_W <= g.width && n.y >= 0 && n.y <= g.height)).toBe(true);
  });
  it("feeds an evaluation from the dataset it evaluated on", () => {
    const ev = { run_id: "e1", run_name: "eval", experiment: "credit", user: null,
      datasets: [{ context: "evaluation", name: "holdout", digest: "6c1d19ef", source: "s3://h", source_type: "s3" }] };
    const g3 = layout({ ...lineage, evaluations: [ev] }, []);
    const node = g3.nodes.find((n) => n.id === "ev0ds0")!;
    expect(node.kind).toBe("dataset");
    expect(node.sub).toBe("evaluated on · 6c1d19ef");
    expect(g3.edges).toContainEqual(["ev0ds0", "ev0"]);
    expect(g3.edges).not.toContainEqual(["ev0ds0", "run"]);
  });
  it("links datasets straight to the version when there is no run", () => {
    const g2 = layout({ ...lineage, run: null, evaluations: [] }, []);
    expect(g2.edges).toEqual([["ds0", "version"], ["ds1", "version"]]);
  });
});

describe("charts", () => {
  it("scales a history into the box, skipping missing values", () => {
    const geo = chartPoints([
      { step: 0, timestamp_ms: 0, value: 1 },
      { step: 5, timestamp_ms: 0, value: null },
      { step: 10, timestamp_ms: 0, value: 3 },
    ], 100, 20, 0);
    expect(geo).toEqual({ points: "0.0,20.0 100.0,0.0", min: 1, max: 3, firstStep: 0, lastStep: 10, count: 2 });
    expect(chartPoints([{ step: 0, timestamp_ms: 0, value: 1 }], 100, 20)).toBeNull();
  });
  it("formats numbers", () => {
    expect(fmt(0.81234567)).toBe("0.8123");
    expect(fmt(3)).toBe("3");
    expect(fmt(null)).toBe("—");
  });
  it("shows shares as percentages", () => {
    expect(percent(0.0278)).toBe("3%");
    expect(percent(1)).toBe("100%");
  });
  it("sizes bars against the largest", () => {
    expect(bars({ a: 2, b: 4 }, 100)).toEqual([
      { label: "a", value: 2, width: 50, y: 0 },
      { label: "b", value: 4, width: 100, y: 22 },
    ]);
  });
});
