// Review logic for the view: what each item shows and what to do next. Pure.
import type { Answer } from "../bindings/Answer";
import type { ReviewItem } from "../bindings/ReviewItem";
import type { ReviewPage } from "../bindings/ReviewPage";
import type { Section } from "../bindings/Section";

export type ItemState = "pass" | "fail" | "not_applicable" | "unanswered";

export function itemState(a: Answer | undefined): ItemState {
  return a ? a.outcome : "unanswered";
}

export function autoLabel(item: ReviewItem): string {
  if (!item.automatic) return "attestation";
  return `automatic: ${item.automatic.outcome}`;
}

export function progressText(p: ReviewPage): string {
  const s = p.status;
  return `${s.answered} of ${s.total} answered · tier ${s.tier}${s.can_approve ? " · ready to approve" : s.ready_for_decision ? " · ready for a decision" : ""}`;
}

export function nextUnanswered(p: ReviewPage, after: string | null): string | null {
  const ids = p.review.header.items.map((i) => i.id);
  const start = after ? ids.indexOf(after) + 1 : 0;
  const order = [...ids.slice(start), ...ids.slice(0, start)];
  return order.find((id) => !(id in p.review.answers)) ?? null;
}

/** The validation report's sections, in the report's order, with their headings. */
export const REPORT_SECTIONS: [Section, string][] = [
  ["executive_summary", "Executive summary"],
  ["scope", "Scope"],
  ["rating", "Overall rating"],
  ["conclusion", "Conclusion and opinion"],
  ["model_limitations", "Limitations of the model"],
  ["validation_limitations", "Limitations of the validation"],
  ["use_restrictions", "Use restrictions"],
  ["recommendations", "Recommendations"],
];

/** "Satisfactory with findings" for `satisfactory_with_findings`. */
export function ratingLabel(r: string): string {
  const s = r.replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Items grouped by area, in checklist order. */
export function byArea(items: ReviewItem[]): [string, ReviewItem[]][] {
  const m = new Map<string, ReviewItem[]>();
  for (const i of items) m.set(i.area, [...(m.get(i.area) ?? []), i]);
  return [...m.entries()];
}
