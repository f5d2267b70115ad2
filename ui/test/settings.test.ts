import { describe, expect, it } from "vitest";
import type { SettingsPage } from "../src/bindings/SettingsPage";
import { changes, originNote } from "../src/logic/settings";

const page: SettingsPage = {
  file: "/home/v/.config/countersign/config.toml",
  file_exists: true,
  needs_setup: false,
  settings: [
    { name: "platform", value: "http://mlflow:5000", origin: { kind: "env", name: "MLFLOW_TRACKING_URI" }, default: "the platform used last", file_decides: false },
    { name: "identity", value: "vera@bank.example", origin: { kind: "file", name: "/home/v/.config/countersign/config.toml" }, default: "asked", file_decides: true },
    { name: "root", value: null, origin: { kind: "default" }, default: "none pinned: signing, verification and the gate refuse", file_decides: true },
    { name: "signing_key", value: "/home/v/.ssh/id_ed25519", origin: { kind: "default" }, default: "~/.ssh/id_ed25519", file_decides: true },
    { name: "data_dir", value: "/home/v/.local/share/countersign", origin: { kind: "default" }, default: "~/.local/share/countersign", file_decides: true },
  ],
};

describe("settings", () => {
  it("sends only what the user changed, an emptied field as a removal", () => {
    const same = { platform: "http://mlflow:5000", identity: "vera@bank.example", root: "", signing_key: "/home/v/.ssh/id_ed25519", data_dir: "/home/v/.local/share/countersign" };
    expect(changes(page, same)).toEqual({});
    expect(changes(page, { ...same, root: " /srv/trust/root.signers ", identity: "" })).toEqual({ root: "/srv/trust/root.signers", identity: "" });
  });
  it("says in the window's words where a value came from and what wins", () => {
    expect(originNote(page.settings[0])).toBe("Set by the environment variable MLFLOW_TRACKING_URI, which wins over what you save here.");
    expect(originNote(page.settings[1])).toBe("Saved in the config file.");
    expect(originNote(page.settings[2])).toBe("Not set: none pinned: signing, verification and the gate refuse.");
    expect(originNote({ ...page.settings[0], origin: { kind: "flag", name: "--platform" } })).not.toContain("--platform");
  });
});
