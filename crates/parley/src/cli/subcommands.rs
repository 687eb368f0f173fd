//! The subcommands and their own arguments (the options every subcommand shares are
//! [`super::Options`]).

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web interface, the API, the SMTP relay and the outbound mail worker
    Serve(ServeArgs),
    /// Run the SMTP relay listener alone (scale-out)
    Smtp,
    /// Apply the database migrations and exit
    Migrate,
    /// Load the demo data (idempotent) and print how to use it
    Demo,
    /// Manage API tokens
    #[command(subcommand)]
    Token(TokenCommand),
    /// Copy the database (SQLite, with the relay's spool) and the documents into an empty
    /// folder, consistently, while Parley serves (on PostgreSQL: the documents; the README
    /// gives the pg_dump command)
    Backup {
        /// An empty or new folder
        dir: PathBuf,
    },
    /// Put a backup back into a new data directory (run with Parley stopped)
    Restore {
        /// A folder written by `parley backup`
        dir: PathBuf,
    },
    /// Manage marketplaces (each gets integration keys with `token create --marketplace`)
    #[command(subcommand)]
    Marketplace(MarketplaceCommand),
    /// Manage organizations across marketplaces
    #[command(subcommand)]
    Organization(OrganizationCommand),
    /// Mail tools
    #[command(subcommand)]
    Mail(MailCommand),
    /// Development tools (never on a database people use)
    #[command(subcommand)]
    Dev(DevCommand),
}

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Write generated data for benchmarks (development tool): manufacturers with their
    /// distributors, products, buyers and requests spread over three years, answered,
    /// declined, won or lost. Prints an admin of the busiest manufacturer, for `token create`
    Seed {
        /// Manufacturers (the first gets the largest share of the requests)
        #[arg(long, default_value_t = 1)]
        organizations: u32,
        #[arg(long)]
        requests: u64,
        /// Messages in an answered request's conversation, seller and buyer in turn
        #[arg(long, default_value_t = 2)]
        messages_per_request: u32,
    },
    /// Print the bytes on disk per request, by table (its indexes included)
    Storage,
}

#[derive(Debug, Subcommand)]
pub enum MarketplaceCommand {
    /// Add a marketplace (nothing changes when the slug exists); prints its id
    Add {
        /// Lower-case letters, digits and hyphens, e.g. acme-expo
        #[arg(long)]
        slug: String,
        /// The name people see, e.g. "Acme Expo"
        #[arg(long)]
        name: String,
    },
    /// List the marketplaces: slug, name, id
    List,
}

#[derive(Debug, Subcommand)]
pub enum OrganizationCommand {
    /// Let a marketplace know an existing organization by its own id for it (a manufacturer
    /// exhibiting on several marketplaces stays one organization)
    Link {
        /// The marketplace's slug
        #[arg(long)]
        marketplace: String,
        /// The marketplace's id for the organization
        #[arg(long)]
        external_id: String,
        /// Parley's id of the organization
        #[arg(long)]
        to: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Print the new reply text of a plain-text email body, without the quoted history and
    /// signature (reads standard input when no file is given)
    Trim {
        /// A file holding the email body
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Load the demo data before serving (turns on the dev mailbox)
    #[arg(long, env = "PARLEY_DEMO")]
    pub demo: bool,
    /// Show queued emails at /dev/mail instead of needing a mail server (development only:
    /// it shows everyone's sign-in links)
    #[arg(long, env = "PARLEY_DEV_MAILBOX")]
    pub dev_mailbox: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a bearer token for a member or buyer (by email) or a marketplace integration key
    Create {
        /// The member's or buyer's email address
        #[arg(
            long,
            conflicts_with = "marketplace",
            required_unless_present = "marketplace"
        )]
        email: Option<String>,
        /// A marketplace slug (e.g. directindustry): creates its integration key
        #[arg(long)]
        marketplace: Option<String>,
        /// A label to recognise the token by
        #[arg(long, default_value = "cli")]
        label: String,
    },
    /// Revoke a token
    Revoke {
        /// The token
        token: String,
    },
}
