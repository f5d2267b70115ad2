// The sign form: validation and the request it builds. Pure.
import type { Decision } from "../bindings/Decision";
import type { Role } from "../bindings/Role";
import type { ReviewPage } from "../bindings/ReviewPage";
import type { SignRequest } from "../bindings/SignRequest";
import type { AttestRequest } from "../bindings/AttestRequest";
import type { KeySource } from "../bindings/KeySource";
import { ratingLabel } from "./review";

export interface SignForm {
  version: string;
  role: Role;
  decision: Decision;
  conditions: string;
  expires: string;
  keyKind: "file" | "agent";
  keyPath: string;
  passphrase: string | null;
  /** The owner's note (role `owner`: an attestation, not a decision). */
  note: string;
}

/** The longest note an attestation carries (characters), as core checks it. */
export const MAX_NOTE = 2000;

/** Every problem with the form, in words; empty when it can be sent. */
export function problems(f: SignForm): string[] {
  const out: string[] = [];
  const conditions = splitConditions(f.conditions);
  if (f.role === "owner") {
    if ([...f.note.trim()].length > MAX_NOTE) out.push(`The note holds at most ${MAX_NOTE} characters.`);
  } else if (f.decision === "approve_with_conditions") {
    if (conditions.length === 0) out.push("Approve with conditions needs at least one condition (one per line).");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(f.expires.trim())) out.push("Approve with conditions needs an expiry date (YYYY-MM-DD).");
  } else if (conditions.length) {
    out.push("Conditions only go with “approve with conditions”.");
  }
  if (f.keyKind === "file" && !f.keyPath.trim()) out.push("Choose your SSH private key file, or use the ssh-agent.");
  return out;
}

export function splitConditions(text: string): string[] {
  return text
    .split("\n")
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}

function keySource(f: SignForm): KeySource {
  return f.keyKind === "agent" ? { kind: "agent" } : { kind: "file", path: f.keyPath.trim(), passphrase: f.passphrase };
}

/** The owner's attestation the form describes (role `owner`). */
export function attestRequest(f: SignForm): AttestRequest {
  const note = f.note.trim();
  return { version: f.version, note: note.length ? note : null, key: keySource(f) };
}

/** What the owner attests, in words, for the confirmation: the version, each statement (as
 * core words them), the note, the key. */
export function ownerAttestation(f: SignForm, statements: string[]): string[] {
  const out = [`Version: ${f.version}`, ...statements.map((s) => `You attest: ${s}`)];
  const note = f.note.trim();
  out.push(note.length ? `Note: ${note}` : "Note: none");
  out.push(`Key: ${f.keyKind === "agent" ? "ssh-agent" : f.keyPath.trim()}`);
  out.push("An attestation is never an approval: the gate does not read it.");
  return out;
}

export function request(f: SignForm): SignRequest {
  const conditional = f.decision === "approve_with_conditions";
  return {
    version: f.version,
    role: f.role,
    decision: f.decision,
    conditions: conditional ? splitConditions(f.conditions) : [],
    expires: conditional ? f.expires.trim() : null,
    key: keySource(f),
  };
}

/** Whether an error means the key needs a passphrase (ask for it, then send again). */
export function needsPassphrase(code: string): boolean {
  return code === "passphrase_needed";
}

/** What a signature will attest, in words, for the confirmation shown before signing: the
 * version, the evidence and review it binds, the review's rating and progress, the decision
 * with its conditions and expiry, the key. `page` is the version's latest review (null: none). */
export function attestation(f: SignForm, page: ReviewPage | null): string[] {
  const out = [`Version: ${f.version}`];
  if (page && !page.preview) {
    const h = page.review.header;
    out.push(`Evidence: sha256 ${h.evidence_sha256}`);
    out.push(`Review: ${h.id} under policy ${h.policy_version}, ${page.status.answered} of ${page.status.total} items answered`);
    const rating = page.review.report["rating"]?.text;
    out.push(`Overall rating: ${rating ? ratingLabel(rating) : "not written"}`);
    if (page.status.blockers.length && f.decision !== "reject") {
      out.push(`Blocks an approval: ${page.status.blockers.join("; ")}`);
    }
  } else {
    out.push("Review: none started — an approval will be refused; a reject is recorded as it is");
  }
  const decision = f.decision.replace(/_/g, " ");
  out.push(`Decision: ${decision}, as ${f.role}`);
  if (f.decision === "approve_with_conditions") {
    for (const c of splitConditions(f.conditions)) out.push(`Condition: ${c}`);
    out.push(`Conditions expire: ${f.expires.trim()}`);
  }
  out.push(`Key: ${f.keyKind === "agent" ? "ssh-agent" : f.keyPath.trim()}`);
  return out;
}
