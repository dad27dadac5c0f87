import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { containsArabicScript, VisualRun, visualRuns as bidiRuns } from './bidi';

/** Everything printed on a certificate, already translated and formatted. */
export interface CertificatePdfContent {
  serial: string;
  issuerName: string;
  title: string;
  /** The title once more in Urdu, under the English one, on certificates that carry Urdu anyway. */
  titleUrdu: string;
  certifies: string;
  holderName: string;
  completedCourse: string;
  courseTitle: string;
  details: string;
  serialLine: string;
  verifyLine: string;
  issuedLine: string;
  verifyUrl: string;
  /** Document metadata; also fixes the PDF's dates so the same certificate renders the same bytes. */
  issuedAt: Date;
}

// Bundled OFL fonts (see assets/fonts/OFL.txt): Noto Sans for Latin text, Noto Naskh Arabic for
// Urdu (pdfkit shapes Naskh correctly; Nastaliq comes out with its words reversed).
const FONTS_DIR = join(__dirname, '..', '..', '..', 'assets', 'fonts');
const FONT_FILES = {
  latin: 'NotoSans-Regular.ttf',
  latinBold: 'NotoSans-Bold.ttf',
  arabic: 'NotoNaskhArabic-Regular.ttf',
  arabicBold: 'NotoNaskhArabic-Bold.ttf',
} as const;
type FontName = keyof typeof FONT_FILES;

/**
 * Parsing a font file is most of the cost of a certificate, so each font is parsed once per
 * process: pdfkit accepts an already-parsed (fontkit) font, which every document then shares;
 * each document still embeds its own subset.
 */
type GlyphRun = { glyphs: unknown[]; positions: Record<string, number>[]; advanceWidth: number };
type ParsedFont = { layout: (text: string, features?: unknown) => GlyphRun };
let parsedFonts: Record<FontName, ParsedFont> | undefined;
const LAYOUT_CACHE_SIZE = 5000;

/**
 * Shaping the same labels again for every certificate is the other big cost: remember the
 * layouts. pdfkit scales a run's positions in place, so each caller gets its own copy of them.
 */
function rememberLayouts(font: ParsedFont): void {
  const shape = font.layout.bind(font);
  const cache = new Map<string, GlyphRun>();
  font.layout = (text, features) => {
    const key = `${features ? JSON.stringify(features) : ''}\u0000${text}`;
    let run = cache.get(key);
    if (!run) {
      if (cache.size >= LAYOUT_CACHE_SIZE) cache.clear();
      const shaped = shape(text, features);
      run = { glyphs: shaped.glyphs, positions: shaped.positions.map((p) => ({ ...p })), advanceWidth: shaped.advanceWidth };
      cache.set(key, run);
    }
    return { glyphs: run.glyphs, positions: run.positions.map((p) => ({ ...p })), advanceWidth: run.advanceWidth };
  };
}

function fonts(): Record<FontName, ParsedFont> {
  if (!parsedFonts) {
    const loader = new PDFDocument({ autoFirstPage: false, font: '' });
    parsedFonts = {} as Record<FontName, ParsedFont>;
    for (const [name, file] of Object.entries(FONT_FILES) as [FontName, string][]) {
      loader.registerFont(name, readFileSync(join(FONTS_DIR, file)));
      parsedFonts[name] = (loader.font(name) as unknown as { _font: { font: ParsedFont } })._font.font;
      rememberLayouts(parsedFonts[name]);
    }
  }
  return parsedFonts;
}

const PAGE = { width: 841.89, height: 595.28 };
const COLORS = { ink: '#1b1f24', muted: '#4d5560', accent: '#0b5d3b' };

interface LineStyle {
  size: number;
  bold?: boolean;
  color?: string;
  /** Shrinks the text down to minSize to fit, then wraps onto a second line. */
  maxWidth?: number;
  minSize?: number;
  align?: 'center' | 'left';
}

type Doc = InstanceType<typeof PDFDocument>;

// Punctuation Noto Naskh Arabic draws itself; brackets, quotes and the like come from Noto Sans.
const NASKH_NEUTRALS = new Set([' ', ':', '.', ',', '!', '\u060C', '\u061B', '\u061F', '\u06D4']);
const visualRuns = (text: string) => bidiRuns(text, (char) => NASKH_NEUTRALS.has(char));

function fontFor(arabicScript: boolean, bold: boolean | undefined): FontName {
  if (arabicScript) return bold ? 'arabicBold' : 'arabic';
  return bold ? 'latinBold' : 'latin';
}

function runWidth(doc: Doc, run: VisualRun, bold: boolean | undefined, size: number): number {
  return doc.font(fontFor(run.arabicFont, bold)).fontSize(size).widthOfString(run.text, { features: run.arabicFont ? [] : undefined });
}

function lineWidth(doc: Doc, text: string, style: LineStyle, size: number): number {
  return visualRuns(text).reduce((sum, run) => sum + runWidth(doc, run, style.bold, size), 0);
}

/** Draws one line with its baseline at y: runs in visual order, each in the font its script needs. */
function drawLine(doc: Doc, text: string, x: number, baseline: number, style: LineStyle, size: number): void {
  const runs = visualRuns(text);
  const widths = runs.map((run) => runWidth(doc, run, style.bold, size));
  const total = widths.reduce((a, b) => a + b, 0);
  let left = style.align === 'left' ? x : x - total / 2;
  doc.fillColor(style.color ?? COLORS.ink);
  runs.forEach((run, i) => {
    // pdfkit shapes text word by word (and so puts Urdu words in the wrong order) unless it is
    // given features: then the whole run goes to the shaper, which lays it out right to left.
    const features = run.arabicFont ? [] : undefined;
    doc.font(fontFor(run.arabicFont, style.bold)).fontSize(size).text(run.text, left, baseline, { lineBreak: false, baseline: 'alphabetic', features });
    left += widths[i];
  });
}

/** Splits at the space nearest the middle, so a long title becomes two balanced lines. */
function splitInTwo(text: string): [string, string] | null {
  const spaces = [...text.matchAll(/ /g)].map((m) => m.index as number);
  if (spaces.length === 0) return null;
  const middle = text.length / 2;
  const at = spaces.reduce((best, i) => (Math.abs(i - middle) < Math.abs(best - middle) ? i : best));
  return [text.slice(0, at), text.slice(at + 1)];
}

/** Draws text that may not fit: smaller first, then on two lines. Returns the baseline of the last line. */
function drawFitted(doc: Doc, text: string, x: number, baseline: number, style: LineStyle): number {
  const maxWidth = style.maxWidth ?? Infinity;
  const minSize = style.minSize ?? style.size;
  // Widths grow linearly with the size: one measurement tells the size that fits.
  const width = lineWidth(doc, text, style, style.size);
  const fitting = width <= maxWidth ? style.size : Math.floor((style.size * maxWidth) / width);
  if (fitting >= minSize) {
    drawLine(doc, text, x, baseline, style, fitting);
    return baseline;
  }
  const halves = splitInTwo(text);
  if (!halves) {
    drawLine(doc, text, x, baseline, style, minSize);
    return baseline;
  }
  const gap = minSize * 1.45;
  drawLine(doc, halves[0], x, baseline, style, minSize);
  drawLine(doc, halves[1], x, baseline + gap, style, minSize);
  return baseline + gap;
}

/** The QR code as vector squares (crisp at any zoom, and cheaper than embedding an image). */
function drawQrCode(doc: Doc, url: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const count = qr.modules.size;
  const quiet = 2;
  const cell = size / (count + quiet * 2);
  doc.rect(x, y, size, size).fill('#ffffff');
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; ) {
      if (!qr.modules.get(row, col)) {
        col += 1;
        continue;
      }
      let end = col;
      while (end < count && qr.modules.get(row, end)) end += 1;
      doc.rect(x + (col + quiet) * cell, y + (row + quiet) * cell, (end - col) * cell, cell);
      col = end;
    }
  }
  doc.fill('#000000');
}

/** Renders the certificate: one A4 landscape page. */
export function renderCertificatePdf(content: CertificatePdfContent): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    pdfVersion: '1.7',
    layout: 'landscape',
    margin: 0,
    autoFirstPage: true,
    // No default font: pdfkit would parse Helvetica's metrics for every certificate, to use none of it.
    font: '',
    lang: 'en',
    displayTitle: true,
    info: {
      Title: `${content.title} ${content.serial}`,
      Author: content.issuerName,
      Subject: `${content.holderName} — ${content.courseTitle}`,
      Keywords: content.serial,
      Creator: content.issuerName,
      CreationDate: content.issuedAt,
      ModDate: content.issuedAt,
    },
  });
  for (const [name, font] of Object.entries(fonts())) doc.registerFont(name, font as unknown as Buffer);

  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const center = PAGE.width / 2;
  doc.lineWidth(2.5).strokeColor(COLORS.accent).rect(22, 22, PAGE.width - 44, PAGE.height - 44).stroke();
  doc.lineWidth(0.75).rect(30, 30, PAGE.width - 60, PAGE.height - 60).stroke();

  drawLine(doc, content.issuerName.toUpperCase(), center, 88, { size: 14, bold: true, color: COLORS.accent }, 14);
  drawLine(doc, content.title, center, 142, { size: 34, bold: true }, 34);
  // Only where the Urdu font is embedded anyway: one more embedded font costs ~15% of the render.
  if (containsArabicScript(content.holderName) || containsArabicScript(content.courseTitle)) {
    drawLine(doc, content.titleUrdu, center, 176, { size: 16, color: COLORS.muted }, 16);
  }
  drawLine(doc, content.certifies, center, 226, { size: 14, color: COLORS.muted }, 14);
  const nameBaseline = drawFitted(doc, content.holderName, center, 280, { size: 36, minSize: 22, bold: true, maxWidth: 660 });
  doc.lineWidth(0.75).strokeColor(COLORS.muted).moveTo(center - 200, nameBaseline + 14).lineTo(center + 200, nameBaseline + 14).stroke();
  drawLine(doc, content.completedCourse, center, nameBaseline + 50, { size: 14, color: COLORS.muted }, 14);
  const courseBaseline = drawFitted(doc, content.courseTitle, center, nameBaseline + 90, { size: 22, minSize: 15, bold: true, maxWidth: 660 });
  drawLine(doc, content.details, center, courseBaseline + 34, { size: 13 }, 13);

  const qrSize = 96;
  const qrX = PAGE.width - 60 - qrSize;
  const qrY = PAGE.height - 60 - qrSize;
  drawQrCode(doc, content.verifyUrl, qrX, qrY, qrSize);
  const footer: LineStyle = { size: 10, color: COLORS.muted, align: 'left' };
  drawLine(doc, content.serialLine, 60, PAGE.height - 96, { ...footer, size: 12, bold: true, color: COLORS.ink }, 12);
  drawLine(doc, content.issuedLine, 60, PAGE.height - 78, footer, 10);
  drawFitted(doc, content.verifyLine, 60, PAGE.height - 62, { ...footer, size: 10, minSize: 7, maxWidth: qrX - 80 });
  doc.link(qrX, qrY, qrSize, qrSize, content.verifyUrl);

  doc.end();
  return done;
}
