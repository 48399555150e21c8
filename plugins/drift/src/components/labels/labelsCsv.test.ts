import { inChunks, MAX_LABEL_LINES, parseLabelsCsv } from './labelsCsv';

describe('parseLabelsCsv', () => {
  it('reads one label per line, a batched request as a list', () => {
    expect(parseLabelsCsv('abc123,7\ndef456,7;1\nghi789, 2 | 0 | 3 ')).toEqual({
      labels: [
        { requestId: 'abc123', label: '7' },
        { requestId: 'def456', label: ['7', '1'] },
        { requestId: 'ghi789', label: ['2', '0', '3'] },
      ],
      problems: [],
    });
  });

  it('skips a header line, empty lines, a BOM and Windows line ends', () => {
    expect(
      parseLabelsCsv(
        '\uFEFFrequestId,label\r\n\r\nabc123,7\r\n  \r\n"def456","cat"\r\n',
      ),
    ).toEqual({
      labels: [
        { requestId: 'abc123', label: '7' },
        { requestId: 'def456', label: 'cat' },
      ],
      problems: [],
    });
    expect(parseLabelsCsv('request_id,labels\nabc123,7').labels).toEqual([
      { requestId: 'abc123', label: '7' },
    ]);
  });

  it('names the line of each problem, counting empty lines, and sends nothing then', () => {
    expect(
      parseLabelsCsv('abc123,7\n\ndef456\nghi789,\n,5\njkl,7;;1\nmno,7,1'),
    ).toEqual({
      labels: [],
      problems: [
        'Line 3: no label for request def456',
        'Line 4: no label for request ghi789',
        'Line 5: no request id',
        'Line 6: an empty label in "7;;1"',
        'Line 7: one comma expected, between the request id and its label (separate the labels of a batched request with ";" or "|")',
      ],
    });
  });

  it('holds to the limits of the API', () => {
    expect(parseLabelsCsv(`${'x'.repeat(129)},7`).problems).toEqual([
      'Line 1: the request id is longer than 128 characters',
    ]);
    expect(parseLabelsCsv(`abc,${'7'.repeat(129)}`).problems).toEqual([
      'Line 1: a label is longer than 128 characters',
    ]);
    expect(
      parseLabelsCsv(`abc,${Array(257).fill('7').join(';')}`).problems,
    ).toEqual(['Line 1: more than 256 labels for one request']);
  });

  it('reads at most 10,000 lines, the header aside', () => {
    const lines = (count: number) =>
      Array.from({ length: count }, (_, i) => `req-${i},${i % 10}`);
    const most = parseLabelsCsv(
      ['requestId,label', ...lines(MAX_LABEL_LINES)].join('\n'),
    );
    expect(most.problems).toEqual([]);
    expect(most.labels).toHaveLength(10_000);
    expect(parseLabelsCsv(lines(MAX_LABEL_LINES + 1).join('\n'))).toEqual({
      labels: [],
      problems: ['10,001 lines: at most 10,000 lines at a time'],
    });
  });

  it('keeps the last label of a request named twice', () => {
    expect(parseLabelsCsv('a,1\nb,2\na,3').labels).toEqual([
      { requestId: 'b', label: '2' },
      { requestId: 'a', label: '3' },
    ]);
  });
});

describe('inChunks', () => {
  it('cuts a list into consecutive slices', () => {
    expect(inChunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(inChunks([], 1000)).toEqual([]);
  });
});
