//! The demonstration's agenda: two information sessions with people
//! registered, immersions in every status (one renewed twice over two
//! files, some debriefed, one debrief overdue), interviews planned over the
//! coming weeks, and a conflict (a person registered to a session held
//! during their immersion). Deterministic: everything is placed relative to
//! `today`; structures and people are marked as fictional.

use super::demo::{DemoFile, DemoOptions, EMAIL_DOMAIN};
use super::IdSource;
use crate::domain::agenda::from_paris;
use crate::domain::immersion::{
    Debrief, Host, ImmersionObjective, ImmersionStatus, OfferedContract, Prescriber,
    PrescriberKind, Realisation, Tutor,
};
use crate::domain::{
    valid_siret, CepLevel, Immersion, InfoSession, Interview, InterviewMode, Meta,
    SessionRegistration, TargetMetier,
};
use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};

/// The fictional host structures: name, activity, IDCC.
const HOSTS: [(&str, &str, &str); 4] = [
    (
        "Crèche fictive Les Lucioles",
        "Accueil collectif de jeunes enfants",
        "1261",
    ),
    (
        "Régie de quartier fictive Nord",
        "Entretien et services de proximité",
        "3016",
    ),
    (
        "Centre social fictif des Pentes",
        "Animation sociale et familiale",
        "1261",
    ),
    (
        "Association fictive d'aide à domicile",
        "Aide et accompagnement à domicile",
        "2941",
    ),
];

/// A SIRET that passes the Luhn check, in a range no real company holds
/// (`999…`), distinct for each `n`.
pub fn fictional_siret(n: u32) -> String {
    let stem = format!("99900000{:05}", n % 100_000);
    (0..10)
        .map(|d| format!("{stem}{d}"))
        .find(|s| valid_siret(s))
        .unwrap_or_else(|| format!("{stem}0"))
}

/// The first day on or after `d` that is `wd`.
fn next_weekday(d: NaiveDate, wd: Weekday) -> NaiveDate {
    let ahead = (7 + wd.num_days_from_monday() - d.weekday().num_days_from_monday()) % 7;
    d + Days::new(u64::from(ahead))
}

fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Days::new(u64::from(d.weekday().num_days_from_monday()))
}

fn at(d: NaiveDate, h: u32, m: u32) -> chrono::DateTime<chrono::Utc> {
    from_paris(d.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()))
}

/// The two information sessions of the demonstration.
pub fn sessions(opts: &DemoOptions, ids: &mut dyn IdSource) -> Vec<InfoSession> {
    let meta = Meta::new(opts.now, opts.advisor);
    // The first Tuesday after today: always during the immersion « en
    // cours » of the first open file (this week's Monday to next week's
    // Friday), which is registered to it: a conflict to see.
    let tuesday = next_weekday(opts.today + Days::new(1), Weekday::Tue);
    let thursday = next_weekday(opts.today + Days::new(9), Weekday::Thu);
    vec![
        InfoSession {
            id: ids.next_id(opts.now),
            start: at(tuesday, 14, 0),
            duration_minutes: 120,
            place: "Salle fictive, 1 rue de la Démonstration".into(),
            video_link: String::new(),
            topic: "Découvrir les métiers du lien social".into(),
            organiser: "Permanence CEP fictive".into(),
            capacity: 12,
            meta: meta.clone(),
        },
        InfoSession {
            id: ids.next_id(opts.now),
            start: at(thursday, 9, 30),
            duration_minutes: 90,
            place: String::new(),
            video_link: format!("https://visio.{EMAIL_DOMAIN}/reconversion"),
            topic: "Financer sa reconversion : CPF, PTP, période de reconversion".into(),
            organiser: "Permanence CEP fictive".into(),
            capacity: 8,
            meta,
        },
    ]
}

/// A complete immersion (every convention field) for `f`, two weeks from
/// `start` (a Monday) with host `host`.
fn immersion(
    f: &DemoFile,
    k: usize,
    start: NaiveDate,
    weeks: u64,
    target: Option<&TargetMetier>,
    opts: &DemoOptions,
    ids: &mut dyn IdSource,
) -> Immersion {
    let b = &f.beneficiary;
    let (name, activity, idcc) = HOSTS[k % HOSTS.len()];
    let end = start + Days::new(weeks * 7 - 3);
    let mut i = Immersion::new(
        ids.next_id(opts.now),
        b.id,
        start,
        end,
        Meta::new(opts.now, opts.advisor),
    );
    i.target = target.cloned();
    i.objective = Some(ImmersionObjective::ALL[k % 3]);
    i.host = Host {
        name: name.into(),
        siret: Some(fictional_siret(k as u32 % HOSTS.len() as u32 + 1)),
        address: format!("{} rue fictive, 69000 Lyon", 10 + k),
        idcc: Some(idcc.into()),
        branch: opts.branches.by_idcc(idcc).map(|br| br.short.clone()),
        activity: activity.into(),
    };
    i.tutor = Tutor {
        name: "Tutrice fictive".into(),
        role: "Responsable d'équipe".into(),
        phone: None,
        email: Some(format!("tutorat.{}@{EMAIL_DOMAIN}", k + 1)),
    };
    i.prescriber = Some(Prescriber {
        kind: PrescriberKind::FranceTravail,
        name: "France Travail, agence fictive".into(),
        address: "2 place fictive, 69000 Lyon".into(),
        adviser: "Conseillère fictive".into(),
        phone: None,
        email: None,
    });
    i.employer = b.employer.clone();
    i.on_working_time = Some(k.is_multiple_of(2));
    // Parsing a fixed text cannot fail; an empty schedule would only be
    // reported as missing by the checks.
    let _ = i.set_schedule("lun-ven 9h-12h 13h30-17h");
    i.tasks = "Observation puis participation aux activités de l'équipe (démonstration).".into();
    i.goals = "Vérifier l'intérêt pour le métier et les conditions de travail.".into();
    i.assessment = "Grille d'observation remplie avec le tuteur, bilan avec le conseiller.".into();
    i
}

fn debrief(
    on: NaiveDate,
    r: Realisation,
    reached: bool,
    contract: Option<OfferedContract>,
) -> Debrief {
    Debrief {
        on: Some(on),
        realisation: Some(r),
        objectives_reached: Some(reached),
        hiring: Some(contract.is_some()),
        contract_offered: contract,
        comments: "Bilan fictif de démonstration.".into(),
    }
}

/// Adds the agenda of the demonstration to `files` (open files only, in
/// order): immersions, planned interviews, registrations to `sessions`.
pub fn add(
    files: &mut [DemoFile],
    sessions: &[InfoSession],
    opts: &DemoOptions,
    ids: &mut dyn IdSource,
) {
    let today = opts.today;
    let this_monday = monday_of(today);
    let open: Vec<usize> = (0..files.len())
        .filter(|&i| files[i].beneficiary.status.is_open())
        .collect();
    let targets: Vec<&TargetMetier> = opts.jobs.iter().map(|(_, t)| t).collect();
    let target = |k: usize| (!targets.is_empty()).then(|| targets[(k * 7 + 3) % targets.len()]);
    // (status, start Monday, weeks) of the immersion of the k-th open file.
    let plans: [(ImmersionStatus, NaiveDate, u64); 8] = [
        // Running this week and next: the first session falls in it.
        (ImmersionStatus::EnCours, this_monday, 2),
        (ImmersionStatus::Brouillon, this_monday + Days::new(28), 2),
        (
            ImmersionStatus::PreteASigner,
            this_monday + Days::new(21),
            1,
        ),
        (ImmersionStatus::Signee, this_monday + Days::new(14), 2),
        (ImmersionStatus::Realisee, this_monday - Days::new(63), 2),
        (ImmersionStatus::Annulee, this_monday + Days::new(35), 1),
        (ImmersionStatus::Refusee, this_monday + Days::new(42), 2),
        (ImmersionStatus::Realisee, this_monday - Days::new(35), 2),
    ];
    for (k, &fi) in open.iter().enumerate() {
        let f = &mut files[fi];
        if let Some(&(status, start, weeks)) = plans.get(k) {
            // The métier tried: the plan's first target, else one of the
            // jobs that is not the person's current one.
            let current = f.beneficiary.current_job.as_ref().map(|j| j.rome.clone());
            let from_plan = f
                .plan
                .as_ref()
                .and_then(|p| p.targets.first())
                .map(|t| TargetMetier {
                    ogr: t.ogr,
                    rome: t.rome.clone(),
                    label: t.label.clone(),
                });
            let tried = from_plan.or_else(|| {
                (0..targets.len())
                    .filter_map(|d| target(k + d))
                    .find(|t| Some(&t.rome) != current.as_ref())
                    .cloned()
                    .or_else(|| target(k).cloned())
            });
            let mut imm = immersion(f, k, start, weeks, tried.as_ref(), opts, ids);
            if status == ImmersionStatus::Brouillon {
                // A draft still looking for its prescriber.
                imm.prescriber = None;
            }
            imm.status = status;
            match status {
                ImmersionStatus::Annulee => {
                    imm.status_reason = "Structure d'accueil indisponible (démonstration).".into()
                }
                ImmersionStatus::Refusee => {
                    imm.status_reason =
                        "Convention refusée par le prescripteur (démonstration).".into()
                }
                _ => {}
            }
            if k == 4 {
                // Done, objectives not reached, renewed, the renewal done
                // too and its debrief overdue.
                imm.debrief = Some(debrief(
                    imm.end + Days::new(3),
                    Realisation::Partielle,
                    false,
                    None,
                ));
                let r_start = next_weekday(imm.end + Days::new(7), Weekday::Mon);
                let mut r = imm.clone();
                r.id = ids.next_id(opts.now);
                r.start = r_start;
                r.end = r_start + Days::new(4);
                r.renewal_of = Some(imm.id);
                r.renewal_reason =
                    "Objectifs non atteints : une semaine de plus (démonstration).".into();
                r.debrief = None;
                f.immersions.push(imm);
                f.immersions.push(r);
            } else if k == 7 {
                imm.debrief = Some(debrief(
                    imm.end + Days::new(4),
                    Realisation::Entiere,
                    true,
                    Some(OfferedContract::CddReconversion),
                ));
                f.immersions.push(imm);
            } else {
                f.immersions.push(imm);
            }
        }
        // Interviews planned over the coming weeks (working days, 9:30 or 14:00).
        if k < 10 {
            let day = next_weekday(today + Days::new(2 + 3 * k as u64), Weekday::Mon)
                + Days::new((k % 5) as u64);
            let (h, m) = if k % 2 == 0 { (9, 30) } else { (14, 0) };
            f.interviews.push(Interview {
                id: ids.next_id(opts.now),
                beneficiary: f.beneficiary.id,
                at: at(day, h, m),
                duration_minutes: 60,
                level: CepLevel::AccompagnementPersonnalise,
                mode: if k % 3 == 0 {
                    InterviewMode::Video
                } else {
                    InterviewMode::OnSite
                },
                place: if k % 3 == 0 {
                    String::new()
                } else {
                    "Permanence fictive".into()
                },
                topics: "Point d'étape (rendez-vous planifié, démonstration)".into(),
                summary: String::new(),
                decisions: String::new(),
                next_follow_up: None,
                planned: true,
                meta: Meta::new(opts.now, opts.advisor),
            });
        }
        // Registrations: the first three files to the first session (the
        // first one is in immersion then: a conflict), the next two to the
        // second.
        let session = match k {
            0..=2 => sessions.first(),
            3..=4 => sessions.get(1),
            _ => None,
        };
        if let Some(s) = session {
            f.registrations.push(SessionRegistration {
                id: ids.next_id(opts.now),
                session: s.id,
                beneficiary: f.beneficiary.id,
                registered_on: today,
                meta: Meta::new(opts.now, opts.advisor),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fictional_sirets_pass_the_luhn_check_and_differ() {
        let a = fictional_siret(1);
        let b = fictional_siret(2);
        assert!(valid_siret(&a) && valid_siret(&b));
        assert_ne!(a, b);
        assert!(a.starts_with("999"));
        assert_eq!(a.len(), 14);
    }

    #[test]
    fn weekdays_are_found_forward() {
        let sat = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(
            next_weekday(sat, Weekday::Tue),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        assert_eq!(next_weekday(sat, Weekday::Sat), sat);
        assert_eq!(
            monday_of(sat),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
    }
}
