// Errors as the user sees them: the message, every reason, and the code.
import { asError } from "../backend";
import { $, compact, h } from "../dom";

export function showError(e: unknown, where?: HTMLElement): void {
  const r = asError(e);
  const box = where ?? $("error");
  box.hidden = false;
  box.replaceChildren(...compact(
    h("strong", {}, r.code === "refused" ? "Refused" : "Error"),
    " ",
    r.code === "refused" && r.reasons.length ? "" : r.message,
    r.reasons.length ? h("ul", {}, ...r.reasons.map((x) => h("li", {}, x))) : null,
    h("span", { class: "muted code" }, ` (${r.code})`),
  ));
}

export function clearError(where?: HTMLElement): void {
  const box = where ?? $("error");
  box.hidden = true;
  box.replaceChildren();
}
