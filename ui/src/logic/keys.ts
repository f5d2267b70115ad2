// The desktop's keyboard shortcuts, one per line: key → action. The action names are the TUI's
// (its keys.toml names), and docs/keys.md is the one table of both; a test in the TUI's crate
// reads this file and that table and fails when they disagree.
export const SHORTCUTS: Readonly<Record<string, string>> = {
  "/": "search",
  "r": "review",
  "S": "sign",
  "V": "verify",
  "e": "export",
  "E": "export_validation_report",
  "s": "sync",
  "d": "dashboard",
  "Q": "queue",
  "L": "lineage",
  "1": "view_inventory",
  "2": "view_dashboard",
  "3": "view_datasets",
  "4": "view_queue",
};
