import {
  ColumnSummary,
  ColumnType,
} from '@internal/backstage-plugin-datasets-common';

const MAX_DISTINCT = 10_000;
const HISTOGRAM_BINS = 10;
const TOP_VALUES = 10;

const INTEGER = /^[-+]?\d+$/;
const BOOLEAN = /^(true|false)$/i;

function isNumber(value: string) {
  return value.trim() !== '' && Number.isFinite(Number(value));
}

/** Collects one column's values and summarizes them. */
class ColumnCollector {
  private count = 0;
  private missing = 0;
  private integers = true;
  private numbers = true;
  private booleans = true;
  private readonly numeric: number[] = [];
  private readonly counts = new Map<string, number>();
  private distinctOverflow = false;

  constructor(readonly name: string) {}

  add(raw: string) {
    const value = raw.trim();
    if (value === '') {
      this.missing++;
      return;
    }
    this.count++;
    this.integers &&= INTEGER.test(value);
    this.numbers &&= isNumber(value);
    this.booleans &&= BOOLEAN.test(value);
    if (this.numbers) this.numeric.push(Number(value));
    if (this.counts.has(value)) {
      this.counts.set(value, this.counts.get(value)! + 1);
    } else if (this.counts.size < MAX_DISTINCT) {
      this.counts.set(value, 1);
    } else {
      this.distinctOverflow = true;
    }
  }

  get type(): ColumnType {
    if (this.count === 0) return 'string';
    if (this.integers) return 'integer';
    if (this.numbers) return 'number';
    if (this.booleans) return 'boolean';
    return 'string';
  }

  summary(): ColumnSummary {
    const type = this.type;
    const base: ColumnSummary = {
      name: this.name,
      type,
      count: this.count,
      missing: this.missing,
      distinct: this.counts.size,
    };
    if ((type === 'integer' || type === 'number') && this.numeric.length) {
      return { ...base, ...numericSummary(this.numeric) };
    }
    const top = [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, TOP_VALUES)
      .map(([value, count]) => ({ value, count }));
    return {
      ...base,
      ...(this.distinctOverflow && { distinct: MAX_DISTINCT }),
      topValues: top,
    };
  }
}

function numericSummary(values: number[]) {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / values.length;
  const variance =
    values.reduce((acc, v) => acc + (v - mean) ** 2, 0) / values.length;
  const width = (max - min) / HISTOGRAM_BINS;
  const histogram = Array.from({ length: HISTOGRAM_BINS }, (_, i) => ({
    from: min + i * width,
    to: i === HISTOGRAM_BINS - 1 ? max : min + (i + 1) * width,
    count: 0,
  }));
  for (const v of values) {
    const bin =
      width === 0
        ? 0
        : Math.min(HISTOGRAM_BINS - 1, Math.floor((v - min) / width));
    histogram[bin].count++;
  }
  return {
    min,
    max,
    mean,
    std: Math.sqrt(variance),
    histogram: width === 0 ? [histogram[0]] : histogram,
  };
}

/** Type inference and per-column statistics over the rows of a table. */
export class TableProfiler {
  private readonly columns: ColumnCollector[];
  rowCount = 0;

  constructor(header: string[]) {
    this.columns = header.map(name => new ColumnCollector(name));
  }

  add(fields: string[]) {
    this.rowCount++;
    fields.forEach((value, i) => this.columns[i].add(value));
  }

  types() {
    return this.columns.map(c => ({ name: c.name, type: c.type }));
  }

  summaries(): ColumnSummary[] {
    return this.columns.map(c => c.summary());
  }
}
