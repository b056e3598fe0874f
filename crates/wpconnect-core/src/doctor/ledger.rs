//! The run's ledger: each check settled once, secrets remembered and scrubbed, the report built.

use super::{
    exit_code, Check, CheckId, DoctorRequest, Exchange, Progress, Report, Status, Summary,
};

/// A settled check, before it takes its catalogue entry's title and why.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub(super) status: Status,
    pub(super) finding: String,
    pub(super) observed: Vec<Exchange>,
    pub(super) fix: Option<String>,
    pub(super) skipped_because: Option<String>,
    pub(super) not_needed: Option<String>,
}

impl Outcome {
    fn new(status: Status, finding: impl Into<String>) -> Self {
        Outcome {
            status,
            finding: finding.into(),
            observed: Vec::new(),
            fix: None,
            skipped_because: None,
            not_needed: None,
        }
    }
    pub(crate) fn pass(finding: impl Into<String>) -> Self {
        Self::new(Status::Pass, finding)
    }
    pub(crate) fn warn(finding: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(Status::Warn, finding).fix(fix)
    }
    pub(crate) fn fail(finding: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(Status::Fail, finding).fix(fix)
    }
    pub(crate) fn skipped(because: impl Into<String>) -> Self {
        let because = because.into();
        Outcome { skipped_because: Some(because.clone()), ..Self::new(Status::Skipped, because) }
    }
    /// A pass because the check does not apply here (`because`: "the site is on this computer").
    pub(crate) fn not_needed(finding: impl Into<String>, because: impl Into<String>) -> Self {
        Outcome { not_needed: Some(because.into()), ..Self::pass(finding) }
    }
    pub(crate) fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
    pub(crate) fn observe(mut self, e: &Exchange) -> Self {
        self.observed.push(e.clone());
        self
    }
    pub(crate) fn observe_all<'a>(mut self, e: impl IntoIterator<Item = &'a Exchange>) -> Self {
        self.observed.extend(e.into_iter().cloned());
        self
    }
}

/// The checks settled so far, and every secret value the run has handled (scrubbed at the end).
pub(crate) struct Ledger<'a> {
    pub(super) outcomes: Vec<(CheckId, Outcome)>,
    secrets: Vec<String>,
    pub(super) progress: &'a (dyn Fn(Progress) + Send + Sync),
}

impl<'a> Ledger<'a> {
    pub(super) fn new(progress: &'a (dyn Fn(Progress) + Send + Sync)) -> Self {
        Ledger { outcomes: Vec::new(), secrets: Vec::new(), progress }
    }

    pub(crate) fn record(&mut self, id: CheckId, outcome: Outcome) {
        if self.has(id) {
            return;
        }
        let check = self.scrubbed(to_check(id, outcome.clone()));
        (self.progress)(Progress::Finished(check));
        self.outcomes.push((id, outcome));
    }
    pub(crate) fn has(&self, id: CheckId) -> bool {
        self.outcomes.iter().any(|(i, _)| *i == id)
    }
    /// Skip every check of `group` (`live`, `oauth1`, ...) not settled yet.
    pub(crate) fn skip_rest(&mut self, group: &str, because: &str) {
        for id in CheckId::ALL.iter().copied().filter(|c| c.group() == group) {
            if !self.has(id) {
                self.record(id, Outcome::skipped(because));
            }
        }
    }
    /// Remember a secret value so that it can never appear in the report.
    pub(crate) fn secret(&mut self, value: &str) {
        if value.len() >= 4 && !self.secrets.iter().any(|s| s == value) {
            self.secrets.push(value.to_string());
        }
    }
    pub(super) fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "[redacted]");
            }
        }
        out
    }
    pub(super) fn scrubbed(&self, mut c: Check) -> Check {
        c.finding = self.scrub(&c.finding);
        c.fix = c.fix.map(|f| self.scrub(&f));
        for e in &mut c.observed {
            e.request = self.scrub(&e.request);
            e.response = self.scrub(&e.response);
        }
        c
    }
}

impl Ledger<'_> {
    /// The report: every check of the catalogue in its order (any not settled is skipped), with
    /// every secret value the run handled scrubbed.
    pub(super) fn report(mut self, req: &DoctorRequest, site_url: Option<String>) -> Report {
        for &id in CheckId::ALL {
            if !self.has(id) {
                let o =
                    Outcome::skipped("the site could not be read, so this could not be checked");
                self.record(id, o);
            }
        }
        let mut checks: Vec<Check> = CheckId::ALL
            .iter()
            .map(|&id| {
                let o = self
                    .outcomes
                    .iter()
                    .find(|(i, _)| *i == id)
                    .map(|(_, o)| o.clone())
                    .expect("every check settled");
                self.scrubbed(to_check(id, o))
            })
            .collect();
        checks.shrink_to_fit();
        let mut summary = Summary::default();
        for c in &checks {
            match c.status {
                Status::Pass => summary.pass += 1,
                Status::Warn => summary.warn += 1,
                Status::Fail => summary.fail += 1,
                Status::Skipped => summary.skipped += 1,
            }
        }
        Report {
            schema: "wpconnect.doctor/1".into(),
            site: req.address.clone(),
            site_url,
            live: req.live,
            exit_code: exit_code(&summary),
            checks,
            summary,
        }
    }
}

pub(super) fn to_check(id: CheckId, o: Outcome) -> Check {
    Check {
        id,
        group: id.group().to_string(),
        title: id.title().to_string(),
        status: o.status,
        finding: o.finding,
        observed: o.observed,
        why: id.why().to_string(),
        fix: if o.status == Status::Pass || o.status == Status::Skipped { None } else { o.fix },
        skipped_because: o.skipped_because,
        not_needed: o.not_needed,
    }
}
