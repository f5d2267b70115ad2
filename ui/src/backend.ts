// The only module that talks to the Rust side. Every command delegates to countersign-core.
import { invoke } from "@tauri-apps/api/core";

export type ModelKind = "classic" | "prompt" | "vendor";

export interface ModelSummary {
  name: string;
  kind: ModelKind;
  description: string;
  owner: string | null;
  business_purpose: string | null;
  risk_tier: string | null;
  next_review_date: string | null;
  monitoring: string | null;
  llm_provider: string | null;
  tags: Record<string, string>;
  aliases: Record<string, string>;
  latest_version: string | null;
  version_count: number;
  overdue: boolean;
}

export interface VersionInfo {
  name: string;
  version: string;
  creator: string | null;
  source: string;
  run_id: string | null;
  status: string;
  aliases: string[];
}

export interface ModelDetail {
  model: ModelSummary;
  versions: VersionInfo[];
}

export interface Inventory {
  platform: string;
  today: string;
  models: ModelSummary[];
}

/** An error as the Rust side sends it. */
export interface IpcError {
  code: string;
  message: string;
}

export function inventoryList(): Promise<Inventory> {
  return invoke<Inventory>("inventory_list");
}

export function inventoryDetail(name: string): Promise<ModelDetail> {
  return invoke<ModelDetail>("inventory_detail", { name });
}

export function errorText(e: unknown): string {
  if (e && typeof e === "object" && "message" in e) {
    const err = e as IpcError;
    return `${err.message} (${err.code})`;
  }
  return String(e);
}
