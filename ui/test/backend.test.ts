// The IPC layer is mocked here, and only here: the commands' names and argument shapes must
// match the Rust side's (src-tauri/src/commands.rs).
import { beforeEach, describe, expect, it, vi } from "vitest";

const calls: [string, unknown][] = [];
vi.mock("@tauri-apps/api/core", () => ({
  invoke: vi.fn(async (cmd: string, args?: unknown) => {
    calls.push([cmd, args]);
    if (cmd === "approval_sign") throw { code: "refused", message: "refused: builder", reasons: ["builder"] };
    return {};
  }),
  Channel: class {
    onmessage: (p: unknown) => void = () => {};
  },
}));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn(), save: vi.fn() }));
vi.mock("@tauri-apps/plugin-opener", () => ({ revealItemInDir: vi.fn() }));

const backend = await import("../src/backend");

describe("backend", () => {
  beforeEach(() => {
    calls.length = 0;
  });
  it("names commands <area>_<verb> and passes camelCase arguments", async () => {
    await backend.modelShow("m");
    await backend.reviewAnswer("models:/m/1", { item: "a", outcome: "pass", note: "n", evidence: [] });
    await backend.exportAuditPack("models:/m/1", "/tmp/p", () => {});
    expect(calls[0]).toEqual(["model_show", { name: "m" }]);
    expect(calls[1]).toEqual(["review_answer", { version: "models:/m/1", answer: { item: "a", outcome: "pass", note: "n", evidence: [] } }]);
    expect(calls[2][0]).toBe("export_audit_pack");
    expect(Object.keys(calls[2][1] as object)).toEqual(["version", "out", "onProgress"]);
  });
  it("turns a rejected call into an error report with its reasons", async () => {
    const e = await backend.approvalSign({ version: "v", role: "validator", decision: "approve", conditions: [], expires: null, key: { kind: "agent" } }).catch((x) => x);
    expect(backend.asError(e)).toEqual({ code: "refused", message: "refused: builder", reasons: ["builder"] });
    expect(backend.asError(new Error("boom"))).toEqual({ code: "internal", message: "Error: boom", reasons: [] });
  });
});
