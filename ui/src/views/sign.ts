// The sign dialog: role, decision, conditions and expiry, key (file or ssh-agent), a
// passphrase dialog when the key needs one, refusals with every reason, and the resulting
// record with the ssh-keygen command that verifies it. With the role `owner` it makes the
// owner's attestation instead: a note, no decision.
import { approvalSign, asError, attestationSign, attestationStatements, chooseKeyFile, reviewPreview } from "../backend";
import type { Decision } from "../bindings/Decision";
import type { Role } from "../bindings/Role";
import { $, h, toast } from "../dom";
import { attestRequest, attestation, needsPassphrase, ownerAttestation, problems, request, type SignForm } from "../logic/sign";
import { clearError, showError } from "./errors";

let version = "";
let afterSign: () => void = () => {};
// The form as it was when its attestation was confirmed; any change asks again.
let confirmed: string | null = null;

const dialog = () => $("sign-dialog") as HTMLDialogElement;
const val = (id: string) => ($(id) as HTMLInputElement).value;

export function initSign(done: () => void): void {
  afterSign = done;
  $("sign-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void submit(null);
  });
  $("sign-cancel").addEventListener("click", () => dialog().close());
  $("sign-confirm-back").addEventListener("click", () => {
    confirmed = null;
    $("sign-confirm").hidden = true;
    ($("sign-submit") as HTMLButtonElement).disabled = false;
  });
  $("sign-confirm-ok").addEventListener("click", () => {
    confirmed = JSON.stringify(form(null));
    $("sign-confirm").hidden = true;
    void submit(null);
  });
  // A change after the confirmation hides it: what is signed is what was shown.
  for (const ev of ["input", "change"]) {
    $("sign-form").addEventListener(ev, () => {
      confirmed = null;
      $("sign-confirm").hidden = true;
      ($("sign-submit") as HTMLButtonElement).disabled = false;
    });
  }
  $("sign-decision").addEventListener("change", syncConditional);
  $("sign-role").addEventListener("change", syncConditional);
  for (const r of document.querySelectorAll<HTMLInputElement>("input[name=key-kind]")) r.addEventListener("change", syncKeyKind);
  $("sign-choose-key").addEventListener("click", async () => {
    const p = await chooseKeyFile().catch(() => null);
    if (p) ($("sign-key-path") as HTMLInputElement).value = p;
  });
  $("passphrase-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = $("passphrase") as HTMLInputElement;
    const pass = input.value;
    input.value = "";
    ($("passphrase-dialog") as HTMLDialogElement).close();
    void submit(pass);
  });
  $("passphrase-cancel").addEventListener("click", () => {
    ($("passphrase") as HTMLInputElement).value = "";
    ($("passphrase-dialog") as HTMLDialogElement).close();
  });
}

function syncConditional(): void {
  const owner = val("sign-role") === "owner";
  const conditional = !owner && val("sign-decision") === "approve_with_conditions";
  $("sign-conditional").hidden = !conditional;
  $("sign-owner").hidden = !owner;
  for (const e of document.querySelectorAll<HTMLElement>("#sign-form .decision-only")) e.hidden = owner;
  $("sign-heading").firstChild!.textContent = owner ? "Attest, as its owner, " : "Sign a decision on ";
  $("sign-submit").textContent = owner ? "Attest" : "Sign";
  $("sign-confirm-ok").textContent = owner ? "Confirm and attest" : "Confirm and sign";
}

function syncKeyKind(): void {
  const file = (document.querySelector("input[name=key-kind]:checked") as HTMLInputElement | null)?.value !== "agent";
  $("sign-key-file").hidden = !file;
}

export function openSign(v: string, suggestedRole: Role): void {
  version = v;
  $("sign-version").textContent = v;
  ($("sign-role") as HTMLSelectElement).value = suggestedRole;
  $("sign-result").replaceChildren();
  $("sign-result").hidden = true;
  $("sign-confirm").hidden = true;
  confirmed = null;
  ($("sign-submit") as HTMLButtonElement).disabled = false;
  clearError($("sign-error"));
  syncConditional();
  syncKeyKind();
  dialog().showModal();
  ($("sign-role") as HTMLElement).focus();
}

function form(passphrase: string | null): SignForm {
  return {
    version,
    role: val("sign-role") as Role,
    decision: val("sign-decision") as Decision,
    conditions: val("sign-conditions"),
    expires: val("sign-expires"),
    keyKind: (document.querySelector("input[name=key-kind]:checked") as HTMLInputElement | null)?.value === "agent" ? "agent" : "file",
    keyPath: val("sign-key-path"),
    passphrase,
    note: val("sign-note"),
  };
}

async function submit(passphrase: string | null): Promise<void> {
  const f = form(passphrase);
  const bad = problems(f);
  if (bad.length) {
    showError({ code: "invalid_input", message: bad.join(" "), reasons: [] }, $("sign-error"));
    return;
  }
  clearError($("sign-error"));
  const button = $("sign-submit") as HTMLButtonElement;
  // First say what will be attested, and sign only once that is confirmed.
  if (confirmed !== JSON.stringify(form(null))) {
    button.disabled = true;
    const lines =
      f.role === "owner"
        ? ownerAttestation(f, await attestationStatements().catch(() => []))
        : attestation(f, await reviewPreview(version).catch(() => null));
    $("sign-attests").replaceChildren(...lines.map((line) => h("li", {}, line)));
    $("sign-confirm").hidden = false;
    ($("sign-confirm-ok") as HTMLElement).focus();
    return;
  }
  button.disabled = true;
  try {
    if (f.role === "owner") {
      const made = await attestationSign(attestRequest(f));
      const r = made.record;
      $("sign-result").hidden = false;
      $("sign-result").replaceChildren(
        h("p", { class: "ok", id: "sign-ok" }, `Attested ${r.model.name} v${r.model.version} as its owner ${r.signer} (key ${r.key_fingerprint}).`),
        h("p", {}, "Written to ", h("code", {}, made.location)),
        h("p", {}, "Anyone can verify it without Countersign:"),
        h("pre", { class: "cmd", id: "sign-verify-command" }, made.verify_command),
        h("details", {}, h("summary", {}, "The signed record"), h("pre", { id: "sign-record" }, JSON.stringify(r, null, 2))),
      );
      toast(`Attested ${version}`);
      confirmed = null;
      afterSign();
      return;
    }
    const signed = await approvalSign(request(f));
    const r = signed.record;
    $("sign-result").hidden = false;
    $("sign-result").replaceChildren(
      h("p", { class: "ok", id: "sign-ok" }, `Signed ${r.role} ${r.decision} of ${r.model.name} v${r.model.version} as ${r.signer} (key ${r.key_fingerprint}).`),
      h("p", {}, "Written to ", h("code", {}, signed.location)),
      h("p", {}, "Anyone can verify it without Countersign:"),
      h("pre", { class: "cmd", id: "sign-verify-command" }, signed.verify_command),
      h("details", {}, h("summary", {}, "The signed record"), h("pre", { id: "sign-record" }, JSON.stringify(r, null, 2))),
    );
    toast(`Signed ${r.decision} of ${version}`);
    confirmed = null;
    afterSign();
  } catch (e) {
    const err = asError(e);
    if (needsPassphrase(err.code) || (err.code === "key" && err.message.includes("wrong passphrase"))) {
      $("passphrase-prompt").textContent = err.code === "key" ? `Wrong passphrase for ${f.keyPath}. Try again:` : `The key ${f.keyPath} is protected by a passphrase:`;
      ($("passphrase-dialog") as HTMLDialogElement).showModal();
      ($("passphrase") as HTMLInputElement).focus();
    } else {
      showError(err, $("sign-error"));
    }
  } finally {
    button.disabled = false;
  }
}
