// A prompt version's template and model configuration, and its template against the previous
// version and production, as core's PromptPage gives them (the detail and the review show it).
import type { PromptComparison } from "../bindings/PromptComparison";
import type { PromptPage } from "../bindings/PromptPage";
import { h } from "../dom";

function comparison(c: PromptComparison): HTMLElement {
  const same = c.same_template && !c.config_changes.length;
  return h(
    "div",
    { class: "prompt-diff" },
    h("h4", {}, `Against ${c.against}`, h("span", { class: "muted" }, ` ${c.other}`)),
    same ? h("p", { class: "muted" }, "The same template and model configuration.") : null,
    c.config_changes.length ? h("ul", { class: "config-changes" }, ...c.config_changes.map((x) => h("li", {}, `model ${x}`))) : null,
    same || c.same_template
      ? null
      : h("pre", { class: "diff" }, ...c.diff.map((l) => h("span", { class: l.op === "+" ? "add" : l.op === "-" ? "del" : "keep" }, `${l.op} ${l.text}\n`))),
    c.diff_truncated ? h("p", { class: "muted" }, `… ${c.diff_truncated} more diff lines not shown`) : null,
  );
}

/** The prompt section: template, model configuration, comparisons. */
export function promptBlock(p: PromptPage): HTMLElement {
  const cfg = Object.entries(p.facts.model_config);
  return h(
    "section",
    { class: "block prompt", "aria-label": "Prompt template" },
    h("h3", {}, `Prompt template${p.facts.prompt_type ? ` (${p.facts.prompt_type})` : ""}`),
    h("pre", { class: "template" }, p.facts.template.join("\n")),
    cfg.length ? h("p", { class: "model-config" }, "Model: ", cfg.map(([k, v]) => `${k} ${v}`).join(" · ")) : null,
    p.facts.model_config_raw ? h("p", { class: "warning" }, `Model configuration (not JSON): ${p.facts.model_config_raw}`) : null,
    ...[...(p.against_previous ? [p.against_previous] : []), ...p.against_production].map(comparison),
  );
}
