//! TOML files read with errors that say where: "line L, column C (field `x`): message".
//! Used by the folder platform and the policy loader.

use crate::{Error, Result};
use std::path::Path;

/// Parses TOML text, turning errors into "line L, column C: message" naming the field.
pub fn parse<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        let field = e
            .span()
            .and_then(|s| field_at(text, s.start))
            .map(|f| format!(" (field `{f}`)"))
            .unwrap_or_default();
        Error::InvalidFile {
            path: path.to_path_buf(),
            message: format!(
                "line {line}, column {col}{field}: {}",
                e.message().trim_end()
            ),
        }
    })
}

/// The dotted key assigned on the line holding `offset` (`table.key`), if the line is a plain
/// `key = value` assignment.
fn field_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line = text[start..].lines().next().unwrap_or("");
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    if key.is_empty() || key.starts_with('[') || key.starts_with('#') {
        return None;
    }
    let table = text[..start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_string(),
    })
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}
