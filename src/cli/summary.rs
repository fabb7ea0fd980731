//! What a finished job says on standard error: counts, files, postage. Counts and file
//! names only, never a name or an address.

use std::path::Path;
use std::time::Duration;

use pli::job::{JobSummary, PrepareSummary, PresortReport, QuoteSummary};

/// A compose job's summary: counts by status and reason, pages, files and speed.
pub fn compose(s: &JobSummary, took: Duration) {
    let c = &s.counts;
    let secs = took.as_secs_f64();
    let files: Vec<&str> = s.files.iter().map(|f| f.name.as_str()).collect();
    eprintln!(
        "pli: {} records: {} composed, {}{} suppressed, {} rejected; {} pages in {} file(s) in {}{}; {:.2} s, {:.0} pages/s",
        c.records,
        c.composed,
        if c.exported > 0 {
            format!("{} sent by e-mail or SMS only, ", c.exported)
        } else {
            String::new()
        },
        c.suppressed,
        c.rejected,
        c.pages,
        files.len(),
        s.out_dir.display(),
        if files.len() > 3 {
            format!(" ({} … {})", files[0], files[files.len() - 1])
        } else if files.is_empty() {
            String::new()
        } else {
            format!(" ({})", files.join(", "))
        },
        secs,
        c.pages as f64 / secs.max(1e-6)
    );
    for (reason, n) in &c.reasons {
        eprintln!("pli:   {reason}: {n}");
    }
    if c.warned > 0 {
        eprintln!(
            "pli:   {} composed with a note or warning (see the reason column of manifest.csv)",
            c.warned
        );
    }
    if let Some(p) = &s.presort {
        presort(p);
    }
    for (file, channel) in [("emails.jsonl", "email"), ("sms.jsonl", "sms")] {
        if let Some(n) = c.channels.get(channel) {
            eprintln!(
                "pli:   {n} {channel} message(s) in {}",
                s.out_dir.join(file).display()
            );
        }
    }
}

/// A reprint's pieces, pages and files.
pub fn reprint(s: &JobSummary) {
    let files: Vec<&str> = s.files.iter().map(|f| f.name.as_str()).collect();
    eprintln!(
        "pli: reprinted {} piece(s), {} page(s) in {} ({}) with {}",
        s.counts.composed,
        s.counts.pages,
        s.out_dir.display(),
        files.join(", "),
        pli::production::CONTROL_FILE
    );
}

/// `pli prepare`'s counts by status and reason.
pub fn prepare(s: &PrepareSummary) {
    eprintln!(
        "pli: {} records: {} ready ({} addresses normalised), {} suppressed, {} rejected",
        s.records, s.ready, s.normalised, s.suppressed, s.rejected
    );
    for (reason, n) in &s.reasons {
        eprintln!("pli:   {reason}: {n}");
    }
}

/// `pli presort`'s plan: pieces, labels, where the plan went, and its postage.
pub fn quote(s: &QuoteSummary, out_dir: &Path) {
    eprintln!(
        "pli: {} records: {} mailpieces planned, {} not mailed; {} tray label(s); plan in {}",
        s.records,
        s.mailpieces,
        s.not_mailed,
        s.labels,
        out_dir.join("presort.csv").display()
    );
    presort(&s.presort);
}

/// The presort's human report: pieces per level, trays, postage and saving.
pub fn presort(p: &PresortReport) {
    let levels: Vec<String> = p
        .pieces_per_level
        .iter()
        .map(|(l, n)| format!("{l} {n}"))
        .collect();
    let single: u32 = p.single_pieces.iter().map(|(_, n)| n).sum();
    eprintln!(
        "pli:   presort ({}): {}; {single} single-piece; {} bundle(s), {} tray(s), {:.1} kg",
        p.product,
        levels.join(", "),
        p.bundles,
        p.trays,
        p.total_weight_g as f64 / 1000.0
    );
    eprintln!(
        "pli:   postage {} EUR presorted against {} EUR single-piece: {} EUR saved ({} %)",
        p.postage_presorted_eur, p.postage_single_piece_eur, p.saving_eur, p.saving_percent
    );
    if p.below_deposit_minimum {
        eprintln!(
            "pli: warning: the deposit is below the carrier's minimum: every piece is priced single-piece"
        );
    }
}
