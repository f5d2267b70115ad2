// Errors as the user sees them: the message, every reason, and the code.
import { asError } from "../backend";
import { $, compact, h } from "../dom";

/** The words of a setting a window user sets in Settings (not with the command line's flags). */
const SETTING_WORDS: Record<string, string> = {
  platform: "No platform is set: choose where your models live (an MLflow server or a folder) in Settings.",
  root: "No trust root is pinned: choose your risk function's root.signers in Settings. Signing, verification and the gate take their trust only from it.",
};

export function showError(e: unknown, where?: HTMLElement): void {
  const r = asError(e);
  const box = where ?? $("error");
  box.hidden = false;
  const words = r.setting ? SETTING_WORDS[r.setting] : undefined;
  if (words) {
    const open = h("button", { type: "button", class: "open-settings" }, "Open Settings");
    open.addEventListener("click", () => document.dispatchEvent(new CustomEvent("countersign:open-settings")));
    box.replaceChildren(h("strong", {}, "Not set up"), " ", words, " ", open);
    return;
  }
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
