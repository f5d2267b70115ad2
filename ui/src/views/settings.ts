// The settings view: platform, identity, trust root, signing key and data directory, saved to
// the config file the command line reads. On a first run (nothing says which platform to use)
// the window opens here.
import { asError, chooseFile, chooseFolder, settingsSave, settingsShow } from "../backend";
import type { SettingsInput } from "../bindings/SettingsInput";
import type { SettingsPage } from "../bindings/SettingsPage";
import { $, h, toast } from "../dom";
import { FIELDS, changes, initial, originNote } from "../logic/settings";
import { clearError, showError } from "./errors";

let page: SettingsPage | null = null;
let afterSave: () => Promise<void> = async () => {};

const input = (name: string) => $(`set-${name}`) as HTMLInputElement;

function render(p: SettingsPage): void {
  page = p;
  $("settings-file").textContent = p.file ?? "(no config file: set COUNTERSIGN_CONFIG or HOME)";
  $("settings-welcome").hidden = !p.needs_setup;
  for (const f of FIELDS) {
    const s = p.settings.find((x) => x.name === f.name);
    if (!s) continue;
    input(f.name).value = initial(s);
    $(`set-${f.name}-origin`).textContent = originNote(s);
    $(`set-${f.name}-origin`).classList.toggle("warn", !s.file_decides);
  }
}

/** Shows the settings as they are now; resolves to the page (null when it cannot be read). */
export async function loadSettings(): Promise<SettingsPage | null> {
  clearError($("settings-error"));
  try {
    const p = await settingsShow();
    render(p);
    return p;
  } catch (e) {
    showError(asError(e), $("settings-error"));
    return null;
  }
}

async function save(): Promise<void> {
  if (!page) return;
  const values: Partial<Record<keyof SettingsInput, string>> = {};
  for (const f of FIELDS) values[f.name] = input(f.name).value;
  const send = changes(page, values);
  if (Object.keys(send).length === 0) {
    toast("Nothing changed");
    return;
  }
  const button = $("settings-save") as HTMLButtonElement;
  button.disabled = true;
  clearError($("settings-error"));
  try {
    const p = await settingsSave(send);
    render(p);
    toast(`Saved to ${p.file ?? "the config file"}`);
    $("settings-saved").textContent = `Saved to ${p.file ?? "the config file"}.`;
    await afterSave();
  } catch (e) {
    // What the user typed stays in the fields.
    showError(asError(e), $("settings-error"));
  } finally {
    button.disabled = false;
  }
}

export function initSettings(saved: () => Promise<void>): void {
  afterSave = saved;
  const form = $("settings-fields");
  for (const f of FIELDS) {
    const pick =
      f.name === "root" || f.name === "signing_key"
        ? h("button", { type: "button", id: `set-${f.name}-choose` }, "Choose…")
        : f.name === "data_dir"
          ? h("button", { type: "button", id: `set-${f.name}-choose` }, "Choose folder…")
          : null;
    form.append(
      h("label", { for: `set-${f.name}` }, f.label),
      h(
        "div",
        { class: "setting" },
        h("div", { class: "inline-form" }, h("input", { id: `set-${f.name}`, autocomplete: "off", spellcheck: "false", placeholder: f.placeholder }), ...(pick ? [pick] : [])),
        h("small", { id: `set-${f.name}-origin`, class: "origin" }, ""),
      ),
    );
    if (pick) {
      pick.addEventListener("click", async () => {
        const p = f.name === "data_dir" ? await chooseFolder("Choose the data directory").catch(() => null) : await chooseFile(f.name === "root" ? "Choose the risk function's root.signers" : "Choose your SSH private key").catch(() => null);
        if (p) input(f.name).value = p;
      });
    }
  }
  $("settings-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void save();
  });
}
