//! `keys`, `sign`, `verify`, `gate` and `ledger`.

use crate::cli::{AttestArgs, KeyArgs, KeysArgs, KeysCmd, LedgerCmd, SignArgs, VerifyArgs};
use crate::output;
use anyhow::{bail, Context, Result};
use countersign_core::approval::verify::Verification;
use countersign_core::config::{Config, KeyChoice};
use countersign_core::policy::Role;
use countersign_core::uri::VersionRef;
use countersign_core::workspace::keys;
use countersign_core::workspace::keys::SigningKey;
use countersign_core::workspace::{KeySource, SignRequest, Workspace};
use std::io::{IsTerminal, Write};
use std::path::Path;

fn read_passphrase(args: &KeyArgs, path: &Path) -> Result<String> {
    if let Some(f) = &args.passphrase_file {
        let s = std::fs::read_to_string(f)
            .with_context(|| format!("cannot read the passphrase file {}", f.display()))?;
        return Ok(s.trim_end_matches(['\n', '\r']).to_string());
    }
    if !std::io::stdin().is_terminal() {
        bail!("{}: the key is protected by a passphrase and there is no terminal to ask it on; pass --passphrase-file FILE or use --agent", path.display());
    }
    Ok(rpassword::prompt_password(format!(
        "Passphrase for {}: ",
        path.display()
    ))?)
}

/// Opens the signing key: `--agent` or `--key` if given, else the configured one
/// ([`Config::signing_key`]: `COUNTERSIGN_KEY`, the config file, `~/.ssh/countersign_ed25519`,
/// `~/.ssh/id_ed25519`, ssh-agent), asking for a passphrase when needed.
pub(crate) fn open_key(args: &KeyArgs, config: &Config) -> Result<SigningKey> {
    let choice = if args.agent {
        KeyChoice::Agent
    } else if let Some(k) = &args.key {
        KeyChoice::File(k.clone())
    } else {
        config.signing_key.value.clone()
    };
    match (keys::open_key(&choice, None), &choice) {
        (Err(countersign_core::Error::PassphraseNeeded { .. }), KeyChoice::File(path)) => {
            let pass = read_passphrase(args, path)?;
            Ok(keys::open_key(&choice, Some(&pass))?)
        }
        (other, _) => Ok(other?),
    }
}

/// `keys`.
pub(crate) fn keys(a: KeysArgs, config: &Config) -> Result<()> {
    // The allowed_signers line names who you are: the configured identity (`--as`, env,
    // config file), else the login name.
    let identity = config.whoami();
    if let Some(KeysCmd::Generate {
        path,
        comment,
        no_passphrase,
        passphrase_file,
    }) = a.cmd
    {
        // Where the default key is looked for first, so plain `keys` then finds it.
        let path = path.unwrap_or_else(|| config.generated_key_path.clone());
        let pass = if no_passphrase {
            None
        } else if let Some(f) = passphrase_file.as_ref().or(a.key.passphrase_file.as_ref()) {
            Some(
                std::fs::read_to_string(f)
                    .with_context(|| format!("cannot read {}", f.display()))?
                    .trim_end_matches(['\n', '\r'])
                    .to_string(),
            )
        } else if std::io::stdin().is_terminal() {
            let p1 = rpassword::prompt_password("New passphrase (empty for none): ")?;
            let p2 = rpassword::prompt_password("Again: ")?;
            if p1 != p2 {
                bail!("the passphrases differ; nothing was written");
            }
            Some(p1)
        } else {
            bail!("no terminal to ask a passphrase on: pass --passphrase-file FILE or --no-passphrase");
        };
        let made = keys::generate(&path, &identity, &comment, pass.as_deref())?;
        println!(
            "Wrote {} (private, mode 0600) and {}.pub",
            path.display(),
            path.display()
        );
        println!("Fingerprint: {}", made.fingerprint);
        println!(
            "Hand this line to the risk function for allowed_signers:\n{}",
            made.allowed_signers_line
        );
        return Ok(());
    }
    let key = open_key(&a.key, config)?;
    let info = keys::describe(&key, &identity);
    if a.json {
        return output::json("countersign.key/v1", &info);
    }
    println!("Key:          {}", info.source);
    println!("Fingerprint:  {}", info.fingerprint);
    println!(
        "allowed_signers line (hand it to the risk function):\n{}",
        info.allowed_signers_line
    );
    Ok(())
}

/// `sign`.
pub(crate) fn sign_cmd(ws: &Workspace, a: SignArgs) -> Result<()> {
    // An alias is resolved on the platform once, and that version is what is signed.
    let vref = ws.resolve(&a.version)?;
    let (role, decision) = (a.role, a.decision);
    if let Some(e) = a.expires.as_deref() {
        // A bad date is a usage error before anything else is asked.
        countersign_core::approval::parse_expiry(e)?;
    }
    // What is not trusted is said before any passphrase is asked.
    let trusted = ws.trusted()?;
    let release = trusted.trust.newest()?;
    let release_no = release.manifest.version;
    let key = open_key(&a.key, &ws.config)?;
    if !a.yes {
        if !std::io::stdin().is_terminal() {
            bail!("not signed: standard input is not a terminal, so nobody can confirm; pass --yes to sign without asking");
        }
        if role == Role::Approver {
            // Say what is countersigned before asking.
            let validators = ws.countersigned(&vref.to_string())?;
            if validators.is_empty() {
                eprintln!(
                    "No validator's approval of {vref} verifies yet: the gate will still need one."
                );
            }
            for v in &validators {
                eprintln!(
                    "This countersigns the review {} that validator {} approved ({}{}) on {}.",
                    crate::output::Esc(&v.review_sha256.get(..12).unwrap_or(&v.review_sha256)),
                    crate::output::Esc(&v.signer),
                    v.decision.as_str(),
                    if v.conditions.is_empty() {
                        String::new()
                    } else {
                        format!(
                            ", conditions: {}",
                            crate::output::Esc(&v.conditions.join("; "))
                        )
                    },
                    crate::output::Esc(&v.signed_at)
                );
            }
        }
        eprint!(
            "Sign '{}' as {} on {vref} with key {}? [y/N] ",
            decision.as_str(),
            role.as_str(),
            key.fingerprint()
        );
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            bail!("not signed");
        }
    }
    let mut shown = 0u64;
    let signed = ws.sign_with_progress(
        &key,
        SignRequest {
            version: vref.to_string(),
            role,
            decision,
            conditions: a.conditions,
            expires: a.expires.clone(),
            key: KeySource::Agent,
        },
        &mut |p| {
            // Large models take a while: a line per 256 MiB hashed, and the last.
            let step = 256 * 1024 * 1024;
            if p.done / step > shown / step || Some(p.done) == p.total {
                shown = p.done;
                eprintln!(
                    "{}: {} of {} MiB",
                    p.stage,
                    p.done / (1024 * 1024),
                    p.total.unwrap_or(p.done) / (1024 * 1024)
                );
            }
        },
    )?;
    if a.json {
        return output::json("countersign.signed/v1", &signed);
    }
    println!(
        "Signed {} {} of {vref} as {} (key {})",
        signed.record.role.as_str(),
        signed.record.decision.as_str(),
        signed.record.signer,
        signed.record.key_fingerprint
    );
    println!("Written to {}", signed.location);
    println!("Record sha256 {}", signed.record_sha256);
    println!(
        "Signed under policy release {release_no}. Verify by hand (with that release's allowed_signers):\n  {}",
        signed.verify_command
    );
    Ok(())
}

/// `attest` (and `attest --list`).
pub(crate) fn attest_cmd(ws: &Workspace, a: AttestArgs) -> Result<()> {
    use countersign_core::attestation;
    let vref = ws.resolve(&a.version)?;
    if a.list {
        let checks = ws.attestations(&vref.to_string())?;
        if a.json {
            return output::json(
                "countersign.attestations/v1",
                &serde_json::json!({ "version": vref.to_string(), "attestations": checks }),
            );
        }
        if checks.is_empty() {
            say!("No owner attestation of {vref} is on the platform.");
        }
        for c in &checks {
            match &c.record {
                Some(r) => say!(
                    "{} attestation by {} on {}: {}",
                    if c.counts { "COUNTS" } else { "DOES NOT COUNT" },
                    r.signer,
                    r.signed_at,
                    c.location
                ),
                None => say!("DOES NOT COUNT unreadable record: {}", c.location),
            }
            if let Some(n) = c.record.as_ref().and_then(|r| r.note.as_deref()) {
                say!("  note: {}", n);
            }
            for why in &c.reasons {
                say!("  - {}", why);
            }
        }
        return Ok(());
    }
    if let Some(n) = a.note.as_deref() {
        // A bad note is refused before any passphrase is asked; what was typed is shown back.
        if let Err(why) = attestation::check_note(n.trim()) {
            return Err(countersign_core::Error::InvalidInput {
                what: "--note",
                input: countersign_core::display::escape(n).into_owned(),
                reason: format!("{why}; nothing was signed"),
            }
            .into());
        }
    }
    let trusted = ws.trusted()?;
    let release_no = trusted.trust.newest()?.manifest.version;
    let key = open_key(&a.key, &ws.config)?;
    if !a.yes {
        if !std::io::stdin().is_terminal() {
            bail!("not attested: standard input is not a terminal, so nobody can confirm; pass --yes to attest without asking");
        }
        eprintln!("As the owner of {}, you attest that:", vref.name);
        for s in attestation::STATEMENTS {
            eprintln!("  - {s}");
        }
        eprint!("Attest {vref} with key {}? [y/N] ", key.fingerprint());
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            bail!("not attested");
        }
    }
    let made = ws.attest_with(&key, &vref.to_string(), a.note.as_deref())?;
    if a.json {
        return output::json("countersign.attested/v1", &made);
    }
    say!(
        "Attested {vref} as its owner {} (key {})",
        made.record.signer,
        made.record.key_fingerprint
    );
    say!("Written to {}", made.location);
    say!("Record sha256 {}", made.record_sha256);
    say!(
        "Signed under policy release {release_no}. Verify by hand (with that release's allowed_signers):\n  {}",
        made.verify_command
    );
    Ok(())
}

fn print_verification(v: &Verification, explain: bool, roster: &dyn Fn(u64) -> String) {
    say!(
        "{} (evidence {})",
        v.version,
        countersign_core::display::short_hash(&v.evidence_sha256)
    );
    if v.approvals.is_empty() {
        if v.under_other_names.is_empty() {
            say!("  no approvals recorded");
        } else {
            say!("  no approvals recorded under this name (see the gate)");
        }
    }
    for c in &v.approvals {
        let who = c
            .record
            .as_ref()
            .map(|r| {
                format!(
                    "{} {} by {} ({}, signed {})",
                    r.role.as_str(),
                    r.decision.as_str(),
                    r.signer,
                    r.key_fingerprint,
                    r.signed_at
                )
            })
            .unwrap_or_else(|| "unreadable record".into());
        say!("  {} {}", if c.counts { "COUNTS " } else { "REFUSED" }, who);
        for r in &c.reasons {
            say!("      - {}", r);
        }
        if explain {
            if let Some(r) = &c.record {
                let allowed = match c.policy_release {
                    Some(n) => roster(n),
                    None => "allowed_signers".to_string(),
                };
                if Path::new(&c.location).is_file() && Path::new(&allowed).is_file() {
                    // Every argument shell-quoted (control characters made visible first).
                    let q = countersign_core::display::shell_quote;
                    println!(
                        "      check by hand: ssh-keygen -Y verify -f {} -I {} -n countersign -s {} < {}",
                        q(&allowed),
                        q(&r.signer),
                        q(&format!("{}.sig", c.location)),
                        q(&c.location)
                    );
                } else {
                    let q = countersign_core::display::shell_quote;
                    println!(
                        "      check by hand: download {} and its .sig, then: ssh-keygen -Y verify -f {} -I {} -n countersign -s FILE.json.sig < FILE.json",
                        crate::output::Esc(&c.location),
                        q(&allowed),
                        q(&r.signer)
                    );
                }
            }
        }
    }
    let g = &v.gate;
    say!(
        "  gate: {} (tier {}, requires {})",
        if g.pass { "PASS" } else { "FAIL" },
        g.tier.clone().unwrap_or_else(|| "?".into()),
        g.required_roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(" + ")
    );
    for r in &g.reasons {
        say!("      - {}", r);
    }
}

/// `verify`; exit 1 when an approval does not count.
pub(crate) fn verify_cmd(ws: &Workspace, a: VerifyArgs) -> Result<()> {
    let (checked, all) = match (&a.version, a.all) {
        (Some(v), _) => (1, vec![ws.verify(v)?]),
        (None, _) => ws.verify_all()?,
    };
    let bad = all.iter().any(|v| v.approvals.iter().any(|c| !c.counts));
    if a.json {
        if a.all {
            output::json(
                "countersign.verification-list/v1",
                &serde_json::json!({ "versions": all }),
            )?;
        } else if let Some(v) = all.first() {
            output::json("countersign.verification/v1", v)?;
        }
    } else {
        if a.all && all.is_empty() {
            println!("No approvals recorded in the synced inventory ({checked} versions).");
        }
        for v in &all {
            print_verification(v, a.explain, &|n| ws.roster_location(n));
        }
    }
    if bad {
        std::process::exit(1);
    }
    Ok(())
}

/// `gate`: 0 pass, 1 fail, 2 usage or platform error.
pub(crate) fn gate_cmd(ws: &Workspace, version: &str, json: bool) -> ! {
    let run = || -> Result<Verification> { Ok(ws.verify(version)?) };
    match run() {
        Err(e) => {
            eprintln!("error: {}", crate::output::Esc(&format!("{e:#}")));
            std::process::exit(2)
        }
        Ok(v) => {
            if json {
                let _ = output::json("countersign.gate/v1", &v.gate);
            } else if v.gate.pass {
                say!(
                    "PASS {}: tier {} approvals all count",
                    v.version,
                    v.gate.tier.clone().unwrap_or_default()
                );
            } else {
                say!("FAIL {}", v.version);
                for r in &v.gate.reasons {
                    say!("  - {}", r);
                }
            }
            std::process::exit(if v.gate.pass { 0 } else { 1 })
        }
    }
}

/// `ledger`.
pub(crate) fn ledger_cmd(ws: &Workspace, cmd: LedgerCmd) -> Result<()> {
    match cmd {
        LedgerCmd::Verify { json } => {
            let r = ws.ledger_verify()?;
            if json {
                output::json("countersign.ledger-check/v1", &r)?;
            } else if r.ok {
                say!("ledger ok: {} entries, chain intact", r.entries);
            } else {
                say!("LEDGER BROKEN ({} entries):", r.entries);
                for p in &r.problems {
                    say!("  - {}", p);
                }
            }
            if !r.ok {
                std::process::exit(1);
            }
            Ok(())
        }
        LedgerCmd::Show { json } => {
            let entries = ws.ledger()?;
            if json {
                return output::json(
                    "countersign.ledger/v1",
                    &serde_json::json!({ "entries": entries }),
                );
            }
            for (i, e) in entries.iter().enumerate() {
                say!(
                    "{:>4} {} {} {} {} by {} ({})",
                    i + 1,
                    e.recorded_at,
                    e.origin,
                    e.version,
                    e.decision,
                    e.signer,
                    e.role
                );
            }
            Ok(())
        }
    }
}

/// `export audit-pack`.
pub(crate) fn export_pack(ws: &Workspace, version: &str, output: &Path, json: bool) -> Result<()> {
    let vref = VersionRef::parse(version)?;
    let report = ws.export_audit_pack(version, output, &mut stage_printer(&vref.to_string()))?;
    if json {
        return output::json("countersign.audit-pack/v1", &report);
    }
    println!("Audit pack of {vref} written to {}", report.path.display());
    println!("  files:     {}", report.files.join(", "));
    println!(
        "  pack hash: {} (SHA-256 of manifest.json)",
        report.manifest_sha256
    );
    println!(
        "  gate:      {}{}",
        if report.gate_pass { "PASS" } else { "FAIL" },
        if report.stale {
            " (an approval is stale)"
        } else {
            ""
        }
    );
    println!("{}", verify_hint(&report.path));
    Ok(())
}

/// The stock-tools command that checks a pack at `path` (a folder, or a zip holding `pack/`),
/// every path shell-quoted so it can be pasted as it is.
fn verify_hint(path: &Path) -> String {
    use countersign_core::display::shell_quote;
    let is_zip = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    let root = "(ROOT: the root.signers you pin, or its SHA-256)";
    if is_zip {
        let dir = path.with_extension("");
        format!(
            "Check it with stock tools: unzip -q {} -d {} && bash {} ROOT {root}",
            shell_quote(&path.display().to_string()),
            shell_quote(&dir.display().to_string()),
            shell_quote(&dir.join("pack/VERIFY.txt").display().to_string()),
        )
    } else {
        format!(
            "Check it with stock tools: bash {} ROOT {root}",
            shell_quote(&path.join("VERIFY.txt").display().to_string())
        )
    }
}

/// `export report`: the validation report of a version (a `models:/NAME@ALIAS` too).
pub(crate) fn export_report(ws: &Workspace, version: &str, output: &Path) -> Result<()> {
    let shown = countersign_core::display::escape(version).into_owned();
    ws.export_report(version, output, &mut stage_printer(&shown))?;
    println!(
        "Validation report of {shown} written to {}",
        output.display()
    );
    Ok(())
}

/// Prints each stage of an export once, prefixed by what is exported (hashing the model's
/// files reports bytes: only its end is printed).
fn stage_printer(what: &str) -> impl FnMut(countersign_core::platform::Progress) + '_ {
    move |p| {
        if p.stage != "hashing model files" || Some(p.done) == p.total {
            eprintln!("{what}: {}", countersign_core::display::escape(&p.stage))
        }
    }
}

/// `export inventory`.
pub(crate) fn export_inventory(ws: &Workspace, output: &Path) -> Result<()> {
    let format = countersign_core::workspace::ReportFormat::from_path(output)?;
    let report = ws.portfolio()?;
    ws.export_portfolio(output, format)?;
    let f = &report.figures;
    println!(
        "Portfolio report of {} written to {}",
        report.platform,
        output.display()
    );
    println!(
        "  {} models; {} overdue; statuses: {}",
        f.models,
        f.overdue,
        f.by_status
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}
