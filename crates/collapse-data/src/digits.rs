//! The embedded handwritten digits, and the decoder that turns them (or a file in the same
//! format) into pixels and labels.
//!
//! The format is a CSV without header: one image per line, [`PIXELS`](crate::digits::PIXELS) pixel values (the 8×8
//! image row by row) followed by the class label 0–9. The embedded set is gzip-compressed
//! ([`CSV_GZ`](crate::digits::CSV_GZ)); [`load`](crate::digits::load) inflates it with `flate2` (its default, pure-Rust backend) and parses
//! it with [`parse_csv`](crate::digits::parse_csv), which also reads a user's file and refuses, naming the line, any line
//! of the wrong width, a pixel that is not a finite number and a label outside 0–9.

use std::fmt;
use std::io::Read;

/// The gzip-compressed CSV: [`COUNT`] lines without header, each [`PIXELS`] integers 0–16
/// (the image row by row) followed by the class label 0–9.
pub const CSV_GZ: &[u8] = include_bytes!("../data/digits/digits.csv.gz");

/// Number of images.
pub const COUNT: usize = 1797;

/// Pixels per image (8 × 8).
pub const PIXELS: usize = 64;

/// Side of an image in pixels.
pub const SIDE: usize = 8;

/// Number of classes (the digits 0–9).
pub const CLASSES: usize = 10;

/// Decoded images: `pixels` holds `labels.len()` images of [`PIXELS`] values each, image after
/// image, each row by row.
#[derive(Clone, Debug, PartialEq)]
pub struct Digits {
    /// The pixel values, `len() × PIXELS`, row-major (one image per row).
    pub pixels: Vec<f64>,
    /// The class label (0–9) of each image.
    pub labels: Vec<u8>,
}

impl Digits {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there is no image.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The pixels of image `i`.
    pub fn image(&self, i: usize) -> &[f64] {
        &self.pixels[i * PIXELS..(i + 1) * PIXELS]
    }
}

/// Why a digits file could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum DigitsError {
    /// The bytes are not a gzip stream (or it is truncated).
    Gzip(String),
    /// The text is not UTF-8.
    NotText,
    /// The file holds no image.
    Empty,
    /// A line has the wrong number of comma-separated fields.
    Width {
        /// 1-based line number.
        line: usize,
        /// The fields found.
        found: usize,
    },
    /// A pixel is not a number, or not a finite one.
    Pixel {
        /// 1-based line number.
        line: usize,
        /// 1-based pixel index within the image.
        pixel: usize,
        /// The text found.
        value: String,
    },
    /// The label is not an integer 0–9.
    Label {
        /// 1-based line number.
        line: usize,
        /// The text found.
        value: String,
    },
}

impl fmt::Display for DigitsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DigitsError::Gzip(e) => write!(f, "not a valid gzip stream: {e}"),
            DigitsError::NotText => write!(f, "not UTF-8 text"),
            DigitsError::Empty => write!(f, "holds no image"),
            DigitsError::Width { line, found } => write!(
                f,
                "line {line} has {found} fields; expected {} ({PIXELS} pixels and a label)",
                PIXELS + 1
            ),
            DigitsError::Pixel { line, pixel, value } => write!(
                f,
                "line {line}, pixel {pixel}: `{value}` is not a finite number"
            ),
            DigitsError::Label { line, value } => {
                write!(f, "line {line}: label `{value}` is not an integer 0-9")
            }
        }
    }
}

impl std::error::Error for DigitsError {}

/// Inflates a gzip stream.
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, DigitsError> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| DigitsError::Gzip(e.to_string()))?;
    Ok(out)
}

/// Parses the CSV format: per non-blank line, [`PIXELS`] finite numbers and a label 0–9.
/// Surrounding spaces and a final `\r` are ignored.
pub fn parse_csv(text: &str) -> Result<Digits, DigitsError> {
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != PIXELS + 1 {
            return Err(DigitsError::Width {
                line: line_no,
                found: fields.len(),
            });
        }
        for (k, field) in fields[..PIXELS].iter().enumerate() {
            match field.parse::<f64>() {
                Ok(v) if v.is_finite() => pixels.push(v),
                _ => {
                    return Err(DigitsError::Pixel {
                        line: line_no,
                        pixel: k + 1,
                        value: field.to_string(),
                    });
                }
            }
        }
        let label = fields[PIXELS];
        match label.parse::<u8>() {
            Ok(c) if (c as usize) < CLASSES => labels.push(c),
            _ => {
                return Err(DigitsError::Label {
                    line: line_no,
                    value: label.to_string(),
                });
            }
        }
    }
    if labels.is_empty() {
        return Err(DigitsError::Empty);
    }
    Ok(Digits { pixels, labels })
}

/// Reads digits from bytes: gzip-compressed (recognised by its magic number) or plain CSV.
pub fn parse_bytes(bytes: &[u8]) -> Result<Digits, DigitsError> {
    let inflated;
    let raw = if bytes.starts_with(&[0x1f, 0x8b]) {
        inflated = gunzip(bytes)?;
        &inflated[..]
    } else {
        bytes
    };
    let text = std::str::from_utf8(raw).map_err(|_| DigitsError::NotText)?;
    parse_csv(text)
}

/// The embedded digits: [`COUNT`] images of [`PIXELS`] integers 0–16 and their labels.
pub fn load() -> Digits {
    // The embedded bytes are fixed at build time and tested below; a failure here is a broken
    // build, not an input error.
    parse_bytes(CSV_GZ).expect("the embedded digits decode")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_set_decodes_whole() {
        let d = load();
        assert_eq!(d.len(), COUNT);
        assert_eq!(d.pixels.len(), COUNT * PIXELS);
        // Every pixel is a count 0–16 of on-pixels in a 4×4 block.
        assert!(
            d.pixels
                .iter()
                .all(|&v| (0.0..=16.0).contains(&v) && v.fract() == 0.0)
        );
        // The class counts of the optdigits test set.
        let mut counts = [0usize; CLASSES];
        for &c in &d.labels {
            counts[c as usize] += 1;
        }
        assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
        // The first line of the file, read by eye.
        assert_eq!(&d.image(0)[..8], &[0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]);
        assert_eq!(d.labels[0], 0);
        assert_eq!(d.labels[1], 1);
        // Three border pixels are blank in every image (so the pixel covariance has rank 61).
        for p in [0usize, 32, 39] {
            assert!((0..d.len()).all(|i| d.image(i)[p] == 0.0), "pixel {p}");
        }
        let total: f64 = d.pixels.iter().sum();
        assert_eq!(total, 561_718.0);
    }

    #[test]
    fn plain_and_compressed_files_read_alike() {
        let plain = String::from_utf8(gunzip(CSV_GZ).unwrap()).unwrap();
        assert_eq!(plain.len(), 264_712);
        assert_eq!(parse_bytes(plain.as_bytes()).unwrap(), load());
    }

    fn line(pixels: &[&str], label: &str) -> String {
        let mut f: Vec<&str> = pixels.to_vec();
        f.push(label);
        f.join(",")
    }

    #[test]
    fn bad_files_are_refused_with_the_line() {
        let ok = vec!["1"; PIXELS];
        let good = line(&ok, "3");
        assert_eq!(
            parse_csv(&format!("{good}\n\n{good}\r\n")).unwrap().len(),
            2
        );
        let short = line(&ok[..63], "3");
        assert_eq!(
            parse_csv(&format!("{good}\n{short}")).unwrap_err(),
            DigitsError::Width { line: 2, found: 64 }
        );
        let mut nan = ok.clone();
        nan[9] = "NaN";
        let e = parse_csv(&line(&nan, "3")).unwrap_err();
        assert_eq!(
            e,
            DigitsError::Pixel {
                line: 1,
                pixel: 10,
                value: "NaN".into()
            }
        );
        assert!(e.to_string().contains("not a finite number"));
        let mut inf = ok.clone();
        inf[0] = "inf";
        assert!(matches!(
            parse_csv(&line(&inf, "3")),
            Err(DigitsError::Pixel { pixel: 1, .. })
        ));
        let mut word = ok.clone();
        word[63] = "x";
        assert!(parse_csv(&line(&word, "3")).is_err());
        assert!(matches!(
            parse_csv(&line(&ok, "10")),
            Err(DigitsError::Label { line: 1, .. })
        ));
        assert!(matches!(
            parse_csv(&line(&ok, "2.5")),
            Err(DigitsError::Label { .. })
        ));
        assert_eq!(parse_csv("\n \n").unwrap_err(), DigitsError::Empty);
        assert!(matches!(
            parse_bytes(&[0x1f, 0x8b, 8, 0, 1, 2]),
            Err(DigitsError::Gzip(_))
        ));
        assert_eq!(
            parse_bytes(&[0xff, 0xfe]).unwrap_err(),
            DigitsError::NotText
        );
        // Fractional pixels on any scale are accepted.
        let frac = vec!["0.25"; PIXELS];
        assert_eq!(parse_csv(&line(&frac, "0")).unwrap().pixels[0], 0.25);
    }
}
