//! The buyer's review of a seller party (guide section 3): once, after an order or once the
//! party has answered; shown to the buyer in place of the form.

use parley_domain::policy::Action;
use parley_domain::{EventKind, RequestId};
use parley_store::events;
use parley_store::orders::{self, Review};
use serde_json::json;

use crate::events::new_event;
use crate::requests::authorize;
use crate::{App, AppError, Caller, now};

impl App {
    /// The reviews the caller (a buyer) left on the request: one per request, not editable.
    pub async fn reviews_left(
        &self,
        caller: &Caller,
        request: RequestId,
    ) -> Result<Vec<Review>, AppError> {
        let Caller::Buyer(buyer) = caller else {
            return Ok(Vec::new());
        };
        authorize(&self.store, caller, request, Action::ViewRequest).await?;
        Ok(orders::reviews_by(&mut *self.store.read().await?, request, buyer.id).await?)
    }

    /// The buyer reviews a seller party of the request, once: after an order, or once the
    /// party has answered.
    pub async fn leave_review(
        &self,
        caller: &Caller,
        request: RequestId,
        party: Option<&str>,
        rating: u8,
        comment: &str,
    ) -> Result<(), AppError> {
        let Caller::Buyer(buyer) = caller else {
            return Err(AppError::NotFound);
        };
        if !(1..=5).contains(&rating) {
            return Err(AppError::invalid(
                "rating",
                "rating_invalid",
                "Give 1 to 5 stars.",
            ));
        }
        let access = authorize(&self.store, caller, request, Action::ViewRequest).await?;
        let mut conn = self.store.read().await?;
        let thread = match party.map(str::trim).filter(|p| !p.is_empty()) {
            Some(text) => access.threads.iter().find(|t| t.party.to_string() == text),
            None => access.threads.iter().find(|t| t.contacted_at.is_some()),
        }
        .ok_or(AppError::NotFound)?;
        let ordered = !orders::ordered_quotes(&mut conn, request).await?.is_empty();
        drop(conn);
        if thread.contacted_at.is_none() && !ordered {
            return Err(AppError::invalid(
                "rating",
                "nothing_to_review",
                "You can review a seller once they have answered.",
            ));
        }
        let at = now();
        let review = Review {
            request,
            party: thread.party,
            buyer: buyer.id,
            rating,
            comment: comment.trim().to_owned(),
            created_at: at,
        };
        let event = new_event(
            request,
            Some(thread.party),
            EventKind::ReviewLeft,
            caller.actor(),
            json!({ "rating": rating, "comment": review.comment }),
            at,
        );
        self.store
            .write((review, event), |tx, (review, event)| {
                Box::pin(async move {
                    orders::insert_review(tx, review)
                        .await
                        .map_err(|e| match e {
                            parley_store::StoreError::Conflict(_) => {
                                AppError::Conflict("review_left".to_owned())
                            }
                            other => other.into(),
                        })?;
                    events::append(tx, event, None).await?;
                    Ok::<_, AppError>(())
                })
            })
            .await
    }
}
