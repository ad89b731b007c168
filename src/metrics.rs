//! Prometheus metrics (the `prometheus` crate), rendered for `/metrics` by the admin listener
//! (`admin`).
//!
//! Recorded at the edges, never inside the core: the router (commands, autocomplete, search time,
//! no-result queries), the gateway handler (reconnects, undecodable events, and the highlight
//! scheduler loop it runs: posts and failures) and the HTTP endpoint (undecodable bodies).
//! The queries that found nothing are what content editors need: the most frequent ones are
//! exported as `marquee_no_result_query_top{query}`, from a bounded in-memory tally.

use crate::commands::CatalogRequest;
use crate::reply::Response;
use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Distinct no-result queries remembered; the least frequent are dropped beyond this.
const TALLY: usize = 2000;
/// No-result queries exported.
const TOP: usize = 20;

pub struct Metrics {
    registry: Registry,
    pub commands: IntCounterVec,
    pub autocomplete: IntCounter,
    pub search_seconds: Histogram,
    pub no_result: IntCounter,
    pub reconnects: IntCounter,
    pub highlight_posts: IntCounter,
    pub highlight_failures: IntCounterVec,
    /// Events that arrived but could not be decoded (so were not answered), by event.
    pub undecodable: IntCounterVec,
    top_misses: IntGaugeVec,
    misses: Mutex<HashMap<String, i64>>,
    /// Whether what members typed is kept for `marquee_no_result_query_top`.
    keep_queries: std::sync::atomic::AtomicBool,
}

fn build() -> Result<Metrics, prometheus::Error> {
    let registry = Registry::new();
    let commands = IntCounterVec::new(
        Opts::new("marquee_commands_total", "Commands answered, by command"),
        &["command"],
    )?;
    let autocomplete =
        IntCounter::new("marquee_autocomplete_requests_total", "Autocomplete requests answered")?;
    let search_seconds = Histogram::with_opts(
        HistogramOpts::new("marquee_search_seconds", "Time to answer a search or autocomplete")
            .buckets(vec![0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25]),
    )?;
    let no_result = IntCounter::new("marquee_no_result_queries_total", "Searches that found nothing")?;
    let reconnects =
        IntCounter::new("marquee_gateway_reconnects_total", "Gateway sessions resumed or re-identified")?;
    let highlight_posts = IntCounter::new("marquee_highlight_posts_total", "Daily highlights posted")?;
    let highlight_failures = IntCounterVec::new(
        Opts::new("marquee_highlight_failures_total", "Daily highlight posts that failed, by outcome"),
        &["outcome"],
    )?;
    let undecodable = IntCounterVec::new(
        Opts::new(
            "marquee_undecodable_events_total",
            "Events that could not be decoded and were not answered",
        ),
        &["event"],
    )?;
    let top_misses = IntGaugeVec::new(
        Opts::new(
            "marquee_no_result_query_top",
            "The most frequent queries that found nothing (folded), with counts",
        ),
        &["query"],
    )?;
    registry.register(Box::new(commands.clone()))?;
    registry.register(Box::new(autocomplete.clone()))?;
    registry.register(Box::new(search_seconds.clone()))?;
    registry.register(Box::new(no_result.clone()))?;
    registry.register(Box::new(reconnects.clone()))?;
    registry.register(Box::new(highlight_posts.clone()))?;
    registry.register(Box::new(highlight_failures.clone()))?;
    registry.register(Box::new(undecodable.clone()))?;
    registry.register(Box::new(top_misses.clone()))?;
    Ok(Metrics {
        registry,
        commands,
        autocomplete,
        search_seconds,
        no_result,
        reconnects,
        highlight_posts,
        highlight_failures,
        undecodable,
        top_misses,
        misses: Mutex::default(),
        keep_queries: std::sync::atomic::AtomicBool::new(true),
    })
}

/// The process's metrics.
pub fn get() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| build().expect("metric definitions are valid"))
}

impl Metrics {
    /// Records one answered request: its command, and for searches the time and whether
    /// anything was found.
    pub fn observe(&self, label: &str, request: &CatalogRequest, response: &Response, took: Duration) {
        self.commands.with_label_values(&[label]).inc();
        match request {
            CatalogRequest::Autocomplete { .. } => {
                self.autocomplete.inc();
                self.search_seconds.observe(took.as_secs_f64());
            }
            CatalogRequest::Find { query, .. } | CatalogRequest::Mention { text: query } => {
                self.search_seconds.observe(took.as_secs_f64());
                let found = matches!(response, Response::Message(r) if !r.embeds.is_empty());
                if !found && !query.trim().is_empty() {
                    self.no_result.inc();
                    self.record_miss(query);
                }
            }
            _ => {}
        }
    }

    /// Stops (or resumes) keeping the text of queries that found nothing: an operator who may not
    /// export what members typed still gets the count (`MARQUEE_EXPORT_QUERIES=false`).
    pub fn keep_queries(&self, keep: bool) {
        self.keep_queries.store(keep, std::sync::atomic::Ordering::Relaxed);
    }

    fn record_miss(&self, query: &str) {
        if !self.keep_queries.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let key: String = crate::search::text::folded(query).chars().take(64).collect();
        if key.is_empty() {
            return;
        }
        let mut misses = self.misses.lock().unwrap_or_else(|e| e.into_inner());
        *misses.entry(key).or_default() += 1;
        if misses.len() > TALLY {
            let mut counts: Vec<i64> = misses.values().copied().collect();
            counts.sort_unstable();
            let floor = counts[counts.len() / 2];
            misses.retain(|_, n| *n > floor);
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        {
            let misses = self.misses.lock().unwrap_or_else(|e| e.into_inner());
            let mut top: Vec<(&String, &i64)> = misses.iter().collect();
            top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            self.top_misses.reset();
            for (q, n) in top.into_iter().take(TOP) {
                self.top_misses.with_label_values(&[q.as_str()]).set(*n);
            }
        }
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}
