/** Understanding a client's reply: strip, classify, match and decide — all pure. */
export * from './types';
export * from './strip';
export * from './auto-reply';
export * from './dates';
export * from './rules';
export * from './action';
export * from './match';
export * from './answer';
