//! `countersign watch`: registering the webhook, and applying one accepted delivery (the
//! listener and the signature checks are [`crate::watch`]).

use super::{QueueOptions, Workspace};
use crate::uri::VersionRef;
use crate::watch::Event;
use crate::{Error, Result};
use serde::Serialize;

/// What `watch` did with one delivery.
#[derive(Debug, Clone, Serialize)]
pub struct WatchReport {
    /// The delivery id.
    pub delivery: String,
    /// `model_version_tag.set`, …
    pub event: String,
    /// The model or prompt named.
    pub name: Option<String>,
    /// The version named.
    pub version: Option<String>,
    /// What was read again: `models:/NAME/VERSION`, or `inventory` (a sync).
    pub synced: String,
    /// Versions of the model whose approval went stale with this change (they were not in the
    /// queue for it before).
    pub became_stale: Vec<String>,
    /// Versions of the model that entered the review queue with this change, each with why.
    pub entered_queue: Vec<String>,
}

impl Workspace {
    /// Registers the webhook `countersign watch` listens for at `url` (every model and prompt
    /// event MLflow has, [`crate::watch::EVENTS`]) with a new secret, which is saved as the
    /// config file's `webhook_secret` (readable by its owner only), replacing the webhooks
    /// Countersign made for that URL before. Returns the webhook id and the config file written.
    pub fn watch_register(&mut self, url: &str) -> Result<(String, std::path::PathBuf)> {
        let parsed = url::Url::parse(url).map_err(|e| Error::InvalidInput {
            what: "webhook URL",
            input: url.to_string(),
            reason: format!("{e}: give the address MLflow can reach the listener at, e.g. http://10.0.0.5:8765/hook"),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::InvalidInput {
                what: "webhook URL",
                input: url.to_string(),
                reason: "MLflow delivers to http:// or https:// addresses only".into(),
            });
        }
        let secret = crate::watch::new_secret();
        let platform = self.session.open_platform(&self.policy)?;
        let name = crate::watch::WEBHOOK_NAME;
        // The new webhook first, then its secret saved, then the old ones (by this name, to
        // this URL) removed: a failure at any step leaves a webhook whose secret is known.
        let id = platform.create_webhook(name, url, &secret, &crate::watch::EVENTS)?;
        let path = match self.config.save_webhook_secret(&secret) {
            Ok(p) => p,
            Err(e) => {
                let _ = platform.delete_webhooks(name, url, "");
                return Err(e);
            }
        };
        platform.delete_webhooks(name, url, &id)?;
        Ok((id, path))
    }

    /// The webhook secret deliveries are checked with (`COUNTERSIGN_WEBHOOK_SECRET`, else the
    /// config file's `webhook_secret`).
    pub fn webhook_secret(&self) -> Option<String> {
        self.config.webhook_secret.value.clone()
    }

    /// Where the webhook secret comes from (`COUNTERSIGN_WEBHOOK_SECRET` overrides the file).
    pub fn webhook_secret_origin(&self) -> &crate::config::Origin {
        &self.config.webhook_secret.origin
    }

    /// Applies one accepted delivery: reads again just the version it names (its model record
    /// with it), or syncs when it names no version (a new model or prompt, a model tag), then
    /// says what became stale and what entered the queue for that model, judged on `today`.
    pub fn watch_event(&mut self, ev: &Event, today: &str) -> Result<WatchReport> {
        let name = ev.name.clone();
        let queued = |ws: &Workspace| -> Result<Vec<(String, Vec<String>)>> {
            let Some(n) = &name else {
                return Ok(Vec::new());
            };
            let q = ws.queue(
                &QueueOptions {
                    offline: true,
                    ..QueueOptions::default()
                },
                today,
            )?;
            Ok(q.items
                .into_iter()
                .filter(|i| &i.name == n)
                .map(|i| {
                    let kinds = i
                        .reasons
                        .iter()
                        .map(|r| r.kind.as_str().to_string())
                        .collect();
                    (i.version_ref, kinds)
                })
                .collect())
        };
        let before = queued(self)?;
        let target = match (&ev.name, &ev.version) {
            (Some(n), Some(v)) => VersionRef::parse(&format!("models:/{n}/{v}")).ok(),
            _ => None,
        };
        let synced = match target {
            Some(vref) => {
                let platform = self.session.open_platform(&self.reading_policy())?;
                match platform.fetch_version(&vref) {
                    Ok(snap) => {
                        self.session
                            .store
                            .refresh_snapshot(&self.session.key, &snap)?;
                        vref.to_string()
                    }
                    // Gone already (deleted after the event): a sync settles what there is.
                    Err(Error::NotFound { .. }) => {
                        self.sync(false, &mut |_| {})?;
                        "inventory".to_string()
                    }
                    Err(e) => return Err(e),
                }
            }
            None => {
                self.sync(false, &mut |_| {})?;
                "inventory".to_string()
            }
        };
        let after = queued(self)?;
        let had = |v: &str, kind: &str| {
            before
                .iter()
                .any(|(b, kinds)| b == v && kinds.iter().any(|k| k == kind))
        };
        let mut became_stale = Vec::new();
        let mut entered_queue = Vec::new();
        for (v, kinds) in &after {
            if kinds.iter().any(|k| k == "evidence_changed") && !had(v, "evidence_changed") {
                became_stale.push(v.clone());
            }
            let new: Vec<&str> = kinds
                .iter()
                .filter(|k| !had(v, k))
                .map(String::as_str)
                .collect();
            if !new.is_empty() {
                entered_queue.push(format!("{v}: {}", new.join(", ")));
            }
        }
        Ok(WatchReport {
            delivery: ev.delivery.clone(),
            event: ev.event.clone(),
            name: ev.name.clone(),
            version: ev.version.clone(),
            synced,
            became_stale,
            entered_queue,
        })
    }
}
