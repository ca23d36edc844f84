import type { Logger } from 'pino';
import { SingleFlightTimer } from './single-flight-timer';

describe('SingleFlightTimer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const logger = () => ({ warn: jest.fn() }) as unknown as Logger & { warn: jest.Mock };

  it('skips a tick that falls due while the previous one still runs', async () => {
    let finish!: () => void;
    const work = jest.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const timer = new SingleFlightTimer('test tick', work, 100, logger());
    timer.start();
    await jest.advanceTimersByTimeAsync(350);
    expect(work).toHaveBeenCalledTimes(1);
    finish();
    await jest.advanceTimersByTimeAsync(100);
    expect(work).toHaveBeenCalledTimes(2);
    timer.stop();
  });

  it('logs a failed tick and runs the next one', async () => {
    const log = logger();
    const work = jest.fn().mockRejectedValueOnce(new Error('boom')).mockResolvedValue(undefined);
    const timer = new SingleFlightTimer('test tick', work, 100, log);
    timer.start();
    await jest.advanceTimersByTimeAsync(200);
    expect(work).toHaveBeenCalledTimes(2);
    expect(log.warn).toHaveBeenCalledWith(
      { err: expect.any(Error) },
      'test tick failed; retried on the next',
    );
    timer.stop();
  });
});
