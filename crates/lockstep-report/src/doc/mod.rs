//! The document model of a report: what each section says, once, for every front end.
//!
//! Computing modules build a [`crate::Report`]; [`crate::describe`] says how each section
//! reads: its title, its facts, its tables, its sentences and where its figures go, as a
//! [`Document`]. The front ends only lay a document out: [`text::layout`] for the terminal
//! (80 columns, ANSI colour on a terminal), `lockstep_html` for the HTML report and the
//! dashboard. Adding a section touches its computation and its description, no front end.
//!
//! The model is deliberately small: a section is a list of [`Block`]s (paragraphs, fact
//! lists, definition lists, sub-headings, tables, the section's figures); a table has typed
//! [`Column`]s and [`Cell`]s; text carries a [`Tone`] that the terminal shows as colour and
//! HTML as a class.

pub mod decimal;
pub mod text;

/// A whole report: a title and its sections, in reading order.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The title (`Lockstep: ETH-USD vs ^RUT`).
    pub title: String,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

/// One section.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// A stable identifier (`correlation`, `lead-lag`: the HTML `id`).
    pub id: &'static str,
    /// The heading.
    pub title: String,
    /// What it says, in order.
    pub blocks: Vec<Block>,
}

/// A part of a section.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A paragraph of styled runs; `role` names its purpose (`note`, `verdict`, `rule`, …:
    /// the HTML class; empty for none).
    Para {
        /// Its purpose (HTML class).
        role: &'static str,
        /// The runs of text.
        spans: Vec<Span>,
    },
    /// A list of facts, each one sentence.
    Facts(Vec<String>),
    /// Named values (`alignment: inner`), with a role (HTML class).
    Definitions {
        /// Its purpose (HTML class).
        role: &'static str,
        /// `(name, value)` pairs.
        items: Vec<(String, String)>,
    },
    /// A sub-heading.
    Heading(String),
    /// A table.
    Table(Table),
    /// The place of the section's figures (charts); nothing where a front end has none.
    Figures,
}

impl Block {
    /// A paragraph of plain text.
    pub fn para(role: &'static str, text: impl Into<String>) -> Block {
        Block::Para {
            role,
            spans: vec![Span::plain(text)],
        }
    }

    /// A note (`note: …`).
    pub fn note(text: &str) -> Block {
        Block::para("note", format!("note: {text}"))
    }
}

/// A run of text and how it is marked.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    /// The text.
    pub text: String,
    /// Its marking.
    pub tone: Tone,
    /// Emphasized (bold / `<strong>`).
    pub strong: bool,
}

impl Span {
    /// Plain text.
    pub fn plain(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            tone: Tone::Plain,
            strong: false,
        }
    }

    /// Text with a tone.
    pub fn toned(text: impl Into<String>, tone: Tone) -> Span {
        Span {
            text: text.into(),
            tone,
            strong: false,
        }
    }

    /// Emphasized text.
    pub fn strong(text: impl Into<String>, tone: Tone) -> Span {
        Span {
            text: text.into(),
            tone,
            strong: true,
        }
    }
}

/// How a value is marked: the terminal colours it, HTML gives it a class.
#[derive(Clone, Debug, PartialEq)]
pub enum Tone {
    /// Nothing.
    Plain,
    /// A correlation `r`: strong positive (> 0.5), moderate (> 0.3), negative (< −0.1).
    Corr(f64),
    /// A signed change: up (≥ 0) or down.
    Sign(f64),
    /// Statistically significant (bold / `sig`).
    Significant,
    /// A named state (`up`, `down`, `regime-risk-on`): an HTML class, plain on a terminal.
    Class(String),
}

impl Tone {
    /// The HTML class of the tone (empty for none).
    pub fn class(&self) -> &str {
        match self {
            Tone::Plain => "",
            Tone::Corr(r) => {
                if *r > 0.5 {
                    "pos"
                } else if *r > 0.3 {
                    "mid"
                } else if *r < -0.1 {
                    "neg"
                } else {
                    ""
                }
            }
            Tone::Sign(v) => {
                if *v >= 0.0 {
                    "up"
                } else {
                    "down"
                }
            }
            Tone::Significant => "sig",
            Tone::Class(c) => c,
        }
    }
}

/// What a column holds: decides alignment (numbers to the right) and the HTML class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Words.
    Text,
    /// Numbers (right-aligned).
    Num,
    /// Dates.
    Date,
    /// The row's label (`<th scope="row">`).
    RowLabel,
}

/// A column of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Its heading.
    pub header: String,
    /// What it holds.
    pub kind: Kind,
    /// A detail a narrow layout may leave out (the terminal does; HTML shows every column).
    pub detail: bool,
}

impl Column {
    /// A column.
    pub fn new(header: impl Into<String>, kind: Kind) -> Column {
        Column {
            header: header.into(),
            kind,
            detail: false,
        }
    }

    /// A column a narrow layout may leave out.
    pub fn detail(header: impl Into<String>, kind: Kind) -> Column {
        Column {
            detail: true,
            ..Column::new(header, kind)
        }
    }
}

/// A cell of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// Its text.
    pub text: String,
    /// Its marking.
    pub tone: Tone,
    /// Columns it spans (1 for an ordinary cell; a message row spans the rest).
    pub span: usize,
}

impl Cell {
    /// A plain cell.
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            tone: Tone::Plain,
            span: 1,
        }
    }

    /// A cell with a tone.
    pub fn toned(text: impl Into<String>, tone: Tone) -> Cell {
        Cell {
            text: text.into(),
            tone,
            span: 1,
        }
    }

    /// A cell spanning `span` columns.
    pub fn spanning(text: impl Into<String>, span: usize) -> Cell {
        Cell {
            text: text.into(),
            tone: Tone::Plain,
            span,
        }
    }
}

/// A table.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Its role (the HTML class: `windows`, `granger`, …).
    pub role: &'static str,
    /// What the columns mean (empty for none).
    pub caption: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with no row yet.
    pub fn new(role: &'static str, columns: Vec<Column>) -> Table {
        Table {
            role,
            caption: String::new(),
            columns,
            rows: Vec::new(),
        }
    }

    /// With a caption.
    pub fn caption(mut self, caption: impl Into<String>) -> Table {
        self.caption = caption.into();
        self
    }
}
