//! 공약사업 관리카드 — the pledge management card as data, shaped like the printed card.

use serde::{Deserialize, Serialize};

/// 백만원 — an amount in millions of won, as the card prints it. The card never shows
/// smaller units, so integers are exact.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    specta::Type,
)]
#[serde(transparent)]
pub struct MillionWon(pub i64);

impl std::ops::Add for MillionWon {
    type Output = MillionWon;
    fn add(self, rhs: MillionWon) -> MillionWon {
        MillionWon(self.0 + rhs.0)
    }
}

impl std::iter::Sum for MillionWon {
    fn sum<I: Iterator<Item = MillionWon>>(iter: I) -> MillionWon {
        MillionWon(iter.map(|m| m.0).sum())
    }
}

/// One cell of a money table. `None` is the card's "-": nothing planned or spent.
pub type Cell = Option<MillionWon>;

/// The amount a cell stands for in sums: "-" counts as zero.
pub fn amount(cell: Cell) -> MillionWon {
    cell.unwrap_or_default()
}

/// 재원 — funding source, the rows of both money tables. `Total` is the 계 row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Total,
    National,
    Provincial,
    County,
    Private,
    SelfFunded,
}

impl Source {
    /// Row order as printed.
    pub const ALL: [Source; 6] = [
        Source::Total,
        Source::National,
        Source::Provincial,
        Source::County,
        Source::Private,
        Source::SelfFunded,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Source::Total => "계",
            Source::National => "국비",
            Source::Provincial => "도비",
            Source::County => "군비",
            Source::Private => "민자",
            Source::SelfFunded => "자담 등",
        }
    }
}

/// One row of a money table: 총계, 기투자, 소계, each year of the period, and after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct MoneyRow {
    pub source: Source,
    pub total: Cell,
    pub prior: Cell,
    pub subtotal: Cell,
    /// One cell per year of the card's period, first year first.
    pub years: Vec<Cell>,
    pub after: Cell,
}

impl MoneyRow {
    pub fn empty(source: Source, years: usize) -> MoneyRow {
        MoneyRow {
            source,
            total: None,
            prior: None,
            subtotal: None,
            years: vec![None; years],
            after: None,
        }
    }
}

/// 연도별 사업비 투자계획 or 사업비 확정 및 집행액: one row per [`Source`], in [`Source::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct MoneyTable {
    pub rows: Vec<MoneyRow>,
}

impl MoneyTable {
    pub fn empty(years: usize) -> MoneyTable {
        MoneyTable {
            rows: Source::ALL
                .iter()
                .map(|s| MoneyRow::empty(*s, years))
                .collect(),
        }
    }

    pub fn row(&self, source: Source) -> Option<&MoneyRow> {
        self.rows.iter().find(|r| r.source == source)
    }

    pub fn row_mut(&mut self, source: Source) -> Option<&mut MoneyRow> {
        self.rows.iter_mut().find(|r| r.source == source)
    }
}

/// ① ② … under 사업개요.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SubProject {
    pub title: String,
    pub period: String,
    pub targets: String,
    pub budget: Cell,
    /// Lines of 사업내용 / 운영방안; a leading "-" or "•" marks a list item.
    pub content: Vec<String>,
}

/// 연도별 추진계획: what a year should bring and the progress it should reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct YearPlan {
    pub year: i32,
    pub items: Vec<String>,
    /// 진도, percent of the whole pledge.
    pub progress: u8,
}

/// 추진현황: one block of the implementation history. `body` is light markup, one line per
/// paragraph: "○" opens a heading, "-" and "•" are list items, leading spaces indent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct HistoryEntry {
    pub year: i32,
    pub body: String,
}

/// 이행현황.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    /// 완료
    Done,
    /// 이행후 계속추진
    DoneContinuing,
    /// 정상추진
    OnTrack,
    /// 일부추진
    Partial,
    /// 보류
    OnHold,
    /// 폐기
    Dropped,
}

impl StatusKind {
    pub const ALL: [StatusKind; 6] = [
        StatusKind::Done,
        StatusKind::DoneContinuing,
        StatusKind::OnTrack,
        StatusKind::Partial,
        StatusKind::OnHold,
        StatusKind::Dropped,
    ];

    pub fn label(self) -> &'static str {
        match self {
            StatusKind::Done => "완료",
            StatusKind::DoneContinuing => "이행후 계속추진",
            StatusKind::OnTrack => "정상추진",
            StatusKind::Partial => "일부추진",
            StatusKind::OnHold => "보류",
            StatusKind::Dropped => "폐기",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Done => "done",
            StatusKind::DoneContinuing => "done_continuing",
            StatusKind::OnTrack => "on_track",
            StatusKind::Partial => "partial",
            StatusKind::OnHold => "on_hold",
            StatusKind::Dropped => "dropped",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Status {
    pub kind: StatusKind,
    /// 이행도, percent.
    pub percent: u8,
}

/// Why a year's execution may exceed its plan (for instance a carried-over budget). Without
/// one, executed > plan is a check failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct OverrunReason {
    pub source: Source,
    pub year: i32,
    pub reason: String,
}

/// 공약사업 관리카드 — one pledge's card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct PledgeCard {
    /// The heading line, e.g. "민선6기 군수 공약사업 관리카드".
    pub heading: String,
    /// 관리번호, e.g. "공감행정 ②-5"; unique.
    pub number: String,
    /// 공약명
    pub title: String,
    /// 총괄부서
    pub lead_department: String,
    /// 추진담당
    pub teams: String,
    /// 담당자 (names and extensions)
    pub contacts: String,
    /// 협조부서
    pub cooperating: String,
    /// 사업기간: the money tables have one column per year from `first_year` to `last_year`.
    pub first_year: i32,
    pub last_year: i32,
    /// 총 사업비
    pub total_budget: MillionWon,
    /// 목표 및 필요성
    pub goals: Vec<String>,
    /// 사업개요
    pub sub_projects: Vec<SubProject>,
    /// The phases drawn under 사업개요 (1단계 …), one line each.
    pub phases: Vec<String>,
    /// 기대효과
    pub effects: Vec<String>,
    /// 연도별 사업비 투자계획
    pub plan: MoneyTable,
    /// 사업비 확정 및 집행액
    pub executed: MoneyTable,
    pub overrun_reasons: Vec<OverrunReason>,
    /// 연도별 추진계획
    pub yearly_plan: Vec<YearPlan>,
    /// 추진현황
    pub history: Vec<HistoryEntry>,
    /// 향후 추진계획
    pub future_plan: Vec<String>,
    pub status: Status,
    /// 공약사업 추진 중 주요 변경사항
    pub changes: String,
}

impl PledgeCard {
    /// The years of the period, first to last.
    pub fn years(&self) -> Vec<i32> {
        (self.first_year..=self.last_year).collect()
    }

    /// A blank card for the editor: every table sized to the period.
    pub fn blank(number: &str, first_year: i32, last_year: i32) -> PledgeCard {
        let years = (last_year - first_year + 1).max(1) as usize;
        PledgeCard {
            heading: "공약사업 관리카드".into(),
            number: number.into(),
            title: String::new(),
            lead_department: String::new(),
            teams: String::new(),
            contacts: String::new(),
            cooperating: "-".into(),
            first_year,
            last_year,
            total_budget: MillionWon(0),
            goals: vec![],
            sub_projects: vec![],
            phases: vec![],
            effects: vec![],
            plan: MoneyTable::empty(years),
            executed: MoneyTable::empty(years),
            overrun_reasons: vec![],
            yearly_plan: (first_year..=last_year)
                .map(|year| YearPlan {
                    year,
                    items: vec![],
                    progress: 0,
                })
                .collect(),
            history: vec![],
            future_plan: vec![],
            status: Status {
                kind: StatusKind::OnTrack,
                percent: 0,
            },
            changes: "변경사항 없음".into(),
        }
    }

    /// 집행률: executed 총계 over planned 총계, in percent (None when nothing is planned).
    pub fn execution_rate(&self) -> Option<f64> {
        let plan = self.plan.row(Source::Total).map(|r| amount(r.total))?;
        let done = self.executed.row(Source::Total).map(|r| amount(r.total))?;
        (plan.0 > 0).then(|| done.0 as f64 * 100.0 / plan.0 as f64)
    }
}

/// A card as listed: what the 예산카드 screen shows before one is opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct CardSummary {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub lead_department: String,
    pub status: StatusKind,
    pub status_percent: u8,
    pub plan_total: MillionWon,
    pub executed_total: MillionWon,
    /// 집행률 in percent; `None` when nothing is planned.
    pub execution_rate: Option<f64>,
    /// Failed checks; a card with any is a draft and prints with "검증 오류".
    pub issue_count: i64,
    pub updated_at: String,
    pub updated_by: String,
}
