//! The `ninepanels` command line: `--help` and `--version` print and exit before anything is
//! read or opened; `serve` (the default) runs the server; `check` reports whether it could.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "ninepanels",
    version,
    about = "The Nine Panels server. Configuration comes from the environment and ./.env \
             (every variable is in README); with none it serves a local SQLite file."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Connect, migrate where allowed, and serve until SIGINT or SIGTERM (the default).
    Serve,
    /// Check the configuration, the database and its migrations, and the mailer, and report
    /// each with a tick or the reason; changes nothing. Exit status 1 when one fails.
    ///
    /// Example: `DATABASE_URL=postgres://np@db/ninepanels ninepanels check`
    Check,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
        assert_eq!(Cli::try_parse_from(["ninepanels"]).unwrap().command, None);
        let serve = Cli::try_parse_from(["ninepanels", "serve"]).unwrap();
        assert_eq!(serve.command, Some(Command::Serve));
        let check = Cli::try_parse_from(["ninepanels", "check"]).unwrap();
        assert_eq!(check.command, Some(Command::Check));
        assert!(Cli::try_parse_from(["ninepanels", "--port", "1"]).is_err());
    }
}
