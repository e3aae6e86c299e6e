//! `passerelle agenda`: the agenda of a range of days as text (one line
//! per item, grouped by day, conflicts listed at the end) or JSON, like
//! `calcurse -a` or `khal list`. Times are Europe/Paris wall-clock times.

use super::export::{agenda_items, parse_cli_date, range};
use super::{out, Failure, Setup};
use crate::domain::agenda::{find_conflicts, AgendaItem, AgendaRow};
use crate::domain::time::{fmt_date, fmt_long_day};
use chrono::NaiveDate;
use clap::Args;

#[derive(Debug, Args)]
pub struct AgendaArgs {
    /// Premier jour (par défaut : aujourd'hui)
    #[arg(long, value_name = "DATE", value_parser = parse_cli_date)]
    pub du: Option<NaiveDate>,
    /// Dernier jour (par défaut : 6 jours après le premier)
    #[arg(long, value_name = "DATE", value_parser = parse_cli_date)]
    pub au: Option<NaiveDate>,
    /// Sortie JSON : [{"debut", "fin", "type", "titre", "dossier", "conflit"}]
    #[arg(long)]
    pub json: bool,
}

/// The text listing: a heading per day, one line per item, then the
/// conflicts (user data escaped for the terminal).
pub fn text(items: &[AgendaItem], from: NaiveDate, to: NaiveDate) -> String {
    if items.is_empty() {
        return format!(
            "Rien à l'agenda du {} au {}.\n",
            fmt_date(from),
            fmt_date(to)
        );
    }
    let mut s = String::new();
    let mut day = None;
    for i in items {
        let d = i.start.date().max(from);
        if day != Some(d) {
            if day.is_some() {
                s.push('\n');
            }
            s.push_str(&format!("{}\n", fmt_long_day(d)));
            day = Some(d);
        }
        s.push_str(&format!("  {}\n", out::escape(&i.line())));
    }
    let conflicts = find_conflicts(items);
    if !conflicts.is_empty() {
        s.push_str(&format!(
            "\n{} conflit{} :\n",
            conflicts.len(),
            if conflicts.len() > 1 { "s" } else { "" }
        ));
        for c in &conflicts {
            s.push_str(&format!("  ⚠ {}\n", out::escape(&c.message(items))));
        }
    }
    s
}

pub fn run(a: AgendaArgs, setup: &Setup) -> Result<(), Failure> {
    let (from, to) = range(a.du, a.au, 6)?;
    let store = super::open_existing(setup)?;
    let (items, damaged) = agenda_items(&store, from, to, false)?;
    drop(store);
    if a.json {
        let rows: Vec<AgendaRow> = items.iter().map(AgendaItem::row).collect();
        let json = serde_json::to_string_pretty(&rows)
            .map_err(|e| Failure::runtime(format!("erreur JSON : {e}")))?;
        out::println(&json)?;
    } else {
        out::print(&text(&items, from, to))?;
    }
    match damaged {
        Some(msg) => Err(Failure::runtime(msg)),
        None => Ok(()),
    }
}
