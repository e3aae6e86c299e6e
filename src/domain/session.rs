//! Information sessions (*séances d'information*, France compétences): a
//! collective meeting at a date and time, in a place or by video, with a
//! capacity; beneficiaries register to it.
//!
//! A session holds no personal data. A registration is a child record of the
//! beneficiary (found by a beneficiary index for erasure) pointing to the
//! session.
//!
//! Time: `start` is an instant (`DateTime<Utc>`, stored as microseconds),
//! like an interview's; screens and the agenda show it in Europe/Paris time
//! (see `agenda::to_paris` / `agenda::from_paris` for the conversion).

use super::agenda::to_paris;
use super::beneficiary::Meta;
use super::id::Id;
use super::time::{fmt_date, serde_days, serde_micros};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Capacity bounds accepted by [`InfoSession::validate`].
pub const MAX_CAPACITY: u16 = 500;
/// Duration bounds (minutes) accepted by [`InfoSession::validate`].
pub const DURATION_RANGE: std::ops::RangeInclusive<u16> = 15..=480;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoSession {
    pub id: Id,
    #[serde(with = "serde_micros")]
    pub start: DateTime<Utc>,
    pub duration_minutes: u16,
    /// Address or room; may be empty for a video-only session.
    pub place: String,
    /// Video link (`https://…`); may be empty for an on-site session.
    pub video_link: String,
    pub topic: String,
    pub organiser: String,
    /// Number of places (at least 1).
    pub capacity: u16,
    pub meta: Meta,
}

impl InfoSession {
    pub fn end(&self) -> DateTime<Utc> {
        self.start + Duration::minutes(i64::from(self.duration_minutes))
    }

    /// Where it happens, as shown: the place, the link, or both.
    pub fn location(&self) -> String {
        match (self.place.trim(), self.video_link.trim()) {
            (p, "") => p.to_string(),
            ("", l) => format!("visio : {l}"),
            (p, l) => format!("{p} (ou visio : {l})"),
        }
    }

    /// The content rules, each broken one as a French message (empty = valid).
    pub fn validate(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.topic.trim().is_empty() {
            out.push("thème de la séance obligatoire".to_string());
        }
        if self.organiser.trim().is_empty() {
            out.push("organisateur obligatoire".to_string());
        }
        if self.place.trim().is_empty() && self.video_link.trim().is_empty() {
            out.push("indiquez un lieu ou un lien de visio".to_string());
        }
        let link = self.video_link.trim();
        if !(link.is_empty() || link.starts_with("https://") || link.starts_with("http://")) {
            out.push(format!(
                "lien de visio invalide : « {link} » (il commence par https://)"
            ));
        }
        if !(1..=MAX_CAPACITY).contains(&self.capacity) {
            out.push(format!("capacité : de 1 à {MAX_CAPACITY} places"));
        }
        if !DURATION_RANGE.contains(&self.duration_minutes) {
            out.push(format!(
                "durée : de {} à {} minutes",
                DURATION_RANGE.start(),
                DURATION_RANGE.end()
            ));
        }
        out
    }

    /// Registrations to this session among `all`.
    pub fn registrations<'a>(
        &self,
        all: &'a [SessionRegistration],
    ) -> impl Iterator<Item = &'a SessionRegistration> + 'a {
        let id = self.id;
        all.iter().filter(move |r| r.session == id)
    }

    /// Number of people registered among `all`.
    pub fn registered(&self, all: &[SessionRegistration]) -> usize {
        self.registrations(all).count()
    }

    /// Places left (0 when full or over-full).
    pub fn places_left(&self, all: &[SessionRegistration]) -> usize {
        usize::from(self.capacity).saturating_sub(self.registered(all))
    }

    /// `8/12 inscrits`
    pub fn fill_label(&self, all: &[SessionRegistration]) -> String {
        let n = self.registered(all);
        format!(
            "{n}/{} inscrit{}",
            self.capacity,
            if n > 1 { "s" } else { "" }
        )
    }
}

/// A beneficiary registered to a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRegistration {
    pub id: Id,
    pub session: Id,
    pub beneficiary: Id,
    #[serde(with = "serde_days")]
    pub registered_on: NaiveDate,
    pub meta: Meta,
}

/// Registers `beneficiary` to `session` given every registration known
/// (`all`, any session). Refused, with a French message, when the session is
/// full, already over at `meta.created_at`, or the person is already
/// registered. `meta.created_at` is "now" and gives `registered_on` (its
/// Europe/Paris date).
pub fn register(
    session: &InfoSession,
    all: &[SessionRegistration],
    beneficiary: Id,
    id: Id,
    meta: Meta,
) -> Result<SessionRegistration, String> {
    let when = fmt_date(to_paris(session.start).date());
    if session
        .registrations(all)
        .any(|r| r.beneficiary == beneficiary)
    {
        return Err(format!("déjà inscrit à la séance du {when}"));
    }
    if session.end() <= meta.created_at {
        return Err(format!("la séance du {when} est déjà passée"));
    }
    if session.places_left(all) == 0 {
        return Err(format!(
            "la séance du {when} est complète ({} place{})",
            session.capacity,
            if session.capacity > 1 { "s" } else { "" }
        ));
    }
    Ok(SessionRegistration {
        id,
        session: session.id,
        beneficiary,
        registered_on: to_paris(meta.created_at).date(),
        meta,
    })
}

/// The registration to delete to unregister `beneficiary` from `session`;
/// a French message when there is none.
pub fn unregister(
    session: &InfoSession,
    all: &[SessionRegistration],
    beneficiary: Id,
) -> Result<Id, String> {
    session
        .registrations(all)
        .find(|r| r.beneficiary == beneficiary)
        .map(|r| r.id)
        .ok_or_else(|| {
            format!(
                "pas d'inscription à la séance du {}",
                fmt_date(to_paris(session.start).date())
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }
    const T0: i64 = 1_796_000_000; // 2026-11-30 00:53 UTC

    fn id(n: u8) -> Id {
        Id::new_v7(T0 as u64 * 1000, [n; 10])
    }

    fn session(capacity: u16) -> InfoSession {
        InfoSession {
            id: id(1),
            start: t(T0 + 86_400 * 3),
            duration_minutes: 120,
            place: "Maison des associations, Lyon".into(),
            video_link: String::new(),
            topic: "Les métiers de la petite enfance".into(),
            organiser: "CEP Auvergne-Rhône-Alpes".into(),
            capacity,
            meta: Meta::new(t(T0), "Camille"),
        }
    }

    fn reg(all: &mut Vec<SessionRegistration>, s: &InfoSession, who: u8) -> Result<(), String> {
        let r = register(s, all, id(who), id(100 + who), Meta::new(t(T0), "Camille"))?;
        all.push(r);
        Ok(())
    }

    #[test]
    fn capacity_is_enforced_at_its_boundary() {
        let s = session(2);
        let mut all = Vec::new();
        reg(&mut all, &s, 10).unwrap();
        assert_eq!(s.places_left(&all), 1);
        assert_eq!(s.fill_label(&all), "1/2 inscrit");
        reg(&mut all, &s, 11).unwrap(); // the last place
        assert_eq!(s.places_left(&all), 0);
        assert_eq!(s.fill_label(&all), "2/2 inscrits");
        let err = reg(&mut all, &s, 12).unwrap_err();
        assert_eq!(err, "la séance du 03/12/2026 est complète (2 places)");
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].registered_on, to_paris(t(T0)).date());
    }

    #[test]
    fn double_registration_and_past_sessions_are_refused() {
        let s = session(5);
        let mut all = Vec::new();
        reg(&mut all, &s, 10).unwrap();
        assert!(reg(&mut all, &s, 10).unwrap_err().contains("déjà inscrit"));
        // Registrations to another session do not use this one's places.
        let mut other = session(1);
        other.id = id(2);
        reg(&mut all, &other, 11).unwrap();
        assert_eq!(s.registered(&all), 1);
        // Once the session has ended, no registration.
        let late = Meta::new(s.end(), "Camille");
        assert!(register(&s, &all, id(12), id(112), late)
            .unwrap_err()
            .contains("déjà passée"));
        let just_before = Meta::new(s.end() - Duration::seconds(1), "Camille");
        assert!(register(&s, &all, id(12), id(112), just_before).is_ok());
    }

    #[test]
    fn unregister_frees_the_place() {
        let s = session(1);
        let mut all = Vec::new();
        reg(&mut all, &s, 10).unwrap();
        assert!(reg(&mut all, &s, 11).is_err());
        let gone = unregister(&s, &all, id(10)).unwrap();
        all.retain(|r| r.id != gone);
        reg(&mut all, &s, 11).unwrap();
        assert!(unregister(&s, &all, id(10))
            .unwrap_err()
            .contains("pas d'inscription"));
    }

    #[test]
    fn validation_names_each_problem() {
        assert!(session(12).validate().is_empty());
        let mut s = session(0);
        s.topic = " ".into();
        s.place.clear();
        s.duration_minutes = 10;
        let v = s.validate();
        assert_eq!(v.len(), 4, "{v:?}");
        assert!(v.iter().any(|m| m.contains("thème")));
        assert!(v.iter().any(|m| m.contains("lieu ou un lien")));
        assert!(v.iter().any(|m| m.contains("capacité")));
        assert!(v.iter().any(|m| m.contains("durée")));
        s = session(MAX_CAPACITY + 1);
        s.video_link = "meet.exemple.fr/abc".into();
        let v = s.validate();
        assert!(v.iter().any(|m| m.contains("lien de visio invalide")));
        assert!(v.iter().any(|m| m.contains("capacité")));
        s = session(MAX_CAPACITY);
        s.place.clear();
        s.video_link = "https://visio.exemple.fr/cep".into();
        assert!(s.validate().is_empty());
        assert_eq!(s.location(), "visio : https://visio.exemple.fr/cep");
    }

    #[test]
    fn round_trips_through_bincode() {
        let s = session(3);
        let b = bincode::serialize(&s).unwrap();
        assert_eq!(bincode::deserialize::<InfoSession>(&b).unwrap(), s);
        let r = register(&s, &[], id(9), id(10), Meta::new(t(T0), "x")).unwrap();
        let b = bincode::serialize(&r).unwrap();
        assert_eq!(bincode::deserialize::<SessionRegistration>(&b).unwrap(), r);
    }
}
