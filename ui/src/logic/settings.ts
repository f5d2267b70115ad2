// The settings view: what each setting's origin means and which fields a save sends. Pure.
import type { EditableSetting } from "../bindings/EditableSetting";
import type { SettingsInput } from "../bindings/SettingsInput";
import type { SettingsPage } from "../bindings/SettingsPage";

/** The settings the view edits, with their labels, in order. */
export const FIELDS: { name: keyof SettingsInput; label: string; placeholder: string }[] = [
  { name: "platform", label: "Platform", placeholder: "http://mlflow.bank.example:5000 or folder:/srv/models" },
  { name: "identity", label: "Your identity", placeholder: "vera@bank.example (as the roster names you)" },
  { name: "root", label: "Trust root", placeholder: "/path/to/root.signers or sha256:…" },
  { name: "signing_key", label: "Signing key", placeholder: "/home/you/.ssh/id_ed25519, or agent" },
  { name: "data_dir", label: "Data directory", placeholder: "/home/you/.local/share/countersign" },
];

/** Where a value came from, in the window's words (never a command-line flag's name). */
export function originNote(s: EditableSetting): string {
  switch (s.origin.kind) {
    case "env":
      return `Set by the environment variable ${s.origin.name}, which wins over what you save here.`;
    case "flag":
      return "Set when the app was started, which wins over what you save here.";
    case "file":
      return "Saved in the config file.";
    default:
      return `Not set: ${s.default}.`;
  }
}

/** The value a field starts with: the setting in force, else empty. */
export function initial(s: EditableSetting): string {
  return s.value ?? "";
}

/** The fields to save: those the user changed from what the page showed (an emptied field
 * removes the setting from the file). */
export function changes(page: SettingsPage, values: Partial<Record<keyof SettingsInput, string>>): SettingsInput {
  const out: SettingsInput = {};
  for (const f of FIELDS) {
    const now = (values[f.name] ?? "").trim();
    const shown = page.settings.find((s) => s.name === f.name);
    const before = shown ? initial(shown).trim() : "";
    if (now !== before) out[f.name] = now;
  }
  return out;
}
