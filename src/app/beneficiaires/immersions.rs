//! The Immersions tab of a file: its immersions (PMSMP) and the
//! information sessions it is registered to; the forms to create, edit,
//! move through the statuses, renew and debrief an immersion, to register
//! to a session or leave it; the convention sheet.
//!
//! Every write is one undoable [`Change`]. A new immersion (or a renewal)
//! also adds a step « immersion » linked to it to the person's plan — the
//! plan is created if there is none — in the same change: see
//! [`link_to_plan`], the one place that writes this link.

use super::immersion_form as form;
use super::{open_file, FormTarget, OpenForm, Tab};
use crate::app::beneficiaires::interview_form::{to_local, to_utc};
use crate::app::undo::{Change, Direction};
use crate::app::{Action, App, Confirm, Effect, Modal, Reply, Screen, StatusLevel};
use crate::domain::rules::immersion::{check, CheckContext, Finding};
use crate::domain::session;
use crate::domain::time::fmt_date;
use crate::domain::{Id, Immersion, InfoSession, Meta, Plan, SessionRegistration, TargetMetier};
use crate::store::{AnyRecord, RecordKind};
use crate::transfer::agenda::{appointments, FileImmersions};
use chrono::{DateTime, NaiveDate, Utc};

/// What an immersion form edits (a [`FormTarget::Immersion`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImmersionTarget {
    /// The convention's content, of a new or stored immersion.
    Content {
        beneficiary: Id,
        id: Id,
        is_new: bool,
    },
    Status {
        beneficiary: Id,
        id: Id,
    },
    /// A renewal of `id`, to be created as `new_id`.
    Renewal {
        beneficiary: Id,
        id: Id,
        new_id: Id,
    },
    Debrief {
        beneficiary: Id,
        id: Id,
    },
    /// A registration to one of `sessions` (the choice's options, in order).
    Registration {
        beneficiary: Id,
        sessions: Vec<Id>,
    },
}

impl ImmersionTarget {
    pub fn beneficiary(&self) -> Id {
        match self {
            ImmersionTarget::Content { beneficiary, .. }
            | ImmersionTarget::Status { beneficiary, .. }
            | ImmersionTarget::Renewal { beneficiary, .. }
            | ImmersionTarget::Debrief { beneficiary, .. }
            | ImmersionTarget::Registration { beneficiary, .. } => *beneficiary,
        }
    }
}

/// The tab's state, kept in the open file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TabState {
    pub data: FileImmersions,
    pub loaded: bool,
    /// Cursor over [`TabState::rows`].
    pub selected: usize,
    /// The record to select once the tab is (re)loaded (the one just saved).
    pub select: Option<Id>,
    /// The rule checks of the immersion being edited (or of the one whose
    /// status form is open), shown beside the form.
    pub findings: Vec<Finding>,
    /// Why the checks cannot run yet (dates to type…), if so.
    pub pending: Option<String>,
}

/// One line of the tab.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Row<'a> {
    Immersion(&'a Immersion),
    Session(&'a InfoSession, &'a SessionRegistration),
}

impl TabState {
    /// The immersions (by start date), then the sessions the person is
    /// registered to.
    pub fn rows(&self, who: Id) -> Vec<Row<'_>> {
        let mut out: Vec<Row> = self.data.immersions.iter().map(Row::Immersion).collect();
        out.extend(
            self.data
                .registered(who)
                .into_iter()
                .map(|(s, r)| Row::Session(s, r)),
        );
        out
    }

    pub fn immersion(&self, id: Id) -> Option<&Immersion> {
        self.data.immersions.iter().find(|i| i.id == id)
    }
}

/// The selected row of the open file's tab.
fn selected_row(app: &App) -> Option<Row<'_>> {
    let f = app.benef.file.as_ref()?;
    let rows = f.imm.rows(f.id);
    let n = rows.len();
    rows.into_iter()
        .nth(f.imm.selected.min(n.saturating_sub(1)))
}

fn selected_immersion(app: &App) -> Option<Immersion> {
    match selected_row(app)? {
        Row::Immersion(i) => Some(i.clone()),
        Row::Session(..) => None,
    }
}

/// `now` as an instant (for new records; the runtime stamps them again).
fn now_utc(app: &App) -> DateTime<Utc> {
    to_utc(app.now).unwrap_or_else(|| app.now.and_utc())
}

fn meta(app: &App) -> Meta {
    Meta::new(now_utc(app), "")
}

/// `du 07/12/2026 au 18/12/2026`: what journal notes say of an immersion
/// (no personal data).
fn period(i: &Immersion) -> String {
    format!("du {} au {}", fmt_date(i.start), fmt_date(i.end))
}

/// The plan's first target, as an immersion's default target métier.
fn default_target(data: &FileImmersions) -> Option<TargetMetier> {
    data.plan
        .as_ref()
        .and_then(|p| p.targets.first())
        .map(|t| TargetMetier {
            ogr: t.ogr,
            rome: t.rome.clone(),
            label: t.label.clone(),
        })
}

// ----- the plan link -----------------------------------------------------------------

/// The plan with a step « immersion » linked to `imm` added: `plan` (the
/// person's, if any) before and after; a new plan begun `today` when there
/// is none. The one place where an immersion becomes a step of the plan.
pub fn link_to_plan(
    plan: Option<&Plan>,
    imm: &Immersion,
    today: NaiveDate,
    meta: Meta,
) -> (Option<Plan>, Plan) {
    let mut after = plan
        .cloned()
        .unwrap_or_else(|| Plan::new(Id::generate(), imm.beneficiary, today, meta));
    after.link_immersion(imm, Id::generate());
    (plan.cloned(), after)
}

// ----- actions of the file view ------------------------------------------------------

/// The tab's actions while a file is shown: new immersion and planned
/// interview from any tab; the rest on the Immersions tab. `None` when the
/// action is not the tab's.
pub fn file_action(app: &mut App, action: &Action) -> Option<Vec<Effect>> {
    let f = app.benef.file.as_ref()?;
    let on_tab = f.tab == Tab::Immersions;
    match action {
        Action::NewImmersion => {
            let id = f.id;
            new_immersion(app, id);
            return Some(Vec::new());
        }
        Action::PlanInterview => {
            let b = app.benef.open_file()?.clone();
            app.benef.form = Some(OpenForm {
                target: FormTarget::Interview {
                    beneficiary: b.id,
                    id: Id::generate(),
                    is_new: true,
                },
                form: super::interview_form::build_planned(&b, app.now),
            });
            return Some(Vec::new());
        }
        Action::ImmersionStatus
        | Action::Renew
        | Action::Debrief
        | Action::ExportConvention
        | Action::Register
        | Action::Unregister
            if !on_tab =>
        {
            app.set_status(
                StatusLevel::Info,
                "Les immersions et les séances se gèrent dans l'onglet Immersions du dossier",
            );
            return Some(Vec::new());
        }
        _ if !on_tab => return None,
        _ => {}
    }
    let n = f.imm.rows(f.id).len();
    let moved = |delta: isize| {
        let cur = f.imm.selected.min(n.saturating_sub(1)) as isize;
        (cur + delta).clamp(0, n.saturating_sub(1) as isize) as usize
    };
    let select = match action {
        Action::Up => Some(moved(-1)),
        Action::Down => Some(moved(1)),
        Action::PageUp => Some(moved(-10)),
        Action::PageDown => Some(moved(10)),
        Action::Home => Some(0),
        Action::End => Some(n.saturating_sub(1)),
        _ => None,
    };
    if let Some(s) = select {
        if let Some(f) = app.benef.file.as_mut() {
            f.imm.selected = s;
        }
        return Some(Vec::new());
    }
    let needs_immersion = |app: &mut App| {
        let found = selected_immersion(app);
        if found.is_none() {
            app.set_status(StatusLevel::Info, "Choisissez d'abord une immersion (↑↓)");
        }
        found
    };
    match action {
        Action::Edit | Action::Open => {
            if let Some(i) = needs_immersion(app) {
                edit_immersion(app, &i);
            }
        }
        Action::ImmersionStatus => match needs_immersion(app) {
            Some(i) if i.status.is_final() => app.set_status(
                StatusLevel::Info,
                format!(
                    "Une immersion « {} » est close : son statut ne change plus",
                    i.status.label()
                ),
            ),
            Some(i) => open_form(
                app,
                ImmersionTarget::Status {
                    beneficiary: i.beneficiary,
                    id: i.id,
                },
                form::build_status(&i, app.now.date()),
            ),
            None => {}
        },
        Action::Renew => {
            if let Some(i) = needs_immersion(app) {
                open_form(
                    app,
                    ImmersionTarget::Renewal {
                        beneficiary: i.beneficiary,
                        id: i.id,
                        new_id: Id::generate(),
                    },
                    form::build_renewal(&i, app.now.date()),
                );
            }
        }
        Action::Debrief => {
            if let Some(i) = needs_immersion(app) {
                open_form(
                    app,
                    ImmersionTarget::Debrief {
                        beneficiary: i.beneficiary,
                        id: i.id,
                    },
                    form::build_debrief(&i, app.now.date()),
                );
            }
        }
        Action::ExportConvention => {
            if let Some(i) = needs_immersion(app) {
                return Some(vec![Effect::ExportConvention {
                    immersion: i.id,
                    today: app.now.date(),
                }]);
            }
        }
        Action::Register => registration_form(app),
        Action::Unregister => match selected_row(app) {
            Some(Row::Session(s, r)) => {
                let q = format!(
                    "Désinscrire ce dossier de la séance « {} » du {} ?",
                    s.topic.trim(),
                    fmt_date(to_local(s.start).date())
                );
                let reply = Reply::Unregister(r.id);
                app.modals.push(Modal::Confirm(
                    Confirm::new(Screen::Beneficiaires, q, reply).labels("désinscrire", "garder"),
                ));
            }
            _ => app.set_status(
                StatusLevel::Info,
                "Choisissez d'abord une séance (↑↓, sous les immersions)",
            ),
        },
        _ => return None,
    }
    Some(Vec::new())
}

fn open_form(app: &mut App, target: ImmersionTarget, form: crate::app::form::Form) {
    app.benef.form = Some(OpenForm {
        target: FormTarget::Immersion(target),
        form,
    });
    refresh_findings(app);
}

/// Opens the new-immersion form for the file `id` (which must be open).
pub fn new_immersion(app: &mut App, id: Id) {
    let Some(b) = app.benef.record_of(id).cloned() else {
        return;
    };
    let Some(f) = app.benef.file.as_mut().filter(|f| f.id == id) else {
        return;
    };
    f.tab = Tab::Immersions;
    let target = default_target(&f.imm.data);
    let form = form::build(
        &b,
        None,
        target.as_ref(),
        app.now.date(),
        app.catalog.clone(),
    );
    open_form(
        app,
        ImmersionTarget::Content {
            beneficiary: id,
            id: Id::generate(),
            is_new: true,
        },
        form,
    );
}

/// Opens a file on the Immersions tab with the new-immersion form (from
/// the Agenda): the effects load the file.
pub fn new_immersion_for(app: &mut App, id: Id) -> Vec<Effect> {
    app.go_to(Screen::Beneficiaires);
    let mut effects = open_file(app, id);
    effects.extend(super::with_record(app, super::Pending::NewImmersion(id)));
    effects
}

fn edit_immersion(app: &mut App, i: &Immersion) {
    let Some(b) = app.benef.record_of(i.beneficiary).cloned() else {
        return;
    };
    let form = form::build(&b, Some(i), None, app.now.date(), app.catalog.clone());
    open_form(
        app,
        ImmersionTarget::Content {
            beneficiary: b.id,
            id: i.id,
            is_new: false,
        },
        form,
    );
}

/// A session's label in pickers: `jeu. 10/12 14:00 · Reconversion · 3/12 inscrits`.
pub fn session_label(s: &InfoSession, regs: &[SessionRegistration]) -> String {
    let at = to_local(s.start);
    format!(
        "{} {} · {} · {}",
        crate::domain::time::fmt_short_day(at.date()),
        at.format("%H:%M"),
        s.topic.trim(),
        s.fill_label(regs)
    )
}

fn registration_form(app: &mut App) {
    let Some(f) = app.benef.file.as_ref() else {
        return;
    };
    let who = f.id;
    let now = now_utc(app);
    let sessions: Vec<&InfoSession> = f
        .imm
        .data
        .sessions
        .iter()
        .filter(|s| s.end() > now)
        .filter(|s| {
            !s.registrations(&f.imm.data.registrations)
                .any(|r| r.beneficiary == who)
        })
        .collect();
    if sessions.is_empty() {
        let msg = if f.imm.loaded {
            "Aucune séance d'information à venir où inscrire ce dossier (l'écran Agenda, vue \
             séances, en crée)"
        } else {
            "Chargement des séances en cours : réessayez"
        };
        app.set_status(StatusLevel::Info, msg);
        return;
    }
    let labels: Vec<String> = sessions
        .iter()
        .map(|s| session_label(s, &f.imm.data.registrations))
        .collect();
    let ids = sessions.iter().map(|s| s.id).collect();
    let name = app
        .benef
        .list
        .get(who)
        .map(super::Row::display_name)
        .unwrap_or_default();
    let form = form::build_registration(&name, &labels, app.now.date());
    open_form(
        app,
        ImmersionTarget::Registration {
            beneficiary: who,
            sessions: ids,
        },
        form,
    );
}

// ----- rule checks beside the form ---------------------------------------------------

/// The checks of `imm` with the person's other immersions, interviews
/// and sessions, as the open file knows them.
fn findings_for(app: &App, imm: &Immersion) -> Vec<Finding> {
    let Some(f) = app.benef.file.as_ref().filter(|f| f.id == imm.beneficiary) else {
        return check(imm, &CheckContext::default());
    };
    let appts = appointments(
        imm.beneficiary,
        &f.interviews,
        &f.imm.data.sessions,
        &f.imm.data.registrations,
        &to_local,
    );
    check(
        imm,
        &CheckContext {
            others: &f.imm.data.immersions,
            appointments: &appts,
        },
    )
}

/// The immersion under the cursor of the open file's tab with its rule
/// checks (for the tab's detail).
pub fn selected_with_findings(app: &App) -> Option<(Immersion, Vec<Finding>)> {
    let i = selected_immersion(app)?;
    let f = findings_for(app, &i);
    Some((i, f))
}

/// The immersion as the content form describes it now (for the live
/// checks), or why it cannot be read yet.
fn candidate(
    app: &App,
    t: &ImmersionTarget,
    form: &crate::app::form::Form,
) -> Result<Immersion, String> {
    let ImmersionTarget::Content {
        beneficiary, id, ..
    } = t
    else {
        return Err(String::new());
    };
    let f = app.benef.file.as_ref().filter(|f| f.id == *beneficiary);
    let stored = f.and_then(|f| f.imm.immersion(*id)).cloned();
    let default = f.and_then(|f| default_target(&f.imm.data));
    let today = app.now.date();
    let base = stored.unwrap_or_else(|| Immersion::new(*id, *beneficiary, today, today, meta(app)));
    form::to_immersion(form, base, default.as_ref())
}

/// Recomputes the checks shown beside the open immersion form.
pub fn refresh_findings(app: &mut App) {
    let Some(OpenForm {
        target: FormTarget::Immersion(t),
        form,
    }) = app.benef.form.as_ref()
    else {
        return;
    };
    let (findings, pending) = match t {
        ImmersionTarget::Content { .. } => match candidate(app, t, form) {
            Ok(i) => (findings_for(app, &i), None),
            Err(e) => (
                Vec::new(),
                Some(format!(
                    "Règles vérifiées une fois le formulaire lisible : {e}"
                )),
            ),
        },
        ImmersionTarget::Status { id, .. } => {
            match app.benef.file.as_ref().and_then(|f| f.imm.immersion(*id)) {
                Some(i) => (findings_for(app, i), None),
                None => (Vec::new(), None),
            }
        }
        _ => (Vec::new(), None),
    };
    if let Some(f) = app.benef.file.as_mut() {
        f.imm.findings = findings;
        f.imm.pending = pending;
    }
}

/// After each edit of a form of this tab.
pub fn after_edit(app: &mut App) {
    refresh_findings(app);
}

// ----- loading -----------------------------------------------------------------------

/// The tab's data arrived: keep it, select the record just saved, give a
/// new immersion form its default target métier, check again.
pub fn loaded(app: &mut App, id: Id, data: &FileImmersions) {
    let Some(f) = app.benef.file.as_mut().filter(|f| f.id == id) else {
        return;
    };
    f.imm.data = data.clone();
    f.imm.loaded = true;
    if let Some(want) = f.imm.select.take() {
        let rows = f.imm.rows(id);
        if let Some(pos) = rows.iter().position(|r| match r {
            Row::Immersion(i) => i.id == want,
            Row::Session(_, r) => r.id == want,
        }) {
            f.imm.selected = pos;
        }
    }
    let target = default_target(&f.imm.data);
    if let Some(OpenForm {
        target: FormTarget::Immersion(ImmersionTarget::Content { is_new: true, .. }),
        form,
    }) = app.benef.form.as_mut()
    {
        let untouched = form
            .field("metier")
            .is_some_and(|m| !m.touched && m.value().is_empty());
        if let (true, Some(t)) = (untouched, target) {
            form.set("metier", &t.label);
            if let Some(m) = form.field_mut("metier") {
                m.initial = t.label.clone();
            }
        }
    }
    refresh_findings(app);
}

/// A file was written by the runtime (the convention sheet).
pub fn exported(app: &mut App, path: &str, what: &str) {
    app.set_status(
        StatusLevel::Success,
        format!(
            "{what} écrite : {path} — données personnelles : à ne remettre qu'aux parties de \
             la convention"
        ),
    );
}

// ----- saving ------------------------------------------------------------------------

fn file_data(app: &App, who: Id) -> Result<&FileImmersions, String> {
    match app.benef.file.as_ref().filter(|f| f.id == who) {
        Some(f) if f.imm.loaded => Ok(&f.imm.data),
        _ => Err("les immersions du dossier sont en cours de chargement : réessayez".into()),
    }
}

/// The change a valid form of this tab makes (None when nothing changed).
pub fn change_for(
    app: &App,
    form: &crate::app::form::Form,
    t: &ImmersionTarget,
) -> Result<Option<Change>, String> {
    let data = file_data(app, t.beneficiary())?;
    let stored = |id: Id| {
        data.immersions
            .iter()
            .find(|i| i.id == id)
            .cloned()
            .ok_or_else(|| "cette immersion n'existe plus".to_string())
    };
    let one = |label: String, note: String, before: Immersion, after: Immersion| {
        Change::one(
            label,
            note,
            Some(AnyRecord::from(before)),
            Some(AnyRecord::from(after)),
        )
    };
    let today = app.now.date();
    let ctx_for = |i: &Immersion| findings_for(app, i);
    Ok(Some(match t {
        ImmersionTarget::Content { is_new: true, .. } => {
            let after = candidate(app, t, form)?;
            let (plan_before, plan_after) =
                link_to_plan(data.plan.as_ref(), &after, today, meta(app));
            let note = format!(
                "nouvelle immersion {} (étape ajoutée au parcours)",
                period(&after)
            );
            Change {
                label: note.clone(),
                note,
                records: vec![
                    (None, Some(AnyRecord::from(after))),
                    (
                        plan_before.map(AnyRecord::from),
                        Some(AnyRecord::from(plan_after)),
                    ),
                ],
            }
        }
        ImmersionTarget::Content { id, .. } => {
            let before = stored(*id)?;
            let after = candidate(app, t, form)?;
            if after == before {
                return Ok(None);
            }
            if after.status.requires_checks() {
                if let Some(why) =
                    crate::domain::rules::immersion::blocking_reason(&ctx_for(&after))
                {
                    return Err(format!(
                        "l'immersion est « {} » et ces modifications la rendent non conforme \
                         ({why}) : repassez-la en brouillon (statut) pour les enregistrer",
                        after.status.label()
                    ));
                }
            }
            let note = format!("modification de l'immersion {}", period(&after));
            one(note.clone(), note, before, after)
        }
        ImmersionTarget::Status { id, .. } => {
            let before = stored(*id)?;
            let (to, reason) = form::chosen_status(form, &before).ok_or("aucun statut possible")?;
            let appts = app.benef.file.as_ref().map(|f| {
                appointments(
                    before.beneficiary,
                    &f.interviews,
                    &data.sessions,
                    &data.registrations,
                    &to_local,
                )
            });
            let appts = appts.unwrap_or_default();
            let after = before.transition(
                to,
                &reason,
                &CheckContext {
                    others: &data.immersions,
                    appointments: &appts,
                },
            )?;
            let note = format!(
                "immersion {} : statut « {} »",
                period(&after),
                after.status.label()
            );
            one(note.clone(), note, before, after)
        }
        ImmersionTarget::Renewal { id, new_id, .. } => {
            let before = stored(*id)?;
            let (start, end, reason) = form::renewal_of(form)?;
            let renewal =
                before.renew(start, end, &reason, &data.immersions, *new_id, meta(app))?;
            let (plan_before, plan_after) =
                link_to_plan(data.plan.as_ref(), &renewal, today, meta(app));
            let note = format!(
                "renouvellement de l'immersion {} : {} (étape ajoutée au parcours)",
                period(&before),
                period(&renewal)
            );
            Change {
                label: note.clone(),
                note,
                records: vec![
                    (None, Some(AnyRecord::from(renewal))),
                    (
                        plan_before.map(AnyRecord::from),
                        Some(AnyRecord::from(plan_after)),
                    ),
                ],
            }
        }
        ImmersionTarget::Debrief { id, .. } => {
            let before = stored(*id)?;
            let mut after = before.clone();
            after.debrief = Some(form::to_debrief(form)?);
            if after == before {
                return Ok(None);
            }
            let note = format!("bilan de l'immersion {}", period(&after));
            one(note.clone(), note, before, after)
        }
        ImmersionTarget::Registration {
            beneficiary,
            sessions,
        } => {
            let sid = sessions
                .get(form.selected("seance"))
                .ok_or("aucune séance choisie")?;
            let s = data
                .sessions
                .iter()
                .find(|s| s.id == *sid)
                .ok_or("cette séance n'existe plus")?;
            return Ok(Some(registration_change(
                s,
                &data.registrations,
                *beneficiary,
                meta(app),
            )?));
        }
    }))
}

/// Registering `who` to `s` (capacity, date and double registration
/// checked, French refusal), as a change.
pub fn registration_change(
    s: &InfoSession,
    all: &[SessionRegistration],
    who: Id,
    meta: Meta,
) -> Result<Change, String> {
    let r = session::register(s, all, who, Id::generate(), meta)?;
    let note = format!(
        "inscription à la séance d'information du {}",
        fmt_date(to_local(s.start).date())
    );
    Ok(Change::one(
        note.clone(),
        note,
        None,
        Some(AnyRecord::from(r)),
    ))
}

/// Removing a registration, as a change (any screen).
pub fn unregistration_change(
    s: &InfoSession,
    all: &[SessionRegistration],
    who: Id,
) -> Result<Change, String> {
    let reg_id = session::unregister(s, all, who)?;
    let r = all
        .iter()
        .find(|r| r.id == reg_id)
        .cloned()
        .ok_or("inscription introuvable")?;
    let note = format!(
        "désinscription de la séance d'information du {}",
        fmt_date(to_local(s.start).date())
    );
    Ok(Change::one(
        note.clone(),
        note,
        Some(AnyRecord::from(r)),
        None,
    ))
}

/// Removing the registration `reg_id` (among `regs`, to one of
/// `sessions`), as a change.
pub fn unregistration_by_id(
    sessions: &[InfoSession],
    regs: &[SessionRegistration],
    reg_id: Id,
) -> Result<Change, String> {
    let r = regs
        .iter()
        .find(|r| r.id == reg_id)
        .ok_or("cette inscription n'existe plus")?;
    let s = sessions
        .iter()
        .find(|s| s.id == r.session)
        .ok_or("cette séance n'existe plus")?;
    unregistration_change(s, regs, r.beneficiary)
}

/// Asks to write `change`, or says why it cannot be made.
pub fn apply_or_report(
    app: &mut App,
    change: Result<Change, String>,
    owner: Screen,
) -> Vec<Effect> {
    match change {
        Ok(change) => vec![Effect::Apply {
            change: Box::new(change),
            direction: Direction::Do,
            owner,
        }],
        Err(e) => {
            app.set_status(StatusLevel::Error, format!("Non fait : {e}"));
            Vec::new()
        }
    }
}

/// The answer « désinscrire » to the question of this tab.
pub fn unregister(app: &mut App, reg_id: Id, owner: Screen) -> Vec<Effect> {
    let Some(f) = app.benef.file.as_ref() else {
        return Vec::new();
    };
    let change = unregistration_by_id(&f.imm.data.sessions, &f.imm.data.registrations, reg_id);
    apply_or_report(app, change, owner)
}

/// Whether `change` is what the form of `t` saved (then it closes).
pub fn closes(t: &ImmersionTarget, change: &Change) -> bool {
    let wrote = |kind: RecordKind, id: Option<Id>| {
        change.records.iter().any(|(_, a)| {
            a.as_ref()
                .is_some_and(|r| r.kind() == kind && id.is_none_or(|id| r.id() == id))
        })
    };
    match t {
        ImmersionTarget::Content { id, .. }
        | ImmersionTarget::Status { id, .. }
        | ImmersionTarget::Debrief { id, .. } => wrote(RecordKind::Immersion, Some(*id)),
        ImmersionTarget::Renewal { new_id, .. } => wrote(RecordKind::Immersion, Some(*new_id)),
        ImmersionTarget::Registration { .. } => wrote(RecordKind::SessionRegistration, None),
    }
}

/// The status text once the form of `t` saved `change`; the tab shows and
/// selects what was saved.
pub fn saved(app: &mut App, t: &ImmersionTarget, change: &Change) -> String {
    let select = match t {
        ImmersionTarget::Content { id, .. }
        | ImmersionTarget::Status { id, .. }
        | ImmersionTarget::Debrief { id, .. } => Some(*id),
        ImmersionTarget::Renewal { new_id, .. } => Some(*new_id),
        ImmersionTarget::Registration { .. } => change
            .records
            .iter()
            .find_map(|(_, a)| a.as_ref().map(AnyRecord::id)),
    };
    if let Some(f) = app.benef.file.as_mut() {
        f.tab = Tab::Immersions;
        f.imm.select = select;
    }
    let what = match t {
        ImmersionTarget::Content { is_new: true, .. } => {
            "Immersion enregistrée (étape ajoutée au parcours)"
        }
        ImmersionTarget::Content { .. } => "Immersion enregistrée",
        ImmersionTarget::Status { .. } => "Statut de l'immersion enregistré",
        ImmersionTarget::Renewal { .. } => "Renouvellement enregistré (étape ajoutée au parcours)",
        ImmersionTarget::Debrief { .. } => "Bilan de l'immersion enregistré",
        ImmersionTarget::Registration { .. } => "Inscription à la séance enregistrée",
    };
    what.to_string()
}
