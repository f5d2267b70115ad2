//! Plain-text output helpers for the command line.

use std::io::IsTerminal;
use unicode_width::UnicodeWidthStr;

/// A table with left-aligned columns sized to their content; every cell is data, so every cell
/// is escaped ([`Esc`]).
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(Esc(c).to_string().width());
        }
    }
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c}{}", " ".repeat(widths[i].saturating_sub(c.width()))))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(headers.iter().map(|h| h.to_string()).collect());
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.iter().map(|c| Esc(c).to_string()).collect()));
        out.push('\n');
    }
    out
}

/// Whether stderr is a terminal (progress is redrawn in place there).
pub(crate) fn stderr_is_tty() -> bool {
    std::io::stderr().is_terminal()
}

/// Prints `v` as pretty JSON to stdout, carrying `"schema": schema` (docs/json.md lists
/// every command's schema and fields; a change of shape bumps its version). `v` must be a
/// JSON object: a list is given a name by the caller.
pub(crate) fn json<T: serde::Serialize>(schema: &str, v: &T) -> anyhow::Result<()> {
    let mut value = serde_json::to_value(v)?;
    let Some(object) = value.as_object_mut() else {
        anyhow::bail!("internal error: the {schema} output is not a JSON object");
    };
    object.insert("schema".into(), schema.into());
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}

/// Displays a value with every control character made visible
/// ([`countersign_core::display::escape`]): what `say!` wraps every argument in, so platform
/// text (names, signers, reasons) can never move the cursor, fake a line or write the clipboard.
pub(crate) struct Esc<'a, T: std::fmt::Display + ?Sized>(pub &'a T);

impl<T: std::fmt::Display + ?Sized> std::fmt::Display for Esc<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.0.to_string();
        f.pad(&countersign_core::display::escape(&s))
    }
}

/// `println!` for text that holds platform strings: every argument is escaped ([`Esc`]).
/// Arguments must be passed positionally (`say!("{}", x)`), never captured inline.
macro_rules! say {
    ($fmt:literal $(, $arg:expr)* $(,)?) => {
        println!($fmt $(, $crate::output::Esc(&$arg))*)
    };
}

/// A usage error found after parsing (a value the policy does not know, say): exit code 2,
/// like clap's own.
#[derive(Debug)]
pub(crate) struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}
