//! Where the tests find the shared reference data (never copied into the project).

use std::path::{Path, PathBuf};

/// The reference file `name` of the shared data folder, or `None` (after saying the
/// test is skipped) when it is not on this machine. With `PLI_REQUIRE_TOOLS=1` a missing
/// file fails the test instead.
pub fn reference(name: &str) -> Option<PathBuf> {
    let candidates = [
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data")
            .join(name),
        Path::new("/work/shared/data").join(name),
    ];
    if let Some(found) = candidates.iter().find(|p| p.exists()) {
        return Some(found.clone());
    }
    let message = format!(
        "skipped: reference data {name} not found (looked in {} and {})",
        candidates[0].display(),
        candidates[1].display()
    );
    if std::env::var("PLI_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("{message}");
    }
    println!("{message}");
    None
}
