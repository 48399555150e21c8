import { RequestLabel } from '@internal/backstage-plugin-drift-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderDriftAt } from '../../__testUtils__/renderDrift';
import {
  aMonitor,
  apiRefusal,
  fakeDriftApi,
  MONITOR_ID,
} from '../../testing/fixtures';

const PATH = `/drift/monitors/${MONITOR_ID}`;

/** The monitor page over a backend that keeps count of the labels it stored. */
async function openLabelsDialog(labelled = 100) {
  let total = labelled;
  const fake = fakeDriftApi({
    getMonitor: jest.fn(async () => aMonitor({ labels: total })),
    addLabels: jest.fn(async (_monitorId: string, chunk: RequestLabel[]) => {
      total += chunk.length;
      return { stored: chunk.length, total };
    }),
  });
  await renderDriftAt(PATH, fake.api);
  const card = (await screen.findByText('Ground-truth labels')).closest(
    'div[class*="Paper"]',
  ) as HTMLElement;
  await userEvent.click(
    within(card).getByRole('button', { name: 'Add labels' }),
  );
  return { ...fake, card, dialog: await screen.findByRole('dialog') };
}

describe('Ground-truth labels', () => {
  it('says what labels are for and how many requests have one', async () => {
    const { api } = fakeDriftApi({
      getMonitor: jest.fn(async () => aMonitor({ labels: 1234 })),
    });
    await renderDriftAt(PATH, api);

    const card = (await screen.findByText('Ground-truth labels')).closest(
      'div[class*="Paper"]',
    ) as HTMLElement;
    expect(card).toHaveTextContent(
      'Attach the true class to logged requests by the id their answers carry; the next check reports the real accuracy beside the estimated one.',
    );
    expect(
      within(card).getByText('1,234 requests labelled'),
    ).toBeInTheDocument();

    await userEvent.click(
      within(card).getByRole('button', { name: 'Label through the API' }),
    );
    expect(card).toHaveTextContent(
      new RegExp(
        `curl -sS -X POST '\\S*/api/drift/monitors/${MONITOR_ID}/labels'`,
      ),
    );
    expect(card).toHaveTextContent(
      '{"labels":[{"requestId":"abc123","label":"7"},{"requestId":"def456","label":["7","1"]}]}',
    );
  });

  it('sends a CSV file in chunks of 1,000 with its progress, then counts the labels again', async () => {
    let releaseSecondChunk = () => {};
    const secondChunkHeld = new Promise<void>(resolve => {
      releaseSecondChunk = resolve;
    });
    const { card, dialog, mocks } = await openLabelsDialog(100);
    expect(within(card).getByText('100 requests labelled')).toBeInTheDocument();
    const answer = mocks.addLabels.getMockImplementation()!;
    mocks.addLabels.mockImplementation(async (...args) => {
      if (mocks.addLabels.mock.calls.length === 2) await secondChunkHeld;
      return answer(...args);
    });
    const lines = Array.from({ length: 2499 }, (_, i) => `req-${i},${i % 10}`);
    const csv = ['requestId,label', ...lines, 'req-2499,7;1', ''].join('\n');

    await userEvent.upload(
      within(dialog).getByLabelText('CSV file'),
      new File([csv], 'labels.csv', { type: 'text/csv' }),
    );
    expect(within(dialog).getByText('labels.csv')).toBeInTheDocument();
    await waitFor(() =>
      expect(within(dialog).getByLabelText('Labels (CSV)')).toHaveValue(csv),
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Send labels' }),
    );

    const progress = await within(dialog).findByRole('progressbar', {
      name: 'Sending labels',
    });
    await waitFor(() =>
      expect(progress).toHaveAttribute('aria-valuenow', '40'),
    );
    expect(
      within(dialog).getByText('Sent 1,000 of 2,500 labels…'),
    ).toBeInTheDocument();
    releaseSecondChunk();

    expect(
      await within(dialog).findByText(
        /^Stored 2,500 labels \(2,600 in all\)\./,
      ),
    ).toBeInTheDocument();
    const chunks = mocks.addLabels.mock.calls.map(
      ([monitorId, chunk]) => [monitorId, chunk.length] as const,
    );
    expect(chunks).toEqual([
      [MONITOR_ID, 1000],
      [MONITOR_ID, 1000],
      [MONITOR_ID, 500],
    ]);
    expect(mocks.addLabels.mock.calls[0][1][0]).toEqual({
      requestId: 'req-0',
      label: '0',
    });
    expect(mocks.addLabels.mock.calls[1][1][0]).toEqual({
      requestId: 'req-1000',
      label: '0',
    });
    expect(mocks.addLabels.mock.calls[2][1][499]).toEqual({
      requestId: 'req-2499',
      label: ['7', '1'],
    });
    expect(
      await within(card).findByText('2,600 requests labelled'),
    ).toBeInTheDocument();
    expect(mocks.getMonitor).toHaveBeenCalledTimes(2);
    expect(within(dialog).getByLabelText('Labels (CSV)')).toHaveValue('');
  });

  it("shows the backend's refusal, and stores nothing", async () => {
    const { dialog, mocks } = await openLabelsDialog();
    mocks.addLabels.mockRejectedValue(
      await apiRefusal(403, 'You may not change monitor mnist-prod-drift'),
    );

    await userEvent.type(
      within(dialog).getByLabelText('Labels (CSV)'),
      'abc123,7{enter}def456,7|1',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Send labels' }),
    );

    expect(
      await within(dialog).findByText('The labels were not stored'),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText('You may not change monitor mnist-prod-drift'),
    ).toBeInTheDocument();
    expect(mocks.addLabels).toHaveBeenCalledWith(MONITOR_ID, [
      { requestId: 'abc123', label: '7' },
      { requestId: 'def456', label: ['7', '1'] },
    ]);
    expect(mocks.getMonitor).toHaveBeenCalledTimes(1);
  });

  it('names the lines without a label and sends nothing', async () => {
    const { dialog, mocks } = await openLabelsDialog();

    await userEvent.type(
      within(dialog).getByLabelText('Labels (CSV)'),
      'abc123,7{enter}{enter}def456',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Send labels' }),
    );

    expect(within(dialog).getByText('Nothing was sent')).toBeInTheDocument();
    expect(
      within(dialog).getByText('Line 3: no label for request def456'),
    ).toBeInTheDocument();
    expect(mocks.addLabels).not.toHaveBeenCalled();
  });
});
