//! The `parley` binary: parses the command line and hands over to the commands.

mod cli;
mod commands;
mod config;

use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = cli::Cli::parse();
    let config = config::Config::resolve(&cli)?;
    config::init_logging(&config);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(commands::run(cli.command, config))
}
