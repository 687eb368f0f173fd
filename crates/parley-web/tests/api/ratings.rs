//! The network ratings (`/network`, `/api/v1/network`) are summed by the database and kept a
//! minute: on generated data they equal the definition (`parley_domain::rating::rate` over
//! every thread) for each member, the manufacturer and the whole network, over all time and
//! over a period; figures are served from memory until a minute old, then summed again in the
//! background, and the page says when they were computed.

use std::time::Duration;

use parley_app::store_seed::Plan;
use parley_app::{Caller, Settings};
use parley_domain::rating::{Rating, counts_for, rate};
use parley_domain::{OrganizationId, Timestamp};

use crate::both;
use crate::helpers::{Db, TestApp};

both!(
    ratings_equal_the_definition_on_generated_data,
    ratings_are_kept_a_minute_then_summed_again,
);

const DAY_MS: i64 = 24 * 3600 * 1000;

fn without_reviews(rating: &Rating) -> Rating {
    Rating {
        reviews: 0,
        review_sum: 0,
        ..rating.clone()
    }
}

async fn ratings_equal_the_definition_on_generated_data(db: Db) {
    let t = TestApp::spawn(db).await;
    let seeded = t
        .app
        .store()
        .seed(Plan {
            organizations: 2,
            requests: 3_000,
            messages_per_request: 1,
        })
        .await
        .expect("seed");
    let (token, _) = t
        .app
        .create_token(&seeded.busiest_admin, "test")
        .await
        .expect("token");
    let caller = t.app.authenticate(&token).await.expect("caller");
    let Caller::Member(admin) = &caller else {
        panic!("a member")
    };
    let maker: OrganizationId = admin.organization_id;
    let window = i64::from(Settings::default().response_window_days) * DAY_MS;
    let mut compared = 0;
    for days in [None, Some(30), Some(2)] {
        let overview = t
            .app
            .network_overview(&caller, days)
            .await
            .expect("overview");
        let at: Timestamp = overview.ratings_computed_at;
        let from = days.map_or(0, |d| at.0 - i64::from(d) * DAY_MS);
        let mut conn = t.app.store().read().await.expect("connection");
        let threads = parley_store::ratings::thread_figures(&mut conn, maker, from, i64::MAX)
            .await
            .expect("threads");
        drop(conn);
        let expected = |party: OrganizationId| {
            rate(
                threads
                    .iter()
                    .filter(|th| th.party == party && counts_for(th, maker)),
                window,
                at,
            )
        };
        assert!(!overview.members.is_empty(), "the seed makes a network");
        for member in &overview.members {
            assert_eq!(
                without_reviews(&member.rating),
                expected(member.organization.id),
                "{} over {days:?} days",
                member.organization.name
            );
        }
        assert_eq!(
            without_reviews(&overview.own_rating),
            expected(maker),
            "own, {days:?}"
        );
        let network = rate(threads.iter().filter(|th| th.party != maker), window, at);
        assert_eq!(
            without_reviews(&overview.network_rating),
            network,
            "network, {days:?}"
        );
        // The generated data exercises every figure: handled late and in time, declined,
        // won and lost, answered with a median, routed away from the manufacturer.
        if days.is_none() {
            assert!(network.received > 500, "{network:?}");
            for count in [
                network.declined,
                network.won,
                network.lost,
                network.answered,
            ] {
                assert!(count > 0, "{network:?}");
            }
            assert!(network.median_first_response_ms.is_some());
            assert!(network.handled_in_time < network.received);
            assert!(
                threads
                    .iter()
                    .any(|th| th.party == maker && th.routed_elsewhere),
                "routed requests"
            );
        }
        compared += overview.members.len() + 2;
    }
    assert!(compared >= 9);
}

async fn received_by_network(t: &TestApp) -> (u64, String) {
    let network = t.get_json(&t.maker.token, "/api/v1/network").await;
    (
        network["network_rating"]["received"]
            .as_u64()
            .expect("received"),
        network["ratings_computed_at"]
            .as_str()
            .expect("computed at")
            .to_owned(),
    )
}

async fn ratings_are_kept_a_minute_then_summed_again(db: Db) {
    let mut settings = TestApp::settings();
    settings.ratings_max_age = Duration::from_millis(500);
    let t = TestApp::spawn_with(db, settings).await;
    let (before, computed) = received_by_network(&t).await;
    // A request routed to the distributor: counted only once the figures are summed again.
    t.request_from("ES", "pilar@buyer.example").await;
    let (kept, kept_at) = received_by_network(&t).await;
    assert_eq!((kept, &kept_at), (before, &computed), "served from memory");
    // Once older than the maximum age, the figures at hand are shown while new ones are
    // summed in the background; then the new ones.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let fresh = loop {
        let (received, at) = received_by_network(&t).await;
        if at != computed {
            break received;
        }
        assert_eq!(received, before, "old figures until summed again");
        assert!(std::time::Instant::now() < deadline, "never summed again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(fresh, before + 1);
    // The page says when.
    let page = crate::pages::sign_in(&t, "claire@hydrotech.example")
        .await
        .get(&t, "/network")
        .await;
    assert!(page.contains("id=\"ratings-computed\""), "{page}");
    let year = &computed[..4];
    assert!(page.contains(year), "{page}");
    // Figures much older than the maximum age are not shown: after a quiet spell the first
    // read sums them at once.
    t.request_from("PT", "rui@buyer.example").await;
    tokio::time::sleep(Duration::from_millis(2_600)).await;
    assert_eq!(received_by_network(&t).await.0, before + 2);
}
