//! Helpers for the end-to-end tests: the real `pli` binary, temporary folders,
//! external PDF tools (skipped when missing unless `PLI_REQUIRE_TOOLS=1`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `pli` with arguments from the project root.
pub fn pli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pli"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run pli")
}

/// The exit code, stdout and stderr of a run, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A fresh temporary folder, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// Creates a folder unique to this process and call.
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("pli-e2e-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// A path inside the folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// The folder as a string argument.
    pub fn arg(&self, name: &str) -> String {
        self.path(name).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether an external tool is installed; without it the caller skips its check,
/// unless `PLI_REQUIRE_TOOLS=1`, where a missing tool fails the test.
pub fn have(tool: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        if std::env::var("PLI_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("{tool} is required (PLI_REQUIRE_TOOLS=1) but not installed");
        }
        eprintln!("skipped: {tool} not installed");
    }
    found
}

/// Runs a tool and returns its stdout, failing the test when it fails.
pub fn run_tool(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().expect("run tool");
    assert!(out.status.success(), "{tool} {args:?} failed: {}", describe(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Reads a CSV file into rows of strings (header first).
pub fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// The sample layout.
pub const LETTER: &str = "layouts/letter.toml";

/// A contact file header with every column the sample letter reads.
pub const HEADER: &str = "id,civility,first_name,last_name,company,address2,address3,street,address5,postcode,city,country,postal_optout,vehicle,dealer,dealer_city";

/// The PDF files of a stream in an output folder, in sequence order: the files named
/// `<stream>-<sequence>-<first piece>-<last piece>.pdf`.
pub fn stream_files(dir: &Path, stream: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".pdf")
                && name
                    .strip_prefix(stream)
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|rest| {
                        rest.len() > 4
                            && rest[..4].bytes().all(|b| b.is_ascii_digit())
                            && rest.as_bytes()[4] == b'-'
                    })
        })
        .collect();
    files.sort();
    files
}

/// The first PDF file of a stream (see [`stream_files`]); fails when there is none.
pub fn first_file(dir: &Path, stream: &str) -> PathBuf {
    stream_files(dir, stream)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {stream}-0001-….pdf in {}", dir.display()))
}

/// The header and the first `records` contacts of the sample file, as CSV text.
pub fn sample_contacts(records: usize) -> String {
    std::fs::read_to_string(root().join("samples/contacts.csv"))
        .unwrap()
        .lines()
        .take(records + 1)
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The sample letter's text with its fonts and assets folders made absolute, to be
/// written anywhere.
pub fn sample_letter_text() -> String {
    let root = root();
    std::fs::read_to_string(root.join(LETTER))
        .unwrap()
        .replace(
            "fonts = \"../fonts\"",
            &format!("fonts = {:?}", root.join("fonts")),
        )
        .replace(
            "assets = \"assets\"",
            &format!("assets = {:?}", root.join("layouts/assets")),
        )
}

/// The sample letter with `[production]` settings, as `<name>.toml` in `tmp`.
pub fn letter_with(tmp: &TempDir, name: &str, production: &str) -> String {
    let text = sample_letter_text();
    let path = tmp.path(&format!("{name}.toml"));
    std::fs::write(&path, format!("{text}\n[production]\n{production}\n")).unwrap();
    path.to_string_lossy().into_owned()
}
