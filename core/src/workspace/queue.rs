//! The review queue and assignments, through the workspace: approvals judged against the
//! platform now (or from the ledger offline), trigger sightings kept in the store, and
//! assignments recorded on the platform for every reviewer to see.

use super::Workspace;
use crate::assignment::Assignment;
use crate::policy::Role;
use crate::queue::{self, Queue, VersionVerdicts};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What `countersign queue` asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct QueueOptions {
    /// Only items assigned to the configured identity.
    #[serde(default)]
    pub mine: bool,
    /// Only models of this tier.
    #[serde(default)]
    pub tier: Option<String>,
    /// Judge approvals from the ledger (the last verification here) instead of the platform.
    #[serde(default)]
    pub offline: bool,
    /// Judge the queue as on this date (YYYY-MM-DD, today or later) instead of today: what
    /// falls due by then (a condition expiring, the calendar). Triggers it sees first are not
    /// remembered (their clocks start on a look at today); the approvals it verifies are
    /// recorded in the ledger as every verification is.
    #[serde(default)]
    #[ts(optional)]
    pub as_of: Option<String>,
}

/// What `countersign assign` recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Assigned {
    /// `models:/NAME/VERSION`.
    pub version: String,
    /// The assignment.
    pub assignment: Assignment,
    /// Where it was written on the platform.
    pub location: String,
}

impl Workspace {
    /// Who is acting, for a record that must name them: the workspace's identity (`--as`,
    /// environment, config file), else the login name; an error saying how to set one.
    pub(super) fn acting_identity(&self, what: &str) -> Result<String> {
        let who = self
            .identity
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| self.config.acting_identity())
            // Surrounding white space is a slip, not a different name (the roster ignores it).
            .map(|s| s.trim().to_string())
            .ok_or_else(|| Error::InvalidInput {
                what: "identity",
                input: String::new(),
                reason: format!("none is configured, and {what} records who made it: pass --as PRINCIPAL, set COUNTERSIGN_IDENTITY, or write `identity = \"…\"` in the config file"),
            })?;
        // Nothing is recorded under a name that reads as someone else's: the same rule as
        // for a signer (control and invisible characters, mixed scripts).
        crate::identity::check_signer(&who).map_err(|reason| Error::InvalidInput {
            what: "identity",
            input: crate::display::escape(&who).into_owned(),
            reason: format!("{reason}; {what} is recorded under it: pass --as with the name as the roster writes it"),
        })?;
        Ok(who)
    }

    /// The policy whose roster says who may act: the newest trusted release's where a root is
    /// pinned, else the configured policy.
    pub(super) fn governing_policy(&self) -> Result<crate::policy::LoadedPolicy> {
        Ok(match self.root_pin() {
            Ok(_) => self.trusted()?.trust.newest()?.policy.clone(),
            Err(_) => self.policy.clone(),
        })
    }

    /// The review queue: every version that needs a review or an approval now or soon, why,
    /// by when and who is assigned, most urgent first. Approvals are verified against the
    /// platform (as `verify --all` does) unless `offline`, or no trust root is pinned, when
    /// the ledger's last verdicts are used and the queue says so.
    pub fn queue(&self, opts: &QueueOptions, today: &str) -> Result<Queue> {
        let seen_on = today;
        let today = match &opts.as_of {
            Some(d) => {
                let day = crate::inventory::parse_day(d).ok_or_else(|| Error::InvalidInput {
                    what: "--as-of",
                    input: d.clone(),
                    reason: "write the date as YYYY-MM-DD".into(),
                })?;
                // Verdicts are judged now: a look back would mix today's verdicts with another
                // day's reasons.
                if crate::inventory::parse_day(today).is_some_and(|t| day < t) {
                    return Err(Error::InvalidInput {
                        what: "--as-of",
                        input: d.clone(),
                        reason: format!("is before today ({today}): a look ahead only; the ledger (`countersign ledger show`) holds what was decided before"),
                    });
                }
                d.as_str()
            }
            None => today,
        };
        let store = &self.session.store;
        let key = self.session.key.clone();
        let mine = if opts.mine {
            Some(self.identity.clone().ok_or_else(|| Error::InvalidInput {
                what: "identity",
                input: String::new(),
                reason: "none is configured, and --mine needs it: pass --as PRINCIPAL, set COUNTERSIGN_IDENTITY, or write `identity = \"…\"` in the config file".into(),
            })?)
        } else {
            None
        };
        let mut policy = self.policy.clone();
        let mut verdicts: BTreeMap<String, VersionVerdicts> = BTreeMap::new();
        let mut unverified = Vec::new();
        let judged = match (opts.offline, self.root_pin()) {
            (false, Ok(_)) => {
                let t = self.trusted()?;
                policy = t.trust.newest()?.policy.clone();
                let versions =
                    crate::approval::verify::versions_with_approvals(store, t.platform.as_ref())?;
                for (i, v) in versions.iter().enumerate() {
                    log::info!("verifying approvals {}/{}: {v}", i + 1, versions.len());
                    match crate::approval::verify::verify_version(
                        store,
                        t.platform.as_ref(),
                        &t.trust,
                        v,
                        &mut |_| {},
                    ) {
                        Ok(res) if !res.approvals.is_empty() => {
                            verdicts
                                .insert(v.to_string(), VersionVerdicts::from_verification(&res));
                        }
                        Ok(_) => {}
                        // One version the platform cannot show stops nothing else: it is
                        // listed with why, and its approvals count for nothing here.
                        Err(e) => unverified.push(format!("{v}: {e}")),
                    }
                }
                "verified".to_string()
            }
            (offline, pin) => {
                let entries = store.ledger_entries_on(&key)?;
                verdicts = queue::ledger_verdicts(&policy, &store.models(&key)?, entries);
                match (offline, pin) {
                    (true, _) => "ledger".to_string(),
                    (false, Err(e)) => format!("ledger ({e})"),
                    (false, Ok(_)) => "ledger".to_string(),
                }
            }
        };
        let all = store.models(&key)?;
        let mut models = all.clone();
        if let Some(t) = &opts.tier {
            if !policy.policy.tiers.contains_key(t) {
                let known: Vec<&str> = policy.policy.tiers.keys().map(String::as_str).collect();
                return Err(Error::InvalidInput {
                    what: "--tier",
                    input: t.clone(),
                    reason: format!("the policy has no such tier (known: {})", known.join(", ")),
                });
            }
            models.retain(|m| m.risk_tier.as_deref() == Some(t.as_str()));
        }
        let versions = store.all_versions(&key)?;
        let in_review = store.reviewed_versions(&key)?;
        let day = queue::date_of(today).ok_or_else(|| Error::InvalidInput {
            what: "date",
            input: today.to_string(),
            reason: "write YYYY-MM-DD".into(),
        })?;
        // A look ahead: conditional approvals that will have expired by then no longer count.
        // The ledger does not hold expiries: judged from it, a look ahead cannot see one lapse.
        if opts.as_of.is_some() && judged != "verified" {
            unverified.push(format!(
                "conditions' expiries are not in the ledger: judged {judged}, this look ahead to {today} cannot see a conditional approval lapse (pin a trust root and run without --offline)"
            ));
        }
        if opts.as_of.is_some() {
            for (vref, vv) in verdicts.iter_mut() {
                let tier = crate::uri::VersionRef::parse(vref)
                    .ok()
                    .and_then(|r| all.iter().find(|m| m.name == r.name))
                    .and_then(|m| m.risk_tier.clone());
                vv.as_of(day, &policy.required_roles(tier.as_deref()));
            }
        }
        // The owners' attestations of each model's governing version, where its tier asks for
        // them: read from the platform and judged there (the ledger does not hold them).
        let attestations =
            self.attestations_for_queue(&policy, &all, &verdicts, &judged, &mut unverified)?;
        // The monitoring runs of every version the queue may judge (in production, with
        // approvals, or a model's newest), where the policy reads breaches from runs.
        let mut monitoring = BTreeMap::new();
        if let Some(mon) = &policy.policy.lifecycle.monitoring_runs {
            for m in &all {
                let prod = queue::production_versions(&policy, m);
                let mine: Vec<&crate::model::Version> =
                    versions.iter().filter(|v| v.name == m.name).collect();
                let newest = mine
                    .iter()
                    .max_by_key(|v| v.number())
                    .map(|v| v.version.clone());
                for v in mine {
                    let vref = format!("models:/{}/{}", v.name, v.version);
                    let wanted = prod.contains(&v.version)
                        || verdicts.contains_key(&vref)
                        || newest.as_deref() == Some(v.version.as_str());
                    if !wanted {
                        continue;
                    }
                    let r = crate::uri::VersionRef {
                        name: v.name.clone(),
                        version: v.version.clone(),
                    };
                    // A version whose evidence cannot be read stops nothing else: it is listed
                    // with why, as an unverified approval is.
                    match store.evidence(&key, &r) {
                        Ok(e) => {
                            let runs = queue::monitoring_runs(&e, &mon.tag, day);
                            if !runs.is_empty() {
                                monitoring.insert(vref, runs);
                            }
                        }
                        Err(e) => unverified.push(format!("{vref}: monitoring runs not read: {e}")),
                    }
                }
            }
        }
        let whole = queue::Input {
            policy: &policy,
            models: &all,
            versions: &versions,
            verdicts: &verdicts,
            in_review: &in_review,
            monitoring: &monitoring,
            attestations: attestations.as_ref(),
            today: day,
        };
        // Sightings are recorded over the whole inventory, so a filtered look never makes
        // the store forget a trigger of another tier.
        let complete = judged == "verified" && unverified.is_empty();
        let seen = store.triggers_seen(
            &key,
            &queue::timed_triggers(&whole),
            seen_on,
            complete,
            opts.as_of.is_none(),
        )?;
        let mut items = queue::build(
            &queue::Input {
                models: &models,
                ..whole
            },
            &seen,
        );
        if let Some(me) = &mine {
            items.retain(|i| i.assigned_to(me) || i.owner_attestation_for(me));
        }
        let open = store.open_findings_by_version(&key, today)?;
        for item in &mut items {
            if let Some(o) = open.get(&item.version_ref) {
                item.findings = o
                    .findings
                    .iter()
                    .map(|f| queue::OpenFinding::of(f, day))
                    .collect();
            }
        }
        Ok(Queue {
            schema: queue::SCHEMA.to_string(),
            platform: key,
            today: today.to_string(),
            judged,
            mine,
            items,
            unverified,
        })
    }

    /// When the owner attestations that count were signed, by governing version, for the
    /// models whose tier sets an attestation cadence; `None` when the queue is judged from the
    /// ledger (and the queue says attestations were not judged).
    fn attestations_for_queue(
        &self,
        policy: &crate::policy::LoadedPolicy,
        models: &[crate::model::Model],
        verdicts: &BTreeMap<String, VersionVerdicts>,
        judged: &str,
        unverified: &mut Vec<String>,
    ) -> Result<Option<BTreeMap<String, Vec<String>>>> {
        let wanted: Vec<(&crate::model::Model, String)> = models
            .iter()
            .filter(|m| {
                m.risk_tier
                    .as_deref()
                    .and_then(|t| policy.policy.tiers.get(t))
                    .is_some_and(|t| t.attestation_cadence_months.is_some())
            })
            .filter_map(|m| Some((m, queue::next_review(policy, m, verdicts).1?)))
            .collect();
        if wanted.is_empty() {
            return Ok(Some(BTreeMap::new()));
        }
        if judged != "verified" {
            unverified.push(format!(
                "owners' attestations are not in the ledger: judged {judged}, none is judged due (pin a trust root and run without --offline)"
            ));
            return Ok(None);
        }
        let t = self.trusted()?;
        let mut out = BTreeMap::new();
        for (m, version) in wanted {
            let vref = crate::uri::VersionRef {
                name: m.name.clone(),
                version,
            };
            match crate::attestation::verify_version(t.platform.as_ref(), &t.trust, &vref) {
                Ok(checks) => {
                    let times: Vec<String> = checks
                        .into_iter()
                        .filter(|c| c.counts)
                        .filter_map(|c| c.record.map(|r| r.signed_at))
                        .collect();
                    out.insert(vref.to_string(), times);
                }
                // Judged as never attested, and said.
                Err(e) => unverified.push(format!("{vref}: attestations not read: {e}")),
            }
        }
        Ok(Some(out))
    }

    /// Assigns a version to a reviewer in a role, on the platform (every reviewer's next
    /// sync or queue shows it) and in the store. Refused for an identity nobody could sign
    /// under, for a builder of the version, and for someone the policy's roster does not
    /// give the role.
    pub fn assign(
        &self,
        version: &str,
        to: &str,
        role: Role,
        due: Option<String>,
    ) -> Result<Assigned> {
        let vref = self.resolve(version)?;
        let by = self.acting_identity("an assignment")?;
        let a = Assignment {
            to: to.to_string(),
            role,
            due,
            by,
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        };
        crate::assignment::check(&a).map_err(|reason| Error::InvalidInput {
            what: "assignment",
            input: format!("{vref} → {to}"),
            reason,
        })?;
        let policy = self.governing_policy()?;
        let platform = self.session.open_platform(&policy)?;
        let snap = platform.fetch_version(&vref)?;
        let mut reasons = Vec::new();
        for (who, what) in crate::approval::builders(&snap) {
            if crate::approval::same_person(&who, to) {
                reasons.push(format!(
                    "'{}' is the {what}; the builder of a model never reviews or approves it",
                    crate::display::escape(to)
                ));
            }
        }
        if !policy.policy.roster.is_empty()
            && !crate::approval::roster_has(&policy.policy, to, role)
        {
            reasons.push(format!(
                "the policy's roster does not give '{}' the {role} role; assign someone it lists, or have the risk function add them",
                crate::display::escape(to)
            ));
        }
        if !reasons.is_empty() {
            reasons.sort();
            reasons.dedup();
            return Err(Error::Refused { reasons });
        }
        let location = platform.assign(&vref, &a)?;
        // The store shows it at once, as the platform now does.
        let snap = platform.fetch_version(&vref)?;
        self.session
            .store
            .refresh_snapshot(&self.session.key, &snap)?;
        Ok(Assigned {
            version: vref.to_string(),
            assignment: a,
            location,
        })
    }
}
