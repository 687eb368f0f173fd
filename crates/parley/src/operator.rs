//! The operator's commands that set Parley up for real: marketplaces, and organizations
//! linked across them.

use parley_app::App;

use crate::cli::{MarketplaceCommand, OrganizationCommand};
use crate::commands::describe;

pub async fn marketplace(app: &App, command: MarketplaceCommand) -> anyhow::Result<()> {
    match command {
        MarketplaceCommand::Add { slug, name } => {
            let (marketplace, created) =
                app.add_marketplace(&slug, &name).await.map_err(describe)?;
            println!("{}", marketplace.id);
            if created {
                eprintln!(
                    "Marketplace {} added. Its integration key: parley token create --marketplace {}",
                    marketplace.slug, marketplace.slug
                );
            } else {
                eprintln!(
                    "Marketplace {} already exists (named “{}”): nothing changed.",
                    marketplace.slug, marketplace.name
                );
            }
        }
        MarketplaceCommand::List => {
            for marketplace in app.marketplaces().await.map_err(describe)? {
                println!(
                    "{}\t{}\t{}",
                    marketplace.slug, marketplace.name, marketplace.id
                );
            }
        }
    }
    Ok(())
}

pub async fn organization(app: &App, command: OrganizationCommand) -> anyhow::Result<()> {
    match command {
        OrganizationCommand::Link {
            marketplace,
            external_id,
            to,
        } => {
            let organization = to
                .parse()
                .map_err(|_| anyhow::anyhow!("“{to}” is not an organization id"))?;
            app.link_exhibitor(&marketplace, &external_id, organization)
                .await
                .map_err(|error| match error {
                    parley_app::AppError::Conflict(what) if what == "external_id_taken" => {
                        anyhow::anyhow!(
                            "{marketplace} already uses {external_id} for another organization"
                        )
                    }
                    parley_app::AppError::Conflict(what)
                        if what == "organization_already_linked" =>
                    {
                        anyhow::anyhow!(
                            "this organization already has another external id on {marketplace}"
                        )
                    }
                    other => describe(other),
                })?;
            println!("Linked: {marketplace} knows {to} as {external_id}.");
        }
    }
    Ok(())
}
