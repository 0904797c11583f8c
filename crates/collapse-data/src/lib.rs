//! # collapse-data
//!
//! The real data the workspace uses, embedded in the library so that a built or installed
//! `collapse` binary needs no file beside it. Each data set lives in `data/` inside this crate
//! with its attribution and licence text beside it:
//!
//! | module | what | licence |
//! |---|---|---|
//! | [`wikitext2`] | WikiText-2 (raw tokens), validation and test splits (Merity et al., 2016) | CC BY-SA 3.0 |
//! | [`tiny_shakespeare`] | Tiny Shakespeare, 40,000 lines of the plays | public domain |
//! | [`digits`] | 1,797 handwritten digits, 8×8 pixels, UCI optdigits test set (Alpaydin & Kaynak, 1998) | CC BY 4.0 |
//!
//! The text corpora can also be looked up by name ([`text`], [`TEXTS`]); the language-model
//! experiment accepts these names wherever it accepts a corpus file.

/// WikiText-2 (raw tokens): Wikipedia Good and Featured articles, tokenised by spaces, rare words
/// replaced by `<unk>`, joined hyphens and numbers marked `@-@`, `@,@`, `@.@`.
///
/// Stephen Merity, Caiming Xiong, James Bradbury and Richard Socher, *Pointer Sentinel Mixture
/// Models* (2016), licensed CC BY-SA 3.0 (`data/wikitext-2/README.md` and `LICENSE` in this
/// crate). The texts are the two splits unchanged.
pub mod wikitext2 {
    /// The validation split (213,886 words, 3,760 lines): the language-model chain trains on it.
    pub const VALID: &str = include_str!("../data/wikitext-2/valid.txt");

    /// The test split (241,211 words, 4,358 lines): the language-model chain evaluates on it.
    pub const TEST: &str = include_str!("../data/wikitext-2/test.txt");
}

/// Tiny Shakespeare: 40,000 lines from the plays (202,651 words), speaker names followed by a
/// colon, blank lines between speeches. The plays are in the public domain
/// (`data/tinyshakespeare/README.md` in this crate).
pub mod tiny_shakespeare {
    /// The whole text.
    pub const TEXT: &str = include_str!("../data/tinyshakespeare/input.txt");
}

/// Handwritten digits, 8×8 pixels: the test set of the UCI "Optical Recognition of Handwritten
/// Digits" data set (E. Alpaydin and C. Kaynak, 1998), licensed CC BY 4.0
/// (`data/digits/README.md` and `LICENSE` in this crate).
pub mod digits;

/// A built-in text corpus.
#[derive(Clone, Copy, Debug)]
pub struct Text {
    /// The name it is looked up by, e.g. `wikitext-2/valid`.
    pub name: &'static str,
    /// One line on what it is.
    pub about: &'static str,
    /// The text.
    pub text: &'static str,
}

/// Every built-in text corpus, by name.
pub const TEXTS: &[Text] = &[
    Text {
        name: "wikitext-2/valid",
        about: "WikiText-2 validation split, 213,886 words (CC BY-SA 3.0)",
        text: wikitext2::VALID,
    },
    Text {
        name: "wikitext-2/test",
        about: "WikiText-2 test split, 241,211 words (CC BY-SA 3.0)",
        text: wikitext2::TEST,
    },
    Text {
        name: "tiny-shakespeare",
        about: "Tiny Shakespeare, 202,651 words (public domain)",
        text: tiny_shakespeare::TEXT,
    },
];

/// The built-in text corpus called `name`, if there is one.
pub fn text(name: &str) -> Option<&'static str> {
    TEXTS.iter().find(|t| t.name == name).map(|t| t.text)
}

/// The names of the built-in text corpora, comma-separated (for messages and help).
pub fn text_names() -> String {
    TEXTS.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> usize {
        s.split_whitespace().count()
    }

    #[test]
    fn the_corpora_are_whole() {
        assert_eq!(words(wikitext2::VALID), 213_886);
        assert_eq!(words(wikitext2::TEST), 241_211);
        assert_eq!(wikitext2::VALID.lines().count(), 3_760);
        assert_eq!(wikitext2::TEST.lines().count(), 4_358);
        assert_eq!(words(tiny_shakespeare::TEXT), 202_651);
        assert_eq!(tiny_shakespeare::TEXT.lines().count(), 40_000);
        assert!(wikitext2::VALID.contains(" = Homarus gammarus = "));
        assert!(tiny_shakespeare::TEXT.starts_with("First Citizen:"));
    }

    #[test]
    fn digits_are_a_gzip_stream() {
        // gzip magic, deflate method; the trailer's last four bytes are the uncompressed size.
        assert_eq!(&digits::CSV_GZ[..3], &[0x1f, 0x8b, 8]);
        let n = digits::CSV_GZ.len();
        let size = u32::from_le_bytes(digits::CSV_GZ[n - 4..].try_into().unwrap());
        assert_eq!(size, 264_712);
    }

    #[test]
    fn texts_are_found_by_name() {
        for t in TEXTS {
            assert_eq!(text(t.name).map(str::len), Some(t.text.len()));
            assert!(text_names().contains(t.name));
        }
        assert!(text("wikitext-2/train").is_none());
    }
}
