//! `policy release | sign | publish | verify | root`: the risk function's commands, thin over
//! core's trust module and workspace.

use crate::cli::{PolicyCmd, ReleaseArgs, RootArgs, RootCmd};
use crate::output;
use anyhow::Result;
use countersign_core::config::Config;
use countersign_core::trust::Trust;
use countersign_core::workspace::Workspace;

/// Runs a `policy` subcommand other than `check`.
pub(crate) fn run(config: &Config, cmd: PolicyCmd) -> Result<()> {
    let workspace = || -> Result<Workspace> { Ok(Workspace::open(config.clone())?) };
    match cmd {
        PolicyCmd::Check { .. } => unreachable!("policy check is run by review_cmd"),
        PolicyCmd::Release(a) => release(&workspace()?, config, a),
        PolicyCmd::Sign { dir, key } => {
            let ws = workspace()?;
            let key = crate::sign_cmd::open_key(&key, config)?;
            let (who, path) = ws.policy_sign(&dir, &key)?;
            say!(
                "Signed as {} ({}): {}",
                who,
                key.fingerprint(),
                path.display()
            );
            Ok(())
        }
        PolicyCmd::Publish { dir } => {
            let ws = workspace()?;
            let at = ws.policy_publish(&dir)?;
            say!("Published {} to {}", dir.display(), at);
            Ok(())
        }
        PolicyCmd::Verify { json } => verify(&workspace()?, json),
        PolicyCmd::Root(RootCmd::Init(RootArgs {
            output,
            members,
            release_threshold,
            root_threshold,
        })) => {
            let p =
                Workspace::policy_root_init(&output, &members, release_threshold, root_threshold)?;
            say!(
                "Root v1 written to {} ({} keys; a release needs {}, a new root {}). Pin it with --root {} and publish it with `countersign policy publish {}`.",
                p.display(),
                members.len(),
                release_threshold,
                root_threshold,
                p.display(),
                output.display()
            );
            Ok(())
        }
        PolicyCmd::Root(RootCmd::Rotate {
            root:
                RootArgs {
                    output,
                    members,
                    release_threshold,
                    root_threshold,
                },
            last_release,
        }) => {
            let (p, previous) = workspace()?.policy_root_rotate(
                &output,
                &members,
                release_threshold,
                root_threshold,
                last_release,
            )?;
            say!(
                "Root v{} written to {}. It counts once {} of root v{}'s keys and {} of its own sign it (`countersign policy sign {}`), then publish it.",
                previous.version + 1,
                p.display(),
                previous.root_threshold,
                previous.version,
                root_threshold,
                output.display()
            );
            Ok(())
        }
    }
}

fn release(ws: &Workspace, config: &Config, a: ReleaseArgs) -> Result<()> {
    let key = match &a.key {
        Some(k) => Some(crate::sign_cmd::open_key(
            &crate::cli::KeyArgs {
                key: Some(k.clone()),
                agent: false,
                passphrase_file: a.passphrase_file.clone(),
            },
            config,
        )?),
        None => None,
    };
    let m = ws.policy_release(&a.output, a.number, &a.name, &a.uris, key.as_ref())?;
    say!(
        "Release {} written to {} (policy {}, governs '{}' at {}){}.",
        m.version,
        a.output.display(),
        m.policy_version,
        a.name,
        m.platforms[0].uris.join(", "),
        if key.is_some() { ", signed by you" } else { "" }
    );
    say!(
        "Next: each other member signs it (`countersign policy sign {}`) until the threshold is met, then `countersign policy publish {}`.",
        a.output.display(),
        a.output.display()
    );
    Ok(())
}

fn verify(ws: &Workspace, json: bool) -> Result<()> {
    let t: Trust = ws.trust_report()?;
    if json {
        output::json(
            "countersign.trust/v1",
            &serde_json::json!({
                "pinned_root_sha256": t.pinned_sha256,
                "roots": t.chain.iter().map(|c| serde_json::json!({
                    "version": c.root.version,
                    "sha256": c.root.sha256,
                    "members": c.root.principals(),
                    "release_threshold": c.root.release_threshold,
                    "root_threshold": c.root.root_threshold,
                })).collect::<Vec<_>>(),
                "releases": t.releases.iter().map(|r| serde_json::json!({
                    "version": r.manifest.version,
                    "sha256": r.sha256,
                    "root_version": r.root_version,
                    "signers": r.signers,
                    "policy_sha256": r.policy.sha256,
                    "platforms": r.manifest.platforms,
                })).collect::<Vec<_>>(),
                "refused": t.refused,
            }),
        )?;
    } else {
        say!(
            "Pinned root {} (sha256:{})",
            t.pin.display(),
            t.pinned_sha256
        );
        for c in &t.chain {
            say!(
                "  root v{} {}: {} — a release needs {}, a new root {}",
                c.root.version,
                countersign_core::display::short_hash(&c.root.sha256),
                c.root.principals().join(", "),
                c.root.release_threshold,
                c.root.root_threshold
            );
        }
        for r in &t.releases {
            say!(
                "  TRUSTED release {} ({}) under root v{}, signed by {}; policy {} {}; governs {}",
                r.manifest.version,
                countersign_core::display::short_hash(&r.sha256),
                r.root_version,
                r.signers.join(", "),
                r.manifest.policy_version,
                countersign_core::display::short_hash(&r.policy.sha256),
                r.manifest
                    .platforms
                    .iter()
                    .map(|p| format!("'{}' ({})", p.name, p.uris.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        for why in &t.refused {
            say!("  REFUSED {}", why);
        }
    }
    t.newest()?;
    Ok(())
}
