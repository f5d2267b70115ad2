// Horizontal bar chart geometry for the dashboard. Pure.
export interface Bar {
  label: string;
  value: number;
  width: number;
  y: number;
}

export function bars(data: Record<string, number>, maxWidth: number, rowHeight = 22): Bar[] {
  const entries = Object.entries(data);
  const max = Math.max(1, ...entries.map(([, v]) => v));
  return entries.map(([label, value], i) => ({ label, value, width: Math.round((value / max) * maxWidth), y: i * rowHeight }));
}

/** A share (0..1) as a whole percentage. */
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
