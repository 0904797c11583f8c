//! Writing a figure's two files.

use collapse_core::FigureError;
use std::path::{Path, PathBuf};

/// Writes `dir/stem.svg` and `dir/stem.png`: `svg` and `png` each draw into a temporary path
/// beside the target, and the two are renamed into place only once both are drawn, so a
/// failure never leaves a half-written figure. Every drawing (a [`crate::Chart`] or a family's
/// own) saves through this.
pub fn save_svg_and_png(
    dir: &Path,
    stem: &str,
    svg: impl FnOnce(&Path) -> Result<(), FigureError>,
    png: impl FnOnce(&Path) -> Result<(), FigureError>,
) -> Result<Vec<PathBuf>, FigureError> {
    std::fs::create_dir_all(dir).map_err(|source| FigureError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let svg_path = dir.join(format!("{stem}.svg"));
    let png_path = dir.join(format!("{stem}.png"));
    let svg_tmp = dir.join(format!(".{stem}.svg.tmp"));
    // plotters picks the bitmap format from the extension.
    let png_tmp = dir.join(format!(".{stem}.png.tmp.png"));
    svg(&svg_tmp)?;
    png(&png_tmp)?;
    for (tmp, dst) in [(&svg_tmp, &svg_path), (&png_tmp, &png_path)] {
        std::fs::rename(tmp, dst).map_err(|source| FigureError::Io {
            path: dst.clone(),
            source,
        })?;
    }
    Ok(vec![svg_path, png_path])
}
