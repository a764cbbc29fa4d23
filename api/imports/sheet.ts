/**
 * A downloaded file as lines of text cells, whatever it came as: an Excel workbook (.xlsx, what
 * QuickBooks and Xero give by default) or CSV (UTF-8 with or without BOM, CRLF or LF; Windows-1252
 * when the bytes are not UTF-8, as older Excel saves them). Excel dates become ISO dates, so their
 * day/month order is never guessed; numbers keep their exact value; a merged title is read once.
 */
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';

export interface Line {
  /** 1-based line (CSV) or row number (worksheet), as the user sees it in the file. */
  line: number;
  cells: string[];
  /**
   * Columns whose cell is a spreadsheet formula (xlsx): its value is what the spreadsheet last computed,
   * not a figure the accounting tool stated — and it may be stale if the file was never recalculated.
   */
  formulas?: Set<number>;
}

export interface Grid {
  format: 'xlsx' | 'csv';
  lines: Line[];
}

export class FileError extends Error {}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

export const isXlsx = (bytes: Uint8Array) => ZIP_MAGIC.every((b, i) => bytes[i] === b);

export async function readGrid(file: Uint8Array | string): Promise<Grid> {
  if (typeof file !== 'string' && isXlsx(file)) return readXlsx(file);
  return readCsv(typeof file === 'string' ? file : decodeText(file));
}

/** UTF-8 when the bytes are valid UTF-8, else Windows-1252; a BOM is dropped either way. */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

export function readCsv(text: string): Grid {
  if (/\u0000/.test(text)) throw new FileError('the file is neither CSV text nor an Excel workbook (.xlsx)');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false, trim: true, info: true, max_record_size: 64 * 1024 }) as never;
  } catch (err) {
    throw new FileError(`the file is not readable CSV: ${(err as Error).message.split('\n')[0].slice(0, 200)}`);
  }
  return { format: 'csv', lines: records.map((r) => ({ line: r.info.lines, cells: r.record })) };
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/** A cell's value as the report shows it, without Excel's display formatting (which depends on the viewer's locale). */
function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return isoDate(v);
  // A "Percentage of total" line keeps 0.08 as a number formatted as a percentage: it reads as 8%.
  if (typeof v === 'number') return /%/.test(cell.numFmt ?? '') ? `${Math.round(v * 1000) / 10}%` : numberText(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('').trim();
    if ('formula' in v || 'sharedFormula' in v) {
      const r = (v as ExcelJS.CellFormulaValue).result;
      if (r instanceof Date) return isoDate(r);
      if (typeof r === 'number') return numberText(r);
      return r === undefined || r === null || typeof r === 'object' ? '' : String(r).trim();
    }
    if ('text' in v) return String((v as ExcelJS.CellHyperlinkValue).text).trim();
    if ('error' in v) return '';
  }
  return String(v).trim();
}

/** Excel keeps amounts as binary floats: 1234.5 is 1234.5000000001 at worst; two decimals is what the report showed. */
function numberText(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(2);
}

async function readXlsx(bytes: Uint8Array): Promise<Grid> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
  } catch (err) {
    throw new FileError(`the Excel file cannot be read: ${(err as Error).message.slice(0, 200)}`);
  }
  const sheet = wb.worksheets.find((s) => s.state === 'visible' && s.actualRowCount > 0);
  if (!sheet) throw new FileError('the Excel file has no worksheet with data');
  const lines: Line[] = [];
  const width = sheet.columnCount;
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    const formulas = new Set<number>();
    for (let c = 1; c <= width; c++) {
      const cell = row.getCell(c);
      if (cell.value !== null && typeof cell.value === 'object' && ('formula' in cell.value || 'sharedFormula' in cell.value)) formulas.add(c - 1);
      // A merged title spans the whole width: ExcelJS repeats it in every covered cell; the report shows it once.
      cells.push(cell.isMerged && cell.master !== cell ? '' : cellText(cell));
    }
    while (cells.length && cells[cells.length - 1] === '') cells.pop();
    lines.push({ line: r, cells, ...(formulas.size ? { formulas } : {}) });
  }
  return { format: 'xlsx', lines };
}
