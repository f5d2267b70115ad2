// Who acts: asked once, before the first thing the window records, when no identity is
// configured (--as, COUNTERSIGN_IDENTITY, the config file), and saved in the config file.
import { identitySave } from "../backend";
import type { WorkspaceInfo } from "../bindings/WorkspaceInfo";
import { $, toast } from "../dom";
import { clearError, showError } from "./errors";

let info: WorkspaceInfo | null = null;
let pending: { resolve: (ok: boolean) => void } | null = null;
// A save in flight: Cancel and Esc wait for its answer.
let saving = false;

/** The header line: who acts (or that nobody is set yet), the policy and the root. */
function header(): void {
  if (!info) return;
  const who = info.identity_configured ? info.identity : "identity not set (asked before you record anything)";
  const line = `${who} · policy ${info.policy_version} · root ${info.root === "none pinned" ? "none pinned" : info.root.split("/").pop()}`;
  const el = $("identity");
  el.textContent = line;
  // The header cuts the line short: the whole of it is the tooltip.
  el.title = line;
}

/** Takes the workspace's header facts. */
export function setInfo(i: WorkspaceInfo): void {
  info = i;
  header();
}

/** Resolves true once an identity is configured — at once when it is, else after the user
 * types one and it is saved; false when they cancel (then nothing may be recorded). */
export function ensureIdentity(): Promise<boolean> {
  // Fail closed: without the workspace's facts nothing is recorded.
  if (!info) {
    toast("Nothing recorded: the workspace did not open (see the error above)");
    return Promise.resolve(false);
  }
  if (info.identity_configured) return Promise.resolve(true);
  if (pending) return Promise.resolve(false);
  const d = $("identity-dialog") as HTMLDialogElement;
  clearError($("identity-error"));
  d.showModal();
  ($("identity-input") as HTMLInputElement).focus();
  return new Promise((resolve) => {
    pending = { resolve };
  });
}

function finish(ok: boolean): void {
  ($("identity-dialog") as HTMLDialogElement).close();
  pending?.resolve(ok);
  pending = null;
}

/** Wires the dialog's buttons (once, at start-up). */
export function initIdentity(): void {
  $("identity-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const typed = ($("identity-input") as HTMLInputElement).value;
    saving = true;
    identitySave(typed).finally(() => (saving = false)).then(
      (saved) => {
        if (info) info = { ...info, identity: saved.identity, identity_configured: true };
        header();
        const roles = saved.roles === null ? " — the trusted roster decides your roles when you sign" : saved.roles.length ? ` — roster roles: ${saved.roles.join(", ")}` : " — the roster gives you no role: your signature would not count";
        toast(`You are ${saved.identity} (saved in ${saved.path})${roles}`);
        finish(true);
      },
      // Refused (a look-alike, a control character): the text stays as typed.
      (err) => showError(err, $("identity-error")),
    );
  });
  $("identity-cancel").addEventListener("click", () => {
    if (saving) return;
    toast("Nothing recorded: Countersign records who answers, so it needs your identity");
    finish(false);
  });
  ($("identity-dialog") as HTMLDialogElement).addEventListener("cancel", (e) => {
    if (saving) {
      e.preventDefault();
      return;
    }
    finish(false);
  });
}
