// Quiet services during tests unless asked otherwise.
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'warn';
