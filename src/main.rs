use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = proplint::cli::Cli::parse();
    // `check` streams its findings here as files are linted.
    // Smaller than a typical file's JSON, which then goes straight to the pipe instead of
    // being copied through the buffer; small pieces are still gathered.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 14, std::io::stdout().lock());
    let (status, output) = proplint::run_to(cli, &mut stdout);
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(output.stderr.as_bytes());
    let written = match output.write_error {
        Some(e) => Err(e),
        None => stdout.write_all(output.stdout.as_bytes()).and_then(|()| stdout.flush()),
    };
    // A closed pipe (`proplint check | head`) is not a failure.
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = writeln!(stderr, "proplint: cannot write output: {e}");
            return ExitCode::from(2);
        }
    }
    ExitCode::from(status as u8)
}
