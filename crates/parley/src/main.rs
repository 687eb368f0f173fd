//! The `parley` binary: parses the command line and hands over to the commands.

mod cli;
mod commands;
mod config;
mod operator;

use clap::FromArgMatches;

// glibc's allocator spent a quarter of the request time in malloc/free under load (rows are
// allocated on sqlx's SQLite threads and freed on the runtime's); mimalloc handles that
// cross-thread pattern far better.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = cli::Cli::from_arg_matches(&cli::command().get_matches())?;
    let config = config::Config::resolve(&cli)?;
    config::init_logging(&config);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(commands::run(cli.command, config))
}
