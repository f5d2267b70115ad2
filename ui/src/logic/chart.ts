// A metric's history as an SVG polyline in a fixed box. Pure.
import type { MetricPoint } from "../bindings/MetricPoint";

export interface ChartGeometry {
  points: string;
  min: number;
  max: number;
  firstStep: number;
  lastStep: number;
  count: number;
}

export function chartPoints(history: MetricPoint[], width: number, height: number, pad = 4): ChartGeometry | null {
  const pts = history.filter((p): p is MetricPoint & { value: number } => p.value !== null && Number.isFinite(p.value));
  if (pts.length < 2) return null;
  const steps = pts.map((p) => p.step);
  const values = pts.map((p) => p.value);
  const [s0, s1] = [Math.min(...steps), Math.max(...steps)];
  const [v0, v1] = [Math.min(...values), Math.max(...values)];
  const sx = (s: number) => pad + (s1 === s0 ? 0.5 : (s - s0) / (s1 - s0)) * (width - 2 * pad);
  const sy = (v: number) => height - pad - (v1 === v0 ? 0.5 : (v - v0) / (v1 - v0)) * (height - 2 * pad);
  return {
    points: pts.map((p) => `${sx(p.step).toFixed(1)},${sy(p.value).toFixed(1)}`).join(" "),
    min: v0,
    max: v1,
    firstStep: s0,
    lastStep: s1,
    count: pts.length,
  };
}

export function fmt(v: number | null): string {
  if (v === null) return "—";
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 || Math.abs(v) < 0.001 ? v.toExponential(3) : v.toFixed(4).replace(/0+$/, "");
}
