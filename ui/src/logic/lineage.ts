// Lays out a version's lineage as a graph: datasets → run → version → approvals. Pure.
import type { LedgerEntry } from "../bindings/LedgerEntry";
import type { Lineage } from "../bindings/Lineage";

export type NodeKind = "dataset" | "run" | "version" | "approval" | "evaluation";

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  sub: string;
  x: number;
  y: number;
  ok?: boolean;
}

export interface Graph {
  nodes: GraphNode[];
  edges: [string, string][];
  width: number;
  height: number;
}

export const NODE_W = 150;
export const NODE_H = 44;
const COL = 178;
const ROW = 58;

export function shortDigest(d: string): string {
  return d.length > 10 ? d.slice(0, 10) : d;
}

export function layout(l: Lineage, approvals: LedgerEntry[]): Graph {
  const nodes: GraphNode[] = [];
  const edges: [string, string][] = [];
  const cols: GraphNode[][] = [[], [], [], []];
  l.datasets.forEach((d, i) =>
    cols[0].push({ id: `ds${i}`, kind: "dataset", label: d.name, sub: `${d.context} · ${shortDigest(d.digest)}`, x: 0, y: 0 }),
  );
  if (l.run) cols[1].push({ id: "run", kind: "run", label: l.run.run_name || l.run.run_id.slice(0, 8), sub: `run · ${l.run.user ?? "unknown"}`, x: 0, y: 0 });
  // What each evaluation evaluated on: a dataset node feeding that evaluation.
  const evaluatedOn: [string, string][] = [];
  l.evaluations.forEach((e, i) => {
    cols[1].push({ id: `ev${i}`, kind: "evaluation", label: e.run_name || e.run_id.slice(0, 8), sub: "evaluation run", x: 0, y: 0 });
    (e.datasets ?? []).forEach((d, j) => {
      cols[0].push({ id: `ev${i}ds${j}`, kind: "dataset", label: d.name, sub: `evaluated on · ${shortDigest(d.digest)}`, x: 0, y: 0 });
      evaluatedOn.push([`ev${i}ds${j}`, `ev${i}`]);
    });
  });
  cols[2].push({ id: "version", kind: "version", label: l.version.replace(/^models:\//, ""), sub: "version", x: 0, y: 0 });
  approvals
    .filter((a) => a.version === l.version)
    .forEach((a, i) =>
      cols[3].push({ id: `ap${i}`, kind: "approval", label: `${a.role} ${a.decision}`, sub: a.signer, x: 0, y: 0, ok: a.counted !== false }),
    );
  const rowsMax = Math.max(1, ...cols.map((c) => c.length));
  const height = rowsMax * ROW + 10;
  cols.forEach((col, ci) => {
    const top = (height - col.length * ROW) / 2;
    col.forEach((n, ri) => {
      n.x = 5 + ci * COL;
      n.y = top + ri * ROW + (ROW - NODE_H) / 2;
      nodes.push(n);
    });
  });
  for (const d of cols[0]) if (!evaluatedOn.some(([id]) => id === d.id)) edges.push([d.id, l.run ? "run" : "version"]);
  for (const r of cols[1]) edges.push(r.kind === "run" ? [r.id, "version"] : ["version", r.id]);
  for (const a of cols[3]) edges.push(["version", a.id]);
  edges.push(...evaluatedOn);
  const usedCols = cols.filter((c) => c.length).length;
  return { nodes, edges, width: 10 + Math.max(usedCols, 4) * COL - (COL - NODE_W), height };
}
