//! A prompt version as MLflow's prompt registry stores it (its template and model
//! configuration, in version tags), and what changed in its template against another version.

use crate::model::Version;
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// The version tag holding the template (text, or a chat prompt's messages as JSON).
pub const TEMPLATE_TAG: &str = "mlflow.prompt.text";
/// The version tag holding the prompt's type (`text` or `chat`).
pub const TYPE_TAG: &str = "_mlflow_prompt_type";
/// The version tag holding the model configuration (JSON: provider, model_name, temperature…).
pub const MODEL_CONFIG_TAG: &str = "_mlflow_prompt_model_config";
/// The version tag holding the response format (a JSON schema of the answer).
pub const RESPONSE_FORMAT_TAG: &str = "_mlflow_prompt_response_format";

/// Most diff lines kept (a longer diff ends with a line saying how many were left out).
const MAX_DIFF_LINES: usize = 400;

/// A prompt version's template and model configuration.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PromptFacts {
    /// `text` or `chat` (MLflow's prompt type), where recorded.
    pub prompt_type: Option<String>,
    /// The template as lines (a chat prompt's messages as `role: content`).
    pub template: Vec<String>,
    /// The model configuration, each value as MLflow stored it (JSON text for non-strings).
    pub model_config: BTreeMap<String, String>,
    /// Set when the model configuration tag is not a JSON object (shown raw instead).
    pub model_config_raw: Option<String>,
    /// The response format (the answer's JSON schema) as MLflow stored it, if any.
    pub response_format: Option<String>,
}

impl PromptFacts {
    /// Reads a version's prompt tags; `None` when it holds no template.
    pub fn of(v: &Version) -> Option<Self> {
        let text = v.tags.get(TEMPLATE_TAG)?;
        let prompt_type = v.tags.get(TYPE_TAG).cloned();
        let template = template_lines(text, prompt_type.as_deref());
        let (model_config, model_config_raw) = match v.tags.get(MODEL_CONFIG_TAG) {
            None => (BTreeMap::new(), None),
            Some(raw) => match serde_json::from_str::<serde_json::Value>(raw) {
                Ok(serde_json::Value::Object(o)) => (
                    o.into_iter()
                        .filter(|(_, v)| !v.is_null())
                        .map(|(k, v)| match v {
                            serde_json::Value::String(s) => (k, s),
                            other => (k, other.to_string()),
                        })
                        .collect(),
                    None,
                ),
                _ => (BTreeMap::new(), Some(raw.clone())),
            },
        };
        Some(Self {
            prompt_type,
            template,
            model_config,
            model_config_raw,
            response_format: v.tags.get(RESPONSE_FORMAT_TAG).cloned(),
        })
    }
}

/// A chat template (a JSON list of `{role, content}`) as `role: content` lines; any other
/// template as its lines.
fn template_lines(text: &str, prompt_type: Option<&str>) -> Vec<String> {
    // A chat prompt: typed so, or untyped and its text a list of messages.
    if prompt_type == Some("chat") || (prompt_type.is_none() && text.trim_start().starts_with('['))
    {
        if let Ok(serde_json::Value::Array(msgs)) = serde_json::from_str::<serde_json::Value>(text)
        {
            let mut out = Vec::new();
            for m in &msgs {
                // A role is one word: a newline in it could fake a message line.
                let role: String = m
                    .get("role")
                    .and_then(|r| r.as_str())
                    .unwrap_or("?")
                    .chars()
                    .map(|c| if c.is_whitespace() { ' ' } else { c })
                    .collect();
                let content = match m.get("content") {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                let mut lines = content.lines();
                out.push(format!("{role}: {}", lines.next().unwrap_or("")));
                out.extend(lines.map(|l| format!("  {l}")));
            }
            return out;
        }
    }
    text.lines().map(str::to_string).collect()
}

/// One line of a template diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DiffLine {
    /// `' '` kept, `'-'` only in the other version, `'+'` only in this one.
    pub op: String,
    /// The line.
    pub text: String,
}

/// This version's template and configuration against another version's.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PromptComparison {
    /// What it is compared with, in words ("the previous version 1", "version 1 in production
    /// (champion)").
    pub against: String,
    /// `models:/NAME/VERSION` of the other version.
    pub other: String,
    /// Whether the templates are the same.
    pub same_template: bool,
    /// The line diff of the templates (the other version's lines `-`, this one's `+`).
    pub diff: Vec<DiffLine>,
    /// Model configuration keys whose values differ, as "temperature: 0.2 → 0.7"; and the
    /// response format, when it changed.
    pub config_changes: Vec<String>,
    /// Diff lines left out past the first 400.
    pub diff_truncated: usize,
}

/// Compares `this` with `other` ([`PromptComparison`]).
pub fn compare(
    this: &PromptFacts,
    other: &PromptFacts,
    against: String,
    other_ref: String,
) -> PromptComparison {
    let mut config_changes = Vec::new();
    let keys: std::collections::BTreeSet<&String> = this
        .model_config
        .keys()
        .chain(other.model_config.keys())
        .collect();
    for k in keys {
        match (other.model_config.get(k), this.model_config.get(k)) {
            (Some(a), Some(b)) if a != b => config_changes.push(format!("{k}: {a} → {b}")),
            (Some(a), None) => config_changes.push(format!("{k}: {a} → (not set)")),
            (None, Some(b)) => config_changes.push(format!("{k}: (not set) → {b}")),
            _ => {}
        }
    }
    if this.model_config_raw != other.model_config_raw {
        config_changes.push("the model configuration (not a JSON object) differs".into());
    }
    if this.response_format != other.response_format {
        config_changes.push(match (&other.response_format, &this.response_format) {
            (None, Some(_)) => "response format: (not set) → set".into(),
            (Some(_), None) => "response format: set → (not set)".into(),
            _ => "response format: changed".into(),
        });
    }
    let (diff, diff_truncated) = line_diff(&other.template, &this.template);
    PromptComparison {
        against,
        other: other_ref,
        same_template: this.template == other.template,
        diff,
        config_changes,
        diff_truncated,
    }
}

/// A line diff of `a` → `b` (the common head and tail kept, the rest by longest common
/// subsequence over line ids; past 2,000 differing lines on either side, the middle of `a`
/// removed and of `b` added), at most 400 lines, with how many were left out.
pub fn line_diff(a: &[String], b: &[String]) -> (Vec<DiffLine>, usize) {
    let line = |op: &str, t: &str| DiffLine {
        op: op.into(),
        text: t.into(),
    };
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let mut out: Vec<DiffLine> = a[..head].iter().map(|t| line(" ", t)).collect();
    if am.len() > 2000 || bm.len() > 2000 {
        out.extend(am.iter().map(|t| line("-", t)));
        out.extend(bm.iter().map(|t| line("+", t)));
    } else {
        // Lines as ids: each comparison below is of two integers.
        let mut ids: BTreeMap<&str, u32> = BTreeMap::new();
        let mut ai = Vec::with_capacity(am.len());
        let mut bi = Vec::with_capacity(bm.len());
        for (lines, out) in [(am, &mut ai), (bm, &mut bi)] {
            for t in lines {
                let n = ids.len() as u32;
                out.push(*ids.entry(t.as_str()).or_insert(n));
            }
        }
        // lcs[i][j]: the longest common subsequence of ai[i..] and bi[j..].
        let mut lcs = vec![vec![0u16; bi.len() + 1]; ai.len() + 1];
        for i in (0..ai.len()).rev() {
            for j in (0..bi.len()).rev() {
                lcs[i][j] = if ai[i] == bi[j] {
                    lcs[i + 1][j + 1] + 1
                } else {
                    lcs[i + 1][j].max(lcs[i][j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < ai.len() || j < bi.len() {
            if i < ai.len() && j < bi.len() && ai[i] == bi[j] {
                out.push(line(" ", &am[i]));
                i += 1;
                j += 1;
            } else if i < ai.len() && (j == bi.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
                // What was removed before what replaced it, as `diff -u` shows it.
                out.push(line("-", &am[i]));
                i += 1;
            } else {
                out.push(line("+", &bm[j]));
                j += 1;
            }
        }
    }
    out.extend(a[a.len() - tail..].iter().map(|t| line(" ", t)));
    let left = out.len().saturating_sub(MAX_DIFF_LINES);
    out.truncate(MAX_DIFF_LINES);
    (out, left)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    fn version(tags: &[(&str, &str)]) -> Version {
        Version {
            name: "p".into(),
            version: "1".into(),
            creator: None,
            created_ms: 0,
            updated_ms: 0,
            source: String::new(),
            run_id: None,
            status: "READY".into(),
            description: String::new(),
            aliases: vec![],
            files: vec![],
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            stage: None,
        }
    }

    #[test]
    fn a_diff_keeps_common_lines_and_marks_the_rest() {
        let (d, left) = line_diff(&lines("a\nb\nc"), &lines("a\nx\nc\nd"));
        assert_eq!(left, 0);
        let got: Vec<String> = d.iter().map(|l| format!("{}{}", l.op, l.text)).collect();
        assert_eq!(got, vec![" a", "-b", "+x", " c", "+d"]);
        assert!(line_diff(&lines("same"), &lines("same"))
            .0
            .iter()
            .all(|l| l.op == " "));
        // A long template: bounded, and says how much was left out.
        let long_a: Vec<String> = (0..3000).map(|i| format!("a{i}")).collect();
        let long_b: Vec<String> = (0..3000).map(|i| format!("b{i}")).collect();
        let (d, left) = line_diff(&long_a, &long_b);
        assert_eq!((d.len(), left), (400, 5600));
        // A text prompt whose body is a JSON list stays text.
        let v = version(&[(TEMPLATE_TAG, "[1, 2]"), (TYPE_TAG, "text")]);
        assert_eq!(PromptFacts::of(&v).expect("p").template, vec!["[1, 2]"]);
    }

    #[test]
    fn facts_read_the_template_chat_messages_and_model_config() {
        let v = version(&[
            (
                TEMPLATE_TAG,
                r#"[{"role": "system", "content": "Be brief.\nCite."}, {"role": "user", "content": "{{q}}"}]"#,
            ),
            (TYPE_TAG, "chat"),
            (
                MODEL_CONFIG_TAG,
                r#"{"provider": "openai", "model_name": "gpt-4o", "temperature": 0.2, "top_p": null}"#,
            ),
        ]);
        let f = PromptFacts::of(&v).expect("a prompt");
        assert_eq!(
            f.template,
            vec!["system: Be brief.", "  Cite.", "user: {{q}}"]
        );
        assert_eq!(f.model_config["temperature"], "0.2");
        assert_eq!(f.model_config["model_name"], "gpt-4o");
        assert!(!f.model_config.contains_key("top_p"));
        assert!(PromptFacts::of(&version(&[])).is_none());

        let other = PromptFacts::of(&version(&[
            (TEMPLATE_TAG, "user: {{q}}"),
            (
                MODEL_CONFIG_TAG,
                r#"{"provider": "openai", "model_name": "gpt-4o", "temperature": 0.7}"#,
            ),
        ]))
        .expect("a prompt");
        let c = compare(
            &f,
            &other,
            "the previous version 1".into(),
            "models:/p/1".into(),
        );
        assert!(!c.same_template);
        assert_eq!(c.config_changes, vec!["temperature: 0.7 → 0.2"]);
        assert!(c
            .diff
            .iter()
            .any(|l| l.op == "+" && l.text == "system: Be brief."));
        assert!(c
            .diff
            .iter()
            .any(|l| l.op == " " && l.text == "user: {{q}}"));

        let broken = PromptFacts::of(&version(&[
            (TEMPLATE_TAG, "x"),
            (MODEL_CONFIG_TAG, "not json"),
        ]))
        .expect("a prompt");
        assert_eq!(broken.model_config_raw.as_deref(), Some("not json"));
    }
}
