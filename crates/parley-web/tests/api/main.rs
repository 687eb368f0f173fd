//! API integration tests: each starts Parley on port 0 with a fresh database and runs on
//! SQLite and on PostgreSQL (from `PARLEY_TEST_DATABASE_URL`).

mod helpers;

pub(crate) use parley_test_support::both;

mod access;
mod bounces;
mod corpus;
mod csrf;
mod documents;
mod export;
mod formats;
pub(crate) mod hostile;
mod hostile_floods;
pub(crate) mod hostile_sessions;
mod hostile_web;
mod messages;
mod network;
mod network_rules;
mod ops;
pub(crate) mod orders;
mod orders_demo;
pub(crate) mod pages;
mod pages_languages;
mod pages_panels;
mod pages_request;
mod provisioning;
mod quotes;
mod ratings;
pub(crate) mod relay;
mod relay_delivery;
mod reminders;
mod request_documents;
mod requests;
mod retention;
mod search;
mod seed;
mod sender_auth;
mod spam;
mod team;
mod translation;
mod walkthrough;
mod wall;
mod webhooks;
mod webhooks_retries;
