//! Text held back until a run ends: in memory while small, then in an unnamed temporary
//! file, so that a report whose totals come first (SARIF, JUnit), an output file written
//! only when the run succeeds, or a baseline being recorded costs disk, not memory, on a
//! run over thousands of files.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

/// Held in memory up to this size; a run past it moves to a temporary file.
const IN_MEMORY: usize = 8 << 20;

#[derive(Default)]
pub struct Spill {
    memory: Vec<u8>,
    file: Option<BufWriter<File>>,
    error: Option<std::io::Error>,
    len: u64,
}

impl Spill {
    pub fn push(&mut self, text: &[u8]) {
        self.len += text.len() as u64;
        if self.error.is_some() {
            return;
        }
        if self.file.is_none() && self.memory.len() + text.len() > IN_MEMORY {
            // No temporary file (a read-only or full temp dir): memory still works.
            if let Ok(file) = tempfile::tempfile() {
                let mut file = BufWriter::with_capacity(1 << 16, file);
                match file.write_all(&self.memory) {
                    Ok(()) => {
                        self.memory = Vec::new();
                        self.file = Some(file);
                    }
                    Err(e) => self.error = Some(e),
                }
            }
        }
        match &mut self.file {
            Some(file) => {
                if let Err(e) = file.write_all(text) {
                    self.error = Some(e);
                }
            }
            None => self.memory.extend_from_slice(text),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Writes everything pushed, in order, to `out`; the first error stops it.
    pub fn write_into(self, out: &mut impl Write) -> std::io::Result<()> {
        let mut failed = None;
        self.drain(|bytes| {
            if failed.is_none() {
                failed = out.write_all(bytes).err();
            }
        })?;
        failed.map_or(Ok(()), Err)
    }

    /// Hands everything pushed, in order, to `write` a block at a time.
    pub fn drain(self, mut write: impl FnMut(&[u8])) -> std::io::Result<()> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let Some(file) = self.file else {
            write(&self.memory);
            return Ok(());
        };
        let mut file = file.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        let mut block = vec![0; 1 << 16];
        loop {
            match file.read(&mut block) {
                Ok(0) => return Ok(()),
                Ok(n) => write(&block[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drained(spill: Spill) -> Vec<u8> {
        let mut out = Vec::new();
        spill.drain(|b| out.extend_from_slice(b)).unwrap();
        out
    }

    #[test]
    fn gives_back_what_was_pushed_in_memory_and_on_disk() {
        let mut small = Spill::default();
        assert!(small.is_empty());
        small.push(b"ab");
        small.push(b"c");
        assert!(!small.is_empty());
        assert_eq!(drained(small), b"abc");
        let mut large = Spill::default();
        let mut expected = Vec::new();
        for i in 0..4_000u32 {
            let piece = format!("{i:>8} {}\n", "é".repeat((i % 3_000) as usize));
            large.push(piece.as_bytes());
            expected.extend_from_slice(piece.as_bytes());
        }
        assert!(expected.len() > IN_MEMORY, "the test must reach the temporary file");
        assert!(large.file.is_some());
        assert_eq!(drained(large), expected);
    }
}
