//! The subcommands: each parses its arguments, calls core, and prints.

use crate::cli::{Cli, Command, DemoArgs, LineageArgs, LsArgs, ShowArgs, SyncArgs};
use crate::output;
use anyhow::Result;
use countersign_core::config::Config;
use countersign_core::inventory::{self, Filter};
use countersign_core::platform::Progress;
use countersign_core::sync::SyncReport;
use countersign_core::workspace::Workspace;
use std::io::Write;

/// Writes `bytes` to stdout; a closed stdout (`| head`) ends quietly.
fn print_all(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

/// Runs the command line: resolves the one configuration, then parse → call → print.
pub(crate) fn run(cli: Cli) -> Result<()> {
    // Completions and the manual need no configuration (a broken config file must not stop
    // them).
    match &cli.command {
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut buf = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "countersign", &mut buf);
            return print_all(&buf);
        }
        Some(Command::Man) => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut buf)?;
            return print_all(&buf);
        }
        _ => {}
    }
    let is_gate = matches!(cli.command, Some(Command::Gate(_)));
    let config = match Config::resolve(&cli.flags()) {
        Ok(c) => c,
        // The gate's errors exit 2, whatever they are (documented for pipelines).
        Err(e) if is_gate => {
            eprintln!("error: {}", crate::output::Esc(&format!("{e:#}")));
            std::process::exit(2)
        }
        Err(e) => return Err(e.into()),
    };
    // Core logs through `log`; on the command line its lines go to stderr. The terminal UI
    // (no subcommand, or the demo) shows them in its footer instead.
    if !matches!(cli.command, None | Some(Command::Demo(_))) {
        crate::logging::init(&config.log_level.value);
    }
    // The one door: every command that reads the inventory or acts on it goes through the
    // workspace.
    let workspace = || -> Result<Workspace> { Ok(Workspace::open(config.clone())?) };
    match cli.command {
        None => crate::tui::run(workspace()?, inventory::today()),
        Some(Command::Sync(a)) => cmd_sync(workspace()?, a),
        Some(Command::Ls(a)) => cmd_ls(&workspace()?, a),
        Some(Command::Show(a)) => cmd_show(&workspace()?, a),
        Some(Command::Evidence(a)) => cmd_evidence(&workspace()?, a),
        Some(Command::Lineage(a)) => cmd_lineage(&workspace()?, a),
        Some(Command::Demo(a)) => cmd_demo(&config, a),
        Some(Command::Config(crate::cli::ConfigCmd::Show { json })) => {
            cmd_config_show(&config, json)
        }
        Some(Command::Review(c)) => crate::review_cmd::run(&workspace()?, c),
        Some(Command::Tier(a)) => crate::review_cmd::tier(&workspace()?, a),
        Some(Command::Watch(a)) => crate::watch_cmd::watch(workspace()?, a),
        Some(Command::Queue(a)) => crate::queue_cmd::queue(&workspace()?, a),
        Some(Command::Assign(a)) => crate::queue_cmd::assign(&workspace()?, a),
        Some(Command::Keys(a)) => crate::sign_cmd::keys(a, &config),
        Some(Command::Sign(a)) => crate::sign_cmd::sign_cmd(&workspace()?, a),
        Some(Command::Attest(a)) => crate::sign_cmd::attest_cmd(&workspace()?, a),
        Some(Command::Verify(a)) => crate::sign_cmd::verify_cmd(&workspace()?, a),
        Some(Command::Gate(a)) => match workspace() {
            Ok(ws) => crate::sign_cmd::gate_cmd(&ws, &a.version, a.json),
            // The gate's errors exit 2, whatever they are.
            Err(e) => {
                eprintln!("error: {}", crate::output::Esc(&format!("{e:#}")));
                std::process::exit(2)
            }
        },
        Some(Command::Export(crate::cli::ExportCmd::AuditPack {
            version,
            output,
            json,
        })) => crate::sign_cmd::export_pack(&workspace()?, &version, &output, json),
        Some(Command::Export(crate::cli::ExportCmd::Report { version, output })) => {
            crate::sign_cmd::export_report(&workspace()?, &version, &output)
        }
        Some(Command::Export(crate::cli::ExportCmd::Inventory { output })) => {
            crate::sign_cmd::export_inventory(&workspace()?, &output)
        }
        Some(Command::Ledger(c)) => crate::sign_cmd::ledger_cmd(&workspace()?, c),
        Some(Command::Policy(crate::cli::PolicyCmd::Check { file, json })) => {
            crate::review_cmd::policy_check(
                file.as_deref().or(config.policy.value.as_deref()),
                json,
            )
        }
        Some(Command::Policy(c)) => crate::policy_cmd::run(&config, c),
        // Answered above, before the configuration.
        Some(Command::Completions { .. } | Command::Man) => Ok(()),
    }
}

/// `config show`: every setting, its value and where it came from.
fn cmd_config_show(config: &Config, json: bool) -> Result<()> {
    let shown = config.show();
    if json {
        return output::json(
            "countersign.config/v1",
            &serde_json::json!({
                "settings": shown,
            }),
        );
    }
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.value.clone().unwrap_or_else(|| "(unset)".into()),
                s.origin.to_string(),
            ]
        })
        .collect();
    print!("{}", output::table(&["SETTING", "VALUE", "ORIGIN"], &rows));
    Ok(())
}

/// A progress printer for stderr: redrawn in place on a terminal, one line per stage
/// otherwise.
pub(crate) fn progress_printer(quiet: bool) -> impl FnMut(Progress) {
    let tty = output::stderr_is_tty();
    let mut last_stage = String::new();
    move |p: Progress| {
        if quiet {
            return;
        }
        if tty {
            eprint!("\r\x1b[2K{}", output::Esc(&p.message));
            let _ = std::io::stderr().flush();
        } else if p.stage != last_stage {
            eprintln!("{}", output::Esc(&p.message));
        }
        last_stage = p.stage;
    }
}

fn do_sync(ws: &mut Workspace, full: bool, quiet: bool) -> Result<SyncReport> {
    let mut progress = progress_printer(quiet);
    let report = ws.sync(full, &mut progress);
    if !quiet && output::stderr_is_tty() {
        eprintln!();
    }
    Ok(report?)
}

fn cmd_sync(mut ws: Workspace, a: SyncArgs) -> Result<()> {
    let r = do_sync(&mut ws, a.full, a.quiet)?;
    if a.json {
        return output::json("countersign.sync/v1", &r);
    }
    let c = &r.changes;
    println!("Synced {}", r.platform);
    println!(
        "  models:   {} held (+{} new, {} changed, -{} removed)",
        r.models, c.models_added, c.models_updated, c.models_removed
    );
    println!(
        "  versions: {} held (+{} new, {} changed, -{} removed)",
        r.versions, c.versions_added, c.versions_updated, c.versions_removed
    );
    println!(
        "  runs:     {} held ({} fetched, {} no longer needed)",
        r.runs, r.runs_fetched, c.runs_removed
    );
    if !r.runs_reread.is_empty() {
        let why: Vec<String> = r
            .runs_reread
            .iter()
            .map(|(why, n)| format!("{n} {why}"))
            .collect();
        println!(
            "  re-read:  {} (finished runs read again: a metric or tag logged later shows)",
            why.join(", ")
        );
    }
    println!("  requests: {}", r.requests);
    if !r.missing_runs.is_empty() {
        println!(
            "  warning: {} run(s) that versions point at are gone from the platform: {}",
            r.missing_runs.len(),
            r.missing_runs.join(", ")
        );
    }
    Ok(())
}

/// A `--tier` the policy does not define is a usage error (exit 2), not an empty list.
pub(crate) fn check_tier(ws: &Workspace, tier: Option<&str>) -> Result<()> {
    if let Some(t) = tier {
        if !ws.policy.policy.tiers.contains_key(t) {
            let known: Vec<&str> = ws.policy.policy.tiers.keys().map(String::as_str).collect();
            return Err(output::UsageError(format!(
                "--tier '{t}': the policy defines tiers {}",
                known.join(", ")
            ))
            .into());
        }
    }
    Ok(())
}

fn cmd_ls(ws: &Workspace, a: LsArgs) -> Result<()> {
    check_tier(ws, a.tier.as_deref())?;
    let kind = a.kind;
    let filter = Filter {
        tier: a.tier,
        owner: a.owner,
        kind,
        name: a.name,
        overdue: a.overdue,
    };
    let page = ws.inventory_on(&filter, &inventory::today())?;
    let (mut view, statuses) = (page.view, page.statuses);
    let status_of = |name: &str| {
        statuses
            .get(name)
            .map(|s| s.status)
            .unwrap_or(inventory::ModelStatus::NotReviewed)
    };
    if let Some(want) = &a.status {
        view.models.retain(|m| status_of(&m.model.name) == *want);
    }
    if a.json {
        return output::json("countersign.inventory/v1", &view);
    }
    if view.synced_at.is_none() {
        eprintln!(
            "note: {} has not been synced yet; run `countersign sync`",
            view.platform
        );
    }
    let rows: Vec<Vec<String>> = view
        .models
        .iter()
        .map(|m| {
            vec![
                m.model.name.clone(),
                m.model.kind.as_str().into(),
                m.model.risk_tier.clone().unwrap_or_else(|| "-".into()),
                m.model.owner.clone().unwrap_or_else(|| "-".into()),
                status_of(&m.model.name).to_string(),
                m.latest_version
                    .clone()
                    .map(|v| format!("v{v}"))
                    .unwrap_or_else(|| "-".into()),
                match (m.next_review.describe(), m.overdue) {
                    (Some(d), true) => format!("{d} OVERDUE"),
                    (Some(d), false) => d,
                    (None, _) => "-".into(),
                },
            ]
        })
        .collect();
    print!(
        "{}",
        output::table(
            &[
                "NAME",
                "KIND",
                "TIER",
                "OWNER",
                "STATUS",
                "LATEST",
                "NEXT REVIEW"
            ],
            &rows
        )
    );
    Ok(())
}

fn cmd_show(ws: &Workspace, a: ShowArgs) -> Result<()> {
    let page = ws.version(&a.version)?;
    let (r, model, evidence, lineage, prompt) = (
        page.version,
        page.model,
        page.evidence,
        page.lineage,
        page.prompt,
    );
    let hash = evidence.sha256();
    if a.json {
        return output::json(
            "countersign.version/v1",
            &serde_json::json!({
                "version": r,
                "model": model,
                "evidence_sha256": hash,
                "evidence": evidence,
                "lineage": lineage,
                "prompt": prompt,
            }),
        );
    }
    say!("{}", r);
    if let Some(m) = &model {
        say!("\nInventory record");
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        say!("  kind:         {}", m.kind.as_str());
        say!("  tier:         {}", opt(&m.risk_tier));
        say!("  owner:        {}", opt(&m.owner));
        say!("  purpose:      {}", opt(&m.business_purpose));
        say!("  next review:  {}", opt(&m.next_review_date));
        say!("  monitoring:   {}", opt(&m.monitoring));
        if let Some(p) = &m.llm_provider {
            say!("  provider:     {}", p);
        }
    }
    let v = &evidence.version;
    say!("\nVersion");
    say!(
        "  created:      {} by {}",
        v.created,
        v.creator.clone().unwrap_or_else(|| "-".into())
    );
    say!("  source:       {}", v.source);
    say!("  status:       {}", v.status);
    say!(
        "  aliases:      {}",
        if v.aliases.is_empty() {
            "-".into()
        } else {
            v.aliases.join(", ")
        }
    );
    if let Some(stage) = &v.stage {
        say!("  stage:        {}", stage);
    }
    say!("\nEvidence (sha256 {})", hash);
    if let Some(run) = &evidence.run {
        say!(
            "  run:          {} ({}) in {}",
            run.run_id,
            run.run_name,
            run.experiment_name
                .clone()
                .unwrap_or_else(|| run.experiment_id.clone())
        );
        say!(
            "  user:         {}",
            run.user.clone().unwrap_or_else(|| "-".into())
        );
        say!("  params:       {}", run.params.len());
        for (k, m) in &run.metrics {
            let val = m
                .value
                .map(|x| format!("{x}"))
                .unwrap_or_else(|| "NaN".into());
            let hist = if m.history.is_empty() {
                String::new()
            } else {
                format!(" ({} steps)", m.history.len())
            };
            say!("  metric:       {} = {}{}", k, val, hist);
        }
    } else {
        say!("  run:          none recorded");
    }
    say!("\nLineage");
    for d in &lineage.datasets {
        let tags: Vec<String> = d.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        say!(
            "  dataset:      [{}] {} digest {} from {}{}",
            d.context,
            d.name,
            d.digest,
            d.source,
            if tags.is_empty() {
                String::new()
            } else {
                format!(" (tags {})", tags.join(", "))
            }
        );
    }
    if let Some(c) = &lineage.code {
        say!(
            "  code:         {} @ {}",
            c.git_repo.clone().unwrap_or_else(|| "-".into()),
            c.git_commit.clone().unwrap_or_else(|| "-".into())
        );
        if let Some(s) = &c.source_name {
            say!("  entry point:  {}", s);
        }
    }
    if let Some(m) = &lineage.logged_model {
        say!("  logged model: {}", m);
    }
    for e in &lineage.evaluations {
        say!(
            "  evaluated by: {} ({}) by {}",
            e.run_id,
            e.run_name,
            e.user.clone().unwrap_or_else(|| "-".into())
        );
        for d in &e.datasets {
            say!(
                "    evaluated on: {} [{}] {} from {}",
                d.digest,
                d.context,
                d.name,
                d.source
            );
        }
    }
    if let Some(p) = &prompt {
        print_prompt(p);
    }
    let assessed = evidence.assessment_rows();
    if !assessed.is_empty() {
        say!("\nAssessments on evaluation traces");
        for [run, name, by, result, read] in &assessed {
            say!(
                "  {}: {} ({}; {} traces read of {})",
                name,
                result,
                by,
                read,
                run
            );
        }
    }
    Ok(())
}

/// A prompt's template and model configuration, and its template against the previous
/// version and production (the same page `show` and `review show` print).
pub(crate) fn print_prompt(p: &countersign_core::workspace::PromptPage) {
    say!(
        "\nPrompt template{}",
        p.facts
            .prompt_type
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default()
    );
    for l in &p.facts.template {
        say!("  | {}", l);
    }
    if let Some(raw) = &p.facts.model_config_raw {
        say!("  model config (not JSON): {}", raw);
    }
    for (k, v) in &p.facts.model_config {
        say!("  model config: {} = {}", k, v);
    }
    for c in p.against_previous.iter().chain(&p.against_production) {
        if c.same_template && c.config_changes.is_empty() {
            say!(
                "\nAgainst {} ({}): the same template and model configuration",
                c.against,
                c.other
            );
            continue;
        }
        say!("\nAgainst {} [{}]:", c.against, c.other);
        for ch in &c.config_changes {
            say!("  model config {}", ch);
        }
        if c.same_template {
            say!("  the same template");
        } else {
            for l in &c.diff {
                say!("  {} {}", l.op, l.text);
            }
            if c.diff_truncated > 0 {
                say!("  … {} more diff lines not shown", c.diff_truncated);
            }
        }
    }
}

fn cmd_evidence(ws: &Workspace, a: ShowArgs) -> Result<()> {
    let evidence = ws.evidence(&a.version)?;
    std::io::stdout().write_all(&evidence.to_canonical_json())?;
    eprintln!("sha256 {}", evidence.sha256());
    Ok(())
}

fn cmd_lineage(ws: &Workspace, a: LineageArgs) -> Result<()> {
    if a.report {
        return lineage_report(ws, &a);
    }
    let uses = ws.dataset_users(&a.dataset)?;
    if a.json {
        return output::json(
            "countersign.lineage/v1",
            &serde_json::json!({ "dataset": a.dataset, "uses": uses }),
        );
    }
    if uses.is_empty() {
        say_no_uses(&a.dataset);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = uses
        .iter()
        .map(|u| {
            vec![
                u.version.clone(),
                if u.produced_version {
                    "trained".into()
                } else {
                    "evaluated".into()
                },
                u.context.clone(),
                u.dataset_name.clone(),
                u.digest.clone(),
                u.run_id.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        output::table(
            &["VERSION", "USE", "CONTEXT", "DATASET", "DIGEST", "RUN"],
            &rows
        )
    );
    Ok(())
}

/// What `lineage` says when no synced version used the dataset (`say!` escapes it).
fn say_no_uses(dataset: &str) {
    say!(
        "No synced version used a dataset with digest or source '{}'.",
        dataset
    );
}

/// `lineage --report`: every version that used the dataset, in production and approved.
fn lineage_report(ws: &Workspace, a: &LineageArgs) -> Result<()> {
    let uses = ws.dataset_report(&a.dataset)?;
    if a.json {
        return output::json(
            "countersign.lineage-report/v1",
            &serde_json::json!({ "dataset": a.dataset, "uses": uses }),
        );
    }
    if uses.is_empty() {
        say_no_uses(&a.dataset);
        return Ok(());
    }
    let versions: std::collections::BTreeSet<&str> =
        uses.iter().map(|u| u.usage.version.as_str()).collect();
    let production: std::collections::BTreeSet<&str> = uses
        .iter()
        .filter(|u| !u.production.is_empty())
        .map(|u| u.usage.version.as_str())
        .collect();
    let approved: std::collections::BTreeSet<&str> = uses
        .iter()
        .filter(|u| u.status == countersign_core::inventory::ModelStatus::Approved)
        .map(|u| u.usage.version.as_str())
        .collect();
    say!(
        "{} version{} used '{}': {} in production, {} approved (as verified on this machine; `countersign verify` checks afresh).",
        versions.len(),
        if versions.len() == 1 { "" } else { "s" },
        a.dataset,
        production.len(),
        approved.len()
    );
    let rows: Vec<Vec<String>> = uses
        .iter()
        .map(|u| {
            vec![
                u.usage.version.clone(),
                if u.production.is_empty() {
                    "-".into()
                } else {
                    u.production.join(",")
                },
                u.status.as_str().to_string(),
                if u.usage.produced_version {
                    "trained".into()
                } else {
                    "evaluated".into()
                },
                u.usage.context.clone(),
                u.usage.dataset_name.clone(),
                u.usage.run_id.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        output::table(
            &[
                "VERSION",
                "PRODUCTION",
                "STATUS",
                "USE",
                "CONTEXT",
                "DATASET",
                "RUN"
            ],
            &rows
        )
    );
    Ok(())
}

fn cmd_demo(config: &Config, a: DemoArgs) -> Result<()> {
    let today = inventory::today();
    let mut progress = progress_printer(true);
    let (ws, demo) = Workspace::open_demo(config, a.dir, &today, &mut progress)?;
    for c in &demo.trust.chain {
        eprintln!(
            "Trust root v{} ({}): {} — a policy release needs {} of them",
            c.root.version,
            crate::output::Esc(&demo.root),
            c.root.principals().join(", "),
            c.root.release_threshold
        );
    }
    for r in &demo.trust.releases {
        eprintln!(
            "Policy release {} signed by {} (governs '{}')",
            r.manifest.version,
            r.signers.join(", "),
            r.manifest
                .platforms
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if demo.signed > 0 {
        eprintln!(
            "Demo approvals signed: {} (keys in {}/keys, allowed_signers beside them)",
            demo.signed,
            demo.dir.display()
        );
    }
    eprintln!(
        "Demo portfolio: {} models, {} versions in {}",
        demo.models,
        demo.versions,
        demo.dir.display()
    );
    if a.no_tui || !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        println!(
            "Demo ready. Open it with: countersign --platform {} --root {}",
            countersign_core::display::shell_quote(&ws.session.key),
            countersign_core::display::shell_quote(&demo.root)
        );
        return Ok(());
    }
    crate::tui::run(ws, today)
}
