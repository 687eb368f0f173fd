//! `parley dev seed`: realistic data for benchmarks, written fast in large multi-row inserts (a
//! development tool, never run on a database people use). It writes the rows the use cases
//! would for the same history — the request with its buyer's details, a thread per party with
//! the list columns, messages each way, the history events, declines and outcomes — so that
//! lists, pages and ratings read them as they read real ones (a test compares the two). Mail
//! that history would have sent is left out: it was delivered and pruned long ago.

mod people;
mod request;
mod rows;
mod texts;

use std::time::Instant;

use parley_domain::{OrganizationId, ProductId};

use crate::{Store, StoreError};
use people::{Buyer, Person, Random};
use rows::Rows;

/// What to write.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Manufacturers, each with two distributors, a sales team and twenty products.
    pub organizations: u32,
    pub requests: u64,
    /// Messages in the handling thread of an answered request, seller and buyer in turn.
    pub messages_per_request: u32,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub requests: u64,
    /// An admin of the manufacturer with the most requests.
    pub busiest_admin: String,
    /// The salesperson of that manufacturer's first distributor.
    pub distributor_member: String,
    /// A buyer who sent requests (the newest one's).
    pub buyer: String,
    pub seconds: f64,
}

/// A manufacturer as the generator uses it.
struct Maker {
    id: OrganizationId,
    admin: Person,
    sales: Person,
    /// Id, name and reference.
    products: Vec<(ProductId, String, String)>,
    network: Vec<Distributor>,
}

/// A distributor of a manufacturer's network, with its salesperson and territory.
struct Distributor {
    id: OrganizationId,
    name: String,
    member: Person,
    territory: &'static [&'static str],
}

/// Requests written per transaction.
const BATCH: u64 = 5_000;

impl Store {
    /// Writes `rows` in one transaction: on SQLite, on the writer's direct connection (sqlx's
    /// multi-row inserts cost a thread hand-off per statement and a conversion per value:
    /// 3,088 → 11,800 requests/s at a million, docs/PERFORMANCE.md); else through the pool.
    async fn write_rows(&self, rows: Rows) -> Result<(), StoreError> {
        match &self.writer {
            Some(writer) if writer.has_direct() => {
                writer
                    .run_direct(rows, |conn, rows| rows.write_direct(conn))
                    .await
            }
            _ => {
                let mut rows = rows;
                let mut tx = self.pool.begin().await?;
                rows.flush(&mut tx).await?;
                Ok(tx.commit().await?)
            }
        }
    }

    /// Writes `plan`'s organizations, buyers and requests (spread over three years up to now,
    /// the first manufacturer the busiest) into this database.
    pub async fn seed(&self, plan: Plan) -> Result<Seeded, StoreError> {
        let started = Instant::now();
        let mut random = Random::new(0x5eed);
        let now = crate::now_millis();
        let mut tx = self.pool.begin().await?;
        let marketplaces = people::marketplaces(&mut tx, now).await?;
        tx.commit().await?;
        let mut makers = Vec::new();
        let mut rows = Rows::default();
        for n in 0..plan.organizations.max(1) {
            makers.push(people::maker(&mut rows, n, now));
        }
        let buyers: Vec<Buyer> = (0..(plan.requests / 3).clamp(1, 200_000))
            .map(|n| Buyer::new(n, &mut random))
            .collect();
        for buyer in &buyers {
            buyer.row(&mut rows, now);
        }
        self.write_rows(std::mem::take(&mut rows)).await?;
        // Manufacturer k gets a share of 1/(k+1): one large, a long tail.
        let weights: Vec<f64> = (0..makers.len()).map(|k| 1.0 / (k as f64 + 1.0)).collect();
        let total: f64 = weights.iter().sum();
        let mut cumulative = Vec::with_capacity(weights.len());
        let mut sum = 0.0;
        for weight in &weights {
            sum += weight / total;
            cumulative.push(sum);
        }
        const SPAN_MS: i64 = 3 * 365 * 24 * 3_600_000;
        let first = now - SPAN_MS;
        let step = SPAN_MS / i64::try_from(plan.requests.max(1)).unwrap_or(i64::MAX);
        let mut written = 0;
        let mut last_buyer = 0;
        // Requests made through the use cases number their words the same way.
        let first_key: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(words_key), 0) FROM requests")
            .fetch_one(&self.pool)
            .await?;
        // One batch is written while the next is made.
        let mut writing: Option<tokio::task::JoinHandle<Result<(), StoreError>>> = None;
        while written < plan.requests {
            let end = (written + BATCH).min(plan.requests);
            for n in written..end {
                let pick = random.unit();
                let maker = &makers[cumulative
                    .partition_point(|c| *c < pick)
                    .min(makers.len() - 1)];
                let at = first + i64::try_from(n).unwrap_or(0) * step + random.below(step.max(1));
                last_buyer = random.below(buyers.len() as i64) as usize;
                let buyer = &buyers[last_buyer];
                let marketplace = &marketplaces[random.below(3) as usize];
                request::request(
                    &mut rows,
                    &mut random,
                    (maker, buyer, marketplace),
                    (at, now),
                    first_key + 1 + i64::try_from(n).unwrap_or(0),
                    plan.messages_per_request,
                );
            }
            if let Some(previous) = writing.take() {
                previous.await.map_err(|_| StoreError::Closed)??;
            }
            let (store, batch) = (self.clone(), std::mem::take(&mut rows));
            writing = Some(tokio::spawn(async move { store.write_rows(batch).await }));
            written = end;
        }
        if let Some(last) = writing {
            last.await.map_err(|_| StoreError::Closed)??;
        }
        // The planner's statistics, as a day of ordinary use would have left them: without
        // them PostgreSQL reads a whole party's status range for a page (measured: 1 s vs
        // 0.13 ms at a million requests).
        let mut conn = self.pool.acquire().await?;
        if crate::search::is_postgres(&conn) {
            sqlx::query(
                "SELECT setval('requests_words_key_seq', (SELECT MAX(words_key) FROM requests))",
            )
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query("ANALYZE").execute(&mut *conn).await?;
        Ok(Seeded {
            requests: written,
            busiest_admin: makers[0].admin.email.clone(),
            distributor_member: makers[0].network[0].member.email.clone(),
            buyer: buyers[last_buyer].email.clone(),
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}
