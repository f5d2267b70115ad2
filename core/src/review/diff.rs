//! What changed between two versions of a version's evidence, in words.

use crate::evidence::Evidence;
use serde_json::Value;

const MAX: usize = 50;

/// Paths that differ, as "run.metrics.auc.value: 0.8 → 0.82", at most 50.
pub(super) fn changes(before: &Evidence, after: &Evidence) -> Vec<String> {
    let a = serde_json::to_value(before).unwrap_or(Value::Null);
    let b = serde_json::to_value(after).unwrap_or(Value::Null);
    let mut out = Vec::new();
    walk("", &a, &b, &mut out);
    out
}

fn short(v: &Value) -> String {
    let s = match v {
        Value::String(s) => format!("'{s}'"),
        Value::Null => "nothing".into(),
        other => other.to_string(),
    };
    if s.chars().count() > 60 {
        s.chars().take(57).collect::<String>() + "…"
    } else {
        s
    }
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    if out.len() >= MAX || a == b {
        return;
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => walk(&join(k), p, q, out),
                    (Some(p), None) => out.push(format!("{}: removed (was {})", join(k), short(p))),
                    (None, Some(q)) => out.push(format!("{}: added {}", join(k), short(q))),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                walk(&join(&i.to_string()), p, q, out);
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            out.push(format!("{path}: {} entries → {}", x.len(), y.len()))
        }
        _ => out.push(format!("{path}: {} → {}", short(a), short(b))),
    }
}
