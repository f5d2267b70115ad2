//! `queue` and `assign`: parse, call the workspace, print.

use crate::cli::{AssignArgs, QueueArgs};
use crate::output;
use anyhow::Result;
use countersign_core::inventory;
use countersign_core::workspace::{QueueOptions, Workspace};

/// `countersign queue`.
pub(crate) fn queue(ws: &Workspace, a: QueueArgs) -> Result<()> {
    crate::commands::check_tier(ws, a.tier.as_deref())?;
    let opts = QueueOptions {
        mine: a.mine,
        tier: a.tier,
        offline: a.offline,
        as_of: a.as_of,
    };
    let q = ws.queue(&opts, &inventory::today())?;
    let opts_as_of = opts.as_of.is_some();
    if a.json {
        return output::json(countersign_core::queue::SCHEMA, &q);
    }
    if opts_as_of {
        say!(
            "Review queue as of {} (a look ahead; today is {}).",
            q.today,
            inventory::today()
        );
    }
    if q.judged != "verified" {
        eprintln!(
            "note: approvals judged from the local ledger, not verified on the platform: {}",
            output::Esc(&q.judged)
        );
    }
    for u in &q.unverified {
        eprintln!("warning: could not verify {}", output::Esc(u));
    }
    if q.items.is_empty() {
        match &q.mine {
            Some(me) => say!(
                "Nothing in the queue is assigned to {} ({}).",
                me,
                q.platform
            ),
            None => say!(
                "Nothing needs review or approval now or in the coming weeks ({}).",
                q.platform
            ),
        }
        return Ok(());
    }
    let rows: Vec<Vec<String>> = q
        .items
        .iter()
        .map(|i| {
            let assigned: Vec<String> = i
                .assignments
                .iter()
                .map(|a| format!("{} ({})", a.to, a.role))
                .collect();
            let mut kinds: Vec<&str> = i.reasons.iter().map(|r| r.kind.as_str()).collect();
            kinds.dedup();
            vec![
                i.due.clone().unwrap_or_else(|| "-".into()),
                if i.days_overdue > 0 {
                    format!("{}d", i.days_overdue)
                } else {
                    String::new()
                },
                i.tier.clone().unwrap_or_else(|| "-".into()),
                i.version_ref.clone(),
                i.status.to_string(),
                i.needs.to_string(),
                if assigned.is_empty() {
                    "-".into()
                } else {
                    assigned.join(", ")
                },
                i.owner.clone().unwrap_or_else(|| "-".into()),
                kinds.join(", "),
            ]
        })
        .collect();
    print!(
        "{}",
        output::table(
            &["DUE", "LATE", "TIER", "VERSION", "STATUS", "NEEDS", "ASSIGNED", "OWNER", "WHY"],
            &rows
        )
    );
    println!();
    for i in &q.items {
        say!("{}", i.version_ref);
        for r in &i.reasons {
            say!(
                "  {:<18} due {:<10}  {}",
                r.kind,
                r.due.as_deref().unwrap_or("-"),
                r.detail
            );
        }
        for f in &i.findings {
            say!("  finding {}", f.summary());
        }
        let n = &i.next_review;
        if n.disagree() {
            say!(
                "  next review {} (computed); the owner's next_review_date tag says {}",
                n.computed.as_deref().unwrap_or("-"),
                n.declared.as_deref().unwrap_or("-")
            );
        }
    }
    Ok(())
}

/// `countersign assign`.
pub(crate) fn assign(ws: &Workspace, a: AssignArgs) -> Result<()> {
    let done = ws.assign(&a.version, &a.to, a.role, a.due)?;
    if a.json {
        return output::json("countersign.assignment/v1", &done);
    }
    say!(
        "Assigned {} to {} as {}{} ({}).",
        done.version,
        done.assignment.to,
        done.assignment.role,
        done.assignment
            .due
            .as_deref()
            .map(|d| format!(", due {d}"))
            .unwrap_or_default(),
        done.location
    );
    Ok(())
}
