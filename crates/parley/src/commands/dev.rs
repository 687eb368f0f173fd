//! What the demo prints, and the development tools (`parley dev`).

use parley_app::demo::DemoSummary;

use crate::config::Config;

/// What `parley demo` and `serve --demo` print: where to sign in and what to try.
pub(super) fn print_demo(summary: &DemoSummary, config: &Config) {
    println!(
        "Demo data loaded ({} new requests).",
        summary.requests_created
    );
    println!();
    let base = format!("http://{}", config.http);
    println!("Sign in to the web pages (each link works once, for 30 minutes; for new links,");
    println!("ask at {base}/signin and open the dev mailbox at {base}/dev/mail):");
    for (name, email, path) in &summary.sign_in_links {
        println!("  {name:<14} {email:<36} {base}{path}");
    }
    println!();
    println!("API tokens (Authorization: Bearer …), minted now:");
    for (name, email, token) in &summary.tokens {
        println!("  {name:<14} {email:<36} {token}");
    }
    println!();
    println!(
        "Marketplace integration key ({}): {}",
        summary.marketplace_key.0, summary.marketplace_key.1
    );
    println!(
        "Manufacturer id for new requests: {}",
        summary.manufacturer_id
    );
    println!();
    println!("Try:");
    println!(
        "  curl -H 'Authorization: Bearer {}' {base}/api/v1/requests",
        summary.tokens.first().map_or("", |t| t.2.as_str())
    );
    println!("  {base}/api/v1/openapi.json   {base}/healthz   {base}/metrics");
    if let Some(request) = &summary.wall_example {
        println!();
        println!(
            "The confidentiality wall: this request was routed to the distributor Iberia Fluidos."
        );
        println!(
            "  Open {base}/requests/{request} as Lucía (distributor): her conversation with the buyer."
        );
        println!(
            "  Open it as Claire (manufacturer): only the statuses (routed, contacted the buyer)."
        );
        println!("  Claire's network and its response ratings: {base}/network");
        println!(
            "  As Lucía, translate Carmen's Spanish message: pick Français or English, Translate."
        );
    }
    if let Some((buyer, address, request)) = &summary.relay_example {
        println!();
        println!(
            "Reply by email as the buyer (the SMTP relay listens on {}):",
            config.smtp
        );
        println!(
            "  swaks --server {} --from {buyer} --to {address} --body 'Thanks, the quote suits us.'",
            config.smtp
        );
        println!(
            "  then see it at {base}/requests/{request} and the notification at {base}/dev/mail"
        );
        println!();
        println!("Quote to order: sign in as {buyer}, open {base}/requests/{request},");
        println!("  Accept the quote, Pay online (a local test checkout without Stripe keys),");
        println!("  confirm billing and delivery, leave a review; the seller sees each step.");
    }
}

/// `parley dev storage`: bytes per request, by table.
pub(super) async fn storage(app: &parley_app::App) -> anyhow::Result<()> {
    let (requests, tables) = app.store().storage().await?;
    let per = |bytes: i64| bytes as f64 / requests.max(1) as f64;
    let total: i64 = tables.iter().map(|(_, bytes)| bytes).sum();
    println!("{requests} requests, {:.0} bytes per request", per(total));
    for (table, bytes) in tables.iter().filter(|(_, bytes)| per(*bytes) >= 1.0) {
        println!("{table:<28} {:>8.0}", per(*bytes));
    }
    Ok(())
}

/// `parley dev seed`: writes the generated data and says what it wrote.
pub(super) async fn seed(
    app: &parley_app::App,
    organizations: u32,
    requests: u64,
    messages_per_request: u32,
) -> anyhow::Result<()> {
    let seeded = app
        .store()
        .seed(parley_app::store_seed::Plan {
            organizations,
            requests,
            messages_per_request,
        })
        .await?;
    println!(
        "seeded {} requests in {:.1} s ({:.0}/s)\n\
         admin of the busiest manufacturer: {}\n\
         salesperson of its first distributor: {}\n\
         a buyer: {}",
        seeded.requests,
        seeded.seconds,
        seeded.requests as f64 / seeded.seconds.max(1e-9),
        seeded.busiest_admin,
        seeded.distributor_member,
        seeded.buyer
    );
    Ok(())
}
