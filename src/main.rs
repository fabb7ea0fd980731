//! The `pli` command: parses arguments, calls the library, prints diagnostics, sets the exit code.
//!
//! Each subcommand's arguments, their conversion into the library's options and what it
//! prints are in [`cli`].

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// Composition allocates and frees many small buffers on every worker thread; mimalloc's
/// per-thread free lists cost a fraction of the system allocator's locking and merging.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command.run() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            for line in e.to_string().lines() {
                eprintln!("pli: error: {line}");
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
