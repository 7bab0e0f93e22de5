use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = proplint::cli::Cli::parse();
    let (status, output) = proplint::run(cli);
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(output.stderr.as_bytes());
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`proplint check | head`) is not a failure.
    if let Err(e) = stdout.write_all(output.stdout.as_bytes()).and_then(|()| stdout.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = writeln!(stderr, "proplint: cannot write output: {e}");
            return ExitCode::from(2);
        }
    }
    ExitCode::from(status as u8)
}
